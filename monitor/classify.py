"""The bridge from settings to the classifier: which model, which places, which rules."""

from __future__ import annotations

from classifier import Classifier, ModelError
from monitor.config import Settings, resolve_path
from monitor.errors import ConfigError


def load_classifier(settings: Settings) -> Classifier:
    """Load the model named in `classifier.model` with the config's gazetteer and reach rules."""
    section = settings.classifier
    try:
        return Classifier.load(
            resolve_path(settings, section.model),
            gazetteer=[t.model_dump() for t in settings.territories],
            reach_rules=[rule.model_dump() for rule in section.reach_rules],
            encoder=_encoder_spec(settings),
            relevance_threshold=section.relevance_threshold,
            candidate_threshold=section.encoder and section.encoder.candidate_threshold,
        )
    except (ModelError, ImportError, FileNotFoundError, ValueError) as exc:
        raise ConfigError(f"Модель классификатора не загружается: {exc}") from None


def _encoder_spec(settings: Settings) -> dict | None:
    """The configured dense encoder as the classifier's spec dict (paths resolved)."""
    encoder = settings.classifier.encoder
    if encoder is None:
        return None
    spec: dict = {"kind": encoder.kind}
    if encoder.path:
        spec["path"] = str(resolve_path(settings, encoder.path))
    if encoder.threads:
        spec["threads"] = encoder.threads
    return spec
