"""The sentence-only featurizer (components/featurizer.py): the same sentence features as
Rasa's CountVectorsFeaturizer, whether the messages come one at a time or all at once, and
the classifier reads them (components/intent_classifier.py) as Rasa's would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.featurizer import SentenceCountVectorsFeaturizer
from components.intent_classifier import ArrayLogisticRegressionClassifier

CONTEXT = ExecutionContext(GraphSchema({}), "test")
TRAINING = [
    ("how much calcium do I need", "ask_calcium"),
    ("calcium dose per day", "ask_calcium"),
    ("does fosamax cause hair loss", "ask_medication"),
    ("can alendronate thin my hair", "ask_medication"),
    ("hello there", "greet"),
]
# Seen and unseen words, a repeated word, punctuation only, an empty text, and a message
# without text (like those Rasa's importer adds from the stories: an intent, no text).
TEXTS: list[str | None] = [
    "calcium per day",
    None,
    "hair hair hair loss",
    "zzz qqq",
    "?!",
    "",
    None,
    "hello",
]
WORDS: dict[str, Any] = {}
CHARACTERS: dict[str, Any] = {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4}


def _messages(texts: list[str | None], tokenizer: WhitespaceTokenizer) -> list[Message]:
    messages = [Message(data={} if text is None else {"text": text}) for text in texts]
    tokenizer.process(messages)
    return messages


def _trained(
    cls: type[CountVectorsFeaturizer], config: dict[str, Any], tmp_path: Path
) -> tuple[CountVectorsFeaturizer, WhitespaceTokenizer]:
    tmp_path.mkdir(exist_ok=True)
    storage = LocalModelStorage(tmp_path)
    tokenizer = WhitespaceTokenizer.create(
        WhitespaceTokenizer.get_default_config(), storage, Resource("tokenizer"), CONTEXT
    )
    training_data = TrainingData(
        [Message(data={"text": text, "intent": intent}) for text, intent in TRAINING]
    )
    tokenizer.process_training_data(training_data)
    featurizer = cls.create(
        {**cls.get_default_config(), **config}, storage, Resource(f"{cls.__name__}"), CONTEXT
    )
    featurizer.train(training_data)
    return featurizer, tokenizer


def _sentence(message: Message) -> Any:
    features = message.get_sparse_features("text")[1]
    return None if features is None else features.features


@pytest.mark.parametrize("config", [WORDS, CHARACTERS], ids=["words", "characters"])
def test_the_sentence_features_are_rasas(tmp_path: Path, config: dict[str, Any]) -> None:
    ours, tokenizer = _trained(SentenceCountVectorsFeaturizer, config, tmp_path / "ours")
    rasas, _ = _trained(CountVectorsFeaturizer, config, tmp_path / "rasa")

    together = ours.process(_messages(TEXTS, tokenizer))
    one_by_one = [ours.process(_messages([text], tokenizer))[0] for text in TEXTS]
    stock = rasas.process(_messages(TEXTS, tokenizer))

    for mine, alone, theirs in zip(together, one_by_one, stock, strict=True):
        expected = _sentence(theirs)
        for got in (_sentence(mine), _sentence(alone)):
            if expected is None:
                assert got is None
                continue
            assert got.format == expected.format == "coo"
            assert got.shape == expected.shape and got.dtype == expected.dtype
            assert (got.row.dtype, got.col.dtype) == (expected.row.dtype, expected.col.dtype)
            assert (got != expected).nnz == 0
        # Sentence features only: no sequence features.
        assert mine.get_sparse_features("text")[0] is None


def test_the_classifier_reads_both_featurizers_as_rasa_does(tmp_path: Path) -> None:
    words, tokenizer = _trained(SentenceCountVectorsFeaturizer, WORDS, tmp_path / "w")
    characters, _ = _trained(SentenceCountVectorsFeaturizer, CHARACTERS, tmp_path / "c")
    messages = _messages([text for text in TEXTS if text and text.strip()], tokenizer)
    words.process(messages)
    characters.process(messages)
    classifier = ArrayLogisticRegressionClassifier.create(
        ArrayLogisticRegressionClassifier.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("classifier"),
        CONTEXT,
    )

    ours = classifier._create_X(messages)
    rasas = LogisticRegressionClassifier._create_X(classifier, messages)

    assert ours.shape == rasas.shape
    assert ours.shape[1] == len(words.vectorizers["text"].vocabulary_) + len(
        characters.vectorizers["text"].vocabulary_
    )
    assert (ours != rasas).nnz == 0
    assert np.array_equal(ours.toarray(), rasas.toarray())
