"""Russian NLP for residents' posts: relevance, sector, risk, entities and territory.

The public names are loaded on first use, so that `classifier.text` alone (used by the
incident grouping) does not pull in scikit-learn and natasha at start-up.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from classifier.api import Classifier, Prediction
    from classifier.entities import Entity
    from classifier.package import ModelError

__all__ = ["Classifier", "Entity", "ModelError", "Prediction"]

_HOMES = {
    "Classifier": "classifier.api",
    "Prediction": "classifier.api",
    "Entity": "classifier.entities",
    "ModelError": "classifier.package",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'classifier' has no attribute {name!r}")
