"""Rasa's logistic regression, stored as plain arrays: a loaded model ranks intents exactly
as the trained one did, and its file holds nothing that could run code."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from components.intent_classifier import ARRAYS_FILE, ArrayLogisticRegressionClassifier

CONTEXT = ExecutionContext(GraphSchema({}), "test")
CONFIG = {**ArrayLogisticRegressionClassifier.get_default_config(), "max_iter": 1000}
RESOURCE = Resource("intent_classifier")

EXAMPLES = [
    ("how much calcium do I need", "ask_calcium"),
    ("calcium dose per day", "ask_calcium"),
    ("daily calcium for adults", "ask_calcium"),
    ("does fosamax cause hair loss", "ask_medication"),
    ("fosamax side effects", "ask_medication"),
    ("can alendronate thin my hair", "ask_medication"),
    ("hello there", "greet"),
    ("hi", "greet"),
    ("good morning", "greet"),
]
TWO_INTENTS = [(text, intent) for text, intent in EXAMPLES if intent != "greet"]
QUESTIONS = ["calcium per day", "fosamax and hair", "hi there", "what about the weather"]


@dataclass
class Pipeline:
    """Tokenizer and featurizer trained as Rasa's graph trains them, ahead of the classifier."""

    tokenizer: WhitespaceTokenizer
    featurizer: CountVectorsFeaturizer

    def featurize(self, texts: list[str]) -> list[Message]:
        messages = [Message(data={"text": text}) for text in texts]
        self.tokenizer.process(messages)
        self.featurizer.process(messages)
        return messages

    def predict(
        self, classifier: ArrayLogisticRegressionClassifier, texts: list[str]
    ) -> list[tuple[Any, Any]]:
        messages = classifier.process(self.featurize(texts))
        return [(m.get("intent"), m.get("intent_ranking")) for m in messages]


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def _train(
    storage: LocalModelStorage,
    examples: list[tuple[str, str]],
    config: dict[str, Any] = CONFIG,
) -> tuple[ArrayLogisticRegressionClassifier, Pipeline]:
    training_data = TrainingData(
        [Message(data={"text": text, "intent": intent}) for text, intent in examples]
    )
    tokenizer = WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), storage, Resource("tokenizer"), CONTEXT
    )
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("featurizer"), CONTEXT
    )
    tokenizer.process_training_data(training_data)
    featurizer.train(training_data)
    featurizer.process_training_data(training_data)
    classifier = ArrayLogisticRegressionClassifier.create(config, storage, RESOURCE, CONTEXT)
    classifier.train(training_data)
    return classifier, Pipeline(tokenizer, featurizer)


def _training_data(examples: list[tuple[str, str]], pipeline: Pipeline) -> TrainingData:
    """The examples as the classifier receives them in training: tokenized and featurized."""
    messages = pipeline.featurize([text for text, _ in examples])
    for message, (_, intent) in zip(messages, examples, strict=True):
        message.set("intent", intent)
    return TrainingData(messages)


def equal_columns_of(features: Any) -> np.ndarray:
    from components.intent_classifier import equal_columns

    return equal_columns(features)[0]


def _load(storage: LocalModelStorage) -> ArrayLogisticRegressionClassifier:
    return ArrayLogisticRegressionClassifier.load(CONFIG, storage, RESOURCE, CONTEXT)


@pytest.mark.parametrize(
    "examples",
    [EXAMPLES, TWO_INTENTS],
    ids=["three-intents-multinomial", "two-intents-binary"],
)
def test_a_loaded_classifier_ranks_intents_exactly_as_the_trained_one(
    storage: LocalModelStorage, examples: list[tuple[str, str]]
) -> None:
    trained, pipeline = _train(storage, examples)
    expected = pipeline.predict(trained, QUESTIONS)

    loaded = _load(storage)

    assert loaded is not trained
    # Exact equality: the same coefficients, not merely close ones.
    assert pipeline.predict(loaded, QUESTIONS) == expected
    assert [intent["name"] for intent, _ in expected[:2]] == ["ask_calcium", "ask_medication"]


def test_the_stored_model_is_plain_arrays(storage: LocalModelStorage) -> None:
    trained, _ = _train(storage, EXAMPLES)

    with storage.read_from(RESOURCE) as directory:
        assert [path.name for path in directory.iterdir()] == [ARRAYS_FILE]
        # allow_pickle=False refuses object arrays: nothing in the file can run code.
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays:
            stored = {name: arrays[name] for name in arrays.files}

    assert set(stored) == {"coef", "intercept", "classes"}
    assert stored["classes"].tolist() == ["ask_calcium", "ask_medication", "greet"]
    np.testing.assert_array_equal(stored["coef"], trained.clf.coef_)
    np.testing.assert_array_equal(stored["intercept"], trained.clf.intercept_)


def test_it_is_stored_and_loaded_without_skops(
    storage: LocalModelStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A None entry in sys.modules makes any `import skops...` fail.
    monkeypatch.setitem(sys.modules, "skops", None)
    monkeypatch.setitem(sys.modules, "skops.io", None)

    trained, pipeline = _train(storage, EXAMPLES)
    loaded = _load(storage)

    assert pipeline.predict(loaded, QUESTIONS) == pipeline.predict(trained, QUESTIONS)


def test_a_loaded_classifier_keeps_its_configuration(storage: LocalModelStorage) -> None:
    _train(storage, EXAMPLES)

    loaded = _load(storage)

    assert loaded.clf.max_iter == 1000
    assert loaded.config == CONFIG


@pytest.mark.parametrize("written", [False, True], ids=["never-written", "written-empty"])
def test_loading_from_an_empty_resource_gives_an_untrained_classifier(
    storage: LocalModelStorage, written: bool
) -> None:
    if written:
        with storage.write_to(RESOURCE):
            pass

    loaded = _load(storage)

    assert isinstance(loaded, ArrayLogisticRegressionClassifier)
    with pytest.raises(NotFittedError):
        check_is_fitted(loaded.clf)


def test_the_feature_matrix_is_rasas_without_the_stacking(storage: LocalModelStorage) -> None:
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    trained, pipeline = _train(storage, EXAMPLES)
    for texts in (QUESTIONS[:1], QUESTIONS):
        messages = [Message(data={"text": text}) for text in texts]
        pipeline.tokenizer.process(messages)
        pipeline.featurizer.process(messages)

        ours = trained._create_X(messages)
        rasas = LogisticRegressionClassifier._create_X(trained, messages)

        assert ours.shape == rasas.shape
        assert (ours != rasas).nnz == 0
        assert np.array_equal(trained.clf.predict_proba(ours), trained.clf.predict_proba(rasas))


# ---- Training on the distinct columns only ---------------------------------------------------


def test_equal_columns_are_grouped_with_the_first_of_each_group() -> None:
    from scipy.sparse import csr_matrix

    from components.intent_classifier import equal_columns

    matrix = csr_matrix(
        np.array(
            [
                [1, 1, 0, 2, 1, 0],
                [0, 0, 1, 0, 0, 1],
                [1, 1, 0, 1, 1, 0],
            ]
        )
    )
    group_of, firsts = equal_columns(matrix)

    # Columns 0, 1 and 4 are equal, 2 and 5 are equal; 3 has other counts than 0.
    assert group_of.tolist() == [0, 0, 1, 2, 0, 1]
    assert firsts.tolist() == [0, 2, 3]


@pytest.mark.parametrize(
    "examples",
    [EXAMPLES, TWO_INTENTS],
    ids=["three-intents-multinomial", "two-intents-binary"],
)
def test_the_fit_on_distinct_columns_is_rasas_fit(
    tmp_path: Path, examples: list[tuple[str, str]]
) -> None:
    """Rasa's classifier fitted on every column and ours on one scaled copy of each group
    of equal columns reach the same optimum (to the tolerance asked of both)."""
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    config = {**CONFIG, "solver": "newton-cg", "tol": 1e-8}
    ours, pipeline = _train(LocalModelStorage(tmp_path), examples, config)
    features = ours._create_training_matrix(_training_data(examples, pipeline))[0]
    assert len(set(equal_columns_of(features))) < features.shape[1]  # there were copies

    rasas = LogisticRegressionClassifier(config, "rasa", LocalModelStorage(tmp_path), RESOURCE)
    rasas.clf.fit(features, [intent for _, intent in examples])

    np.testing.assert_allclose(ours.clf.coef_, rasas.clf.coef_, atol=1e-6)
    np.testing.assert_allclose(ours.clf.intercept_, rasas.clf.intercept_, atol=1e-6)
    questions = [text for text, _ in examples] + QUESTIONS
    ranked = [
        [entry["name"] for entry in ranking] for _, ranking in pipeline.predict(ours, questions)
    ]
    probabilities = rasas.clf.predict_proba(rasas._create_X(pipeline.featurize(questions)))
    assert ranked == [
        [rasas.clf.classes_[i] for i in np.argsort(-row, kind="stable")][: len(ranking)]
        for row, ranking in zip(probabilities, ranked, strict=True)
    ]


def test_equal_columns_get_equal_weights(storage: LocalModelStorage) -> None:
    trained, pipeline = _train(storage, EXAMPLES)
    features = trained._create_training_matrix(_training_data(EXAMPLES, pipeline))[0]
    group_of = equal_columns_of(features)

    for group in set(group_of):
        columns = np.flatnonzero(group_of == group)
        assert np.all(trained.clf.coef_[:, columns] == trained.clf.coef_[:, columns[:1]])


def _random_counts(rows: int, columns: int, seed: int = 7) -> Any:
    from scipy.sparse import random as sparse_random

    generator = np.random.default_rng(seed)
    matrix = sparse_random(rows, columns, density=0.05, format="csr", random_state=generator)
    matrix.data = np.ceil(matrix.data * 3)
    return matrix


@pytest.mark.parametrize("parts", [1, 2, 3])
def test_threaded_products_are_the_plain_products_bit_for_bit(parts: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from components.intent_classifier import ThreadedProducts

    matrix = _random_counts(101, 57)
    generator = np.random.default_rng(1)
    right = generator.standard_normal((57, 5))
    left = generator.standard_normal((5, 101))
    with ThreadPoolExecutor(2) as pool:
        threaded = ThreadedProducts.split(matrix, pool, parts)
        assert np.array_equal(threaded @ right, matrix @ right)
        assert np.array_equal(left @ threaded, left @ matrix)
        assert np.array_equal(threaded @ right[:, 0], matrix @ right[:, 0])  # 1-D: scipy's
    # A copy scipy makes (a slice) multiplies as a plain matrix, without the pool.
    assert np.array_equal(threaded[:50] @ right, matrix[:50] @ right)


def test_a_fit_with_threaded_products_is_the_plain_fit_bit_for_bit() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sklearn.linear_model import LogisticRegression

    from components.intent_classifier import ThreadedProducts

    matrix = _random_counts(300, 80)
    labels = np.random.default_rng(3).integers(0, 4, size=300)
    settings = {"solver": "newton-cg", "class_weight": "balanced", "max_iter": 1000}

    class CountingPool(ThreadPoolExecutor):
        calls = 0

        def map(self, *args: Any, **kwargs: Any) -> Any:
            CountingPool.calls += 1
            return super().map(*args, **kwargs)

    plain = LogisticRegression(**settings).fit(matrix, labels)
    with CountingPool(2) as pool:
        threaded = LogisticRegression(**settings).fit(
            ThreadedProducts.split(matrix, pool, 2), labels
        )

    assert CountingPool.calls > 2 * threaded.n_iter_[0]  # the products did run in the pool
    assert np.array_equal(threaded.coef_, plain.coef_)
    assert np.array_equal(threaded.intercept_, plain.intercept_)
