"""Rasa's LogisticRegressionClassifier, stored as plain arrays instead of with skops,
and safe on blank messages.

Rasa 3.6 saves and loads this classifier with `skops`, whose import scans every loaded
module (thousands, once TensorFlow is imported): in py-spy profiles that was about
5 s of the server's 12 s start-up and 6 s of training. The model is just the fitted
coefficients, so they are stored with numpy (`allow_pickle=False`, nothing executable)
and put back into the same scikit-learn estimator. Training and predictions are
Rasa's own (this is a subclass).

Predictions skip one step of Rasa's: it stacks an empty dense block onto each message's
sparse features with scipy (`hstack`, then `vstack`), about 8% of a message's time in
py-spy profiles; with no dense features the matrix is the sparse features themselves.

Rasa's classifier also raises on a message with no text (no features): the REST
channel then answers with an empty list. Blank messages are left unclassified here,
for BlankMessageClassifier to label.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix

ARRAYS_FILE = "logistic_regression.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ArrayLogisticRegressionClassifier(LogisticRegressionClassifier):
    def process(self, messages: list[Message]) -> list[Message]:
        with_text = [m for m in messages if str(m.get(TEXT) or "").strip()]
        if with_text:
            super().process(with_text)
        return messages

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        rows = []
        for message in messages:
            sparse = message.get_sparse_features(attribute=TEXT)[1]
            dense = message.get_dense_features(attribute=TEXT)[1]
            if sparse is None or dense is not None:
                return super()._create_X(messages)
            rows.append(sparse.features.tocoo())
        return csr_matrix(
            (
                np.concatenate([row.data for row in rows]),
                (
                    np.repeat(np.arange(len(rows)), [row.nnz for row in rows]),
                    np.concatenate([row.col for row in rows]),
                ),
            ),
            shape=(len(rows), rows[0].shape[1]),
        )

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(
                directory / ARRAYS_FILE,
                coef=self.clf.coef_,
                intercept=self.clf.intercept_,
                classes=np.asarray(self.clf.classes_, dtype=str),
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ArrayLogisticRegressionClassifier:
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with (
                model_storage.read_from(resource) as directory,
                np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays,
            ):
                coef, intercept = arrays["coef"], arrays["intercept"]
                classes = arrays["classes"].astype(object)
        except (ValueError, FileNotFoundError):
            return component  # untrained, as Rasa's own component does
        component.clf.coef_ = coef
        component.clf.intercept_ = intercept
        component.clf.classes_ = classes
        component.clf.n_features_in_ = coef.shape[1]
        return component
