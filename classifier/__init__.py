"""Russian NLP for residents' posts: relevance, sector, risk, entities and territory."""

from classifier.api import Classifier, Prediction
from classifier.entities import Entity
from classifier.package import ModelError

__all__ = ["Classifier", "Entity", "ModelError", "Prediction"]
