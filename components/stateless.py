"""The base of our intent classifiers that neither train nor take settings."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier


class StatelessIntentClassifier(GraphComponent, IntentClassifier):
    """Rasa creates it as it is: nothing to load, nothing to configure."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> StatelessIntentClassifier:
        return cls()
