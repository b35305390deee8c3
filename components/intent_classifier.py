"""Rasa's LogisticRegressionClassifier, stored as plain arrays instead of with skops,
and safe on blank messages.

Rasa 3.6 saves and loads this classifier with `skops`, whose import scans every loaded
module (thousands, once TensorFlow is imported): in py-spy profiles that was about
5 s of the server's 12 s start-up and 6 s of training. The model is just the fitted
coefficients, so they are stored with numpy (`allow_pickle=False`, nothing executable)
and put back into the same scikit-learn estimator. Predictions are Rasa's own (this is
a subclass).

Predictions skip one step of Rasa's: it stacks an empty dense block onto each message's
sparse features with scipy (`hstack`, then `vstack`), about 8% of a message's time in
py-spy profiles; with no dense features the matrix is the sparse features themselves,
read straight from the message (Rasa's `get_sparse_features` deep-copies and stacks them
again for every message, which in training is thousands of messages).

Training fits the same model on fewer columns. Features that occur in exactly the same
training messages with the same counts (the character n-grams of a word, for instance)
are equal columns of the training matrix; more than half of the columns were copies of
another. With an L2 penalty the optimum gives equal columns equal weights, so the model
is fitted once per group of k equal columns, on one copy scaled by sqrt(k), and each
column of the group gets that weight divided by sqrt(k): the same optimum (the same
objective, rewritten), found in less time (BENCHMARKS.md, "Training").

The fit's time is almost all products of the training matrix with dense matrices
(`X @ W` and `R.T @ X`, twice in each of some 350 Hessian products). They run on two
row blocks at once (scipy's sparse products release the GIL), and `R.T @ X` as a
row-wise product with the transpose stored, not scipy's column-wise one:
`ThreadedProducts`. Each output element sums the same terms in the same order, so the
fitted coefficients are bit for bit those of the plain fit.

Rasa's classifier also raises on a message with no text (no features): the REST
channel then answers with an empty list. Blank messages are left unclassified here,
for BlankMessageClassifier to label.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import coo_matrix, csc_matrix, csr_matrix, diags

ARRAYS_FILE = "logistic_regression.npz"


def equal_columns(matrix: csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Groups of equal columns: each column's group, and the first column of each group."""
    columns = csc_matrix(matrix)
    columns.sort_indices()
    first_of: dict[tuple[bytes, bytes], int] = {}
    group_of = np.empty(columns.shape[1], dtype=np.int64)
    for column, (start, end) in enumerate(
        zip(columns.indptr[:-1], columns.indptr[1:], strict=True)
    ):
        key = (columns.indices[start:end].tobytes(), columns.data[start:end].tobytes())
        group_of[column] = first_of.setdefault(key, len(first_of))
    firsts = np.unique(group_of, return_index=True)[1]  # groups are numbered in order
    return group_of, firsts


class ThreadedProducts(csr_matrix):
    """A CSR matrix whose products with dense 2-D arrays run on row blocks in threads.

    Made with `ThreadedProducts.split`; any other instance (scipy makes them when it
    slices or converts one) multiplies as a plain CSR matrix does.
    """

    _pool: ThreadPoolExecutor | None = None
    _row_blocks: list[csr_matrix]
    _column_blocks: list[csr_matrix]  # row blocks of the transpose

    @classmethod
    def split(cls, matrix: csr_matrix, pool: ThreadPoolExecutor, parts: int) -> ThreadedProducts:
        threaded = cls(matrix)
        threaded._pool = pool
        threaded._row_blocks = _row_blocks(csr_matrix(matrix), parts)
        threaded._column_blocks = _row_blocks(csr_matrix(matrix.T), parts)
        return threaded

    def __matmul__(self, other: Any) -> Any:
        if self._pool is None or not _dense_2d(other):
            return super().__matmul__(other)
        return np.vstack(list(self._pool.map(lambda block: block @ other, self._row_blocks)))

    def __rmatmul__(self, other: Any) -> Any:
        if self._pool is None or not _dense_2d(other):
            return super().__rmatmul__(other)
        transposed = other.T
        products = self._pool.map(lambda block: block @ transposed, self._column_blocks)
        return np.vstack(list(products)).T


def _row_blocks(matrix: csr_matrix, parts: int) -> list[csr_matrix]:
    bounds = np.linspace(0, matrix.shape[0], parts + 1).astype(int)
    return [csr_matrix(matrix[start:end]) for start, end in pairwise(bounds)]


def _dense_2d(other: Any) -> bool:
    return isinstance(other, np.ndarray) and other.ndim == 2


def sentence_features(message: Message) -> coo_matrix | None:
    """The message's sparse sentence features of its text, side by side as Rasa's
    `get_sparse_features` puts them; None if it has none or also has dense ones."""
    parts = [f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
    if not parts or not all(f.is_sparse() for f in parts):
        return None
    if len(parts) == 1:
        return parts[0].features.tocoo()
    blocks = [f.features.tocoo() for f in parts]
    offsets = np.cumsum([0] + [block.shape[1] for block in blocks[:-1]])
    return coo_matrix(
        (
            np.concatenate([block.data for block in blocks]),
            (
                np.concatenate([block.row for block in blocks]),
                np.concatenate(
                    [block.col + offset for block, offset in zip(blocks, offsets, strict=True)]
                ),
            ),
        ),
        shape=(1, int(offsets[-1]) + blocks[-1].shape[1]),
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ArrayLogisticRegressionClassifier(LogisticRegressionClassifier):
    def process(self, messages: list[Message]) -> list[Message]:
        with_text = [m for m in messages if str(m.get(TEXT) or "").strip()]
        if with_text:
            super().process(with_text)
        return messages

    def train(self, training_data: TrainingData) -> Resource:
        matrix, intents = self._create_training_matrix(training_data)
        if matrix.shape[0] == 0:
            return super().train(training_data)  # Rasa's: logs, leaves it untrained
        group_of, firsts = equal_columns(matrix)
        sizes = np.bincount(group_of)
        distinct = csr_matrix(csr_matrix(matrix)[:, firsts] @ diags(np.sqrt(sizes)))
        parts = min(os.cpu_count() or 1, 4)
        with ThreadPoolExecutor(parts) as pool:
            self.clf.fit(ThreadedProducts.split(distinct, pool, parts), intents)
        self.clf.coef_ = (self.clf.coef_ / np.sqrt(sizes))[:, group_of]
        self.clf.n_features_in_ = matrix.shape[1]
        self.persist()
        return self._resource

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        if not messages:
            return csr_matrix((0, 0))
        rows: list[coo_matrix] = []
        for message in messages:
            row = sentence_features(message)
            if row is None or (rows and row.shape != rows[0].shape):
                return super()._create_X(messages)
            rows.append(row)
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
