"""Send unsure topic predictions that contain never-seen words to the fallback.

A bag-of-words classifier reads "how much vitamin D should I give my toddler?" as the
vitamin D dose question: "toddler" carries no weight at all, so the answer would be
the adult dose. Content words that no in-scope training example (nor the knowledge
documents, nor the entity lookup tables) contains are the mark of questions the
article does not cover: in 5-fold cross-validation on the training data 83% of
out-of-scope examples had one, against 16% of topic questions.

So when a prediction of a topic intent is below `threshold` and the message has such
a word (a typo within one edit of a known word does not count), this component turns
the prediction into `nlu_fallback`, which the retrieval action answers only when the
article really matches, and otherwise declines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.lang.en.stop_words import STOP_WORDS

VOCABULARY_FILE = "vocabulary.json"
_WORD = re.compile(r"[^\W\d_]+")  # letters only, any script


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours apart (or equal)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


class Vocabulary:
    """Known words, with one-edit tolerance for typos (a deletion-neighbourhood index
    finds the candidates, `within_one_edit` confirms them)."""

    def __init__(self, words: Iterable[str], min_length: int = 3) -> None:
        self.words = frozenset(w.lower() for w in words)
        self.min_length = min_length
        self._by_deletion: dict[str, set[str]] = {}
        for word in self.words:
            if len(word) >= 4:
                for key in _deletions(word) | {word}:
                    self._by_deletion.setdefault(key, set()).add(word)

    def knows(self, word: str) -> bool:
        word = word.lower()
        if word in self.words:
            return True
        if len(word) < 3:
            return False
        keys = _deletions(word) | {word} if len(word) >= 4 else {word}
        candidates = set().union(*(self._by_deletion.get(k, set()) for k in keys))
        return any(within_one_edit(word, c) for c in candidates)

    def unknown(self, words: Iterable[tuple[str, str]]) -> list[str]:
        """The content words (given as (text, lemma) pairs) it does not know."""
        return [
            text
            for text, lemma in words
            if len(text) >= self.min_length
            and text.lower() not in STOP_WORDS
            and _WORD.fullmatch(text)
            and not self.knows(text)
            and not self.knows(lemma)
        ]


def _message_words(message: Message) -> list[tuple[str, str]]:
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return [(t.text, t.lemma or t.text) for t in tokens]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnknownWordGate(GraphComponent, IntentClassifier):
    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Topic predictions at or above this confidence are trusted as they are.
            "threshold": 0.6,
            # Intents never sent to the fallback (safety, chit-chat, declines).
            "exempt_intents": [],
            # Intents whose examples do not teach the vocabulary.
            "vocabulary_excludes_intents": ["out_of_scope"],
            # Folders whose *.md documents add to the vocabulary.
            "documents": [],
            "min_word_length": 3,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary or Vocabulary((), self.config["min_word_length"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownWordGate:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        excluded = set(self.config["vocabulary_excludes_intents"])
        words: set[str] = set()
        for example in training_data.intent_examples:
            if example.get(INTENT) not in excluded:
                for text, lemma in _message_words(example):
                    words |= {text.lower(), lemma.lower()}
        for table in training_data.lookup_tables:
            for element in table.get("elements") or []:
                words |= {w.lower() for w in _WORD.findall(str(element))}
        for folder in self.config["documents"]:
            for path in sorted(Path(folder).glob("*.md")):
                words |= {w.lower() for w in _WORD.findall(path.read_text("utf-8"))}
        self.vocabulary = Vocabulary(words, self.config["min_word_length"])
        with self._model_storage.write_to(self._resource) as directory:
            rasa.shared.utils.io.dump_obj_as_json_to_file(
                directory / VOCABULARY_FILE, sorted(words)
            )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordGate:
        merged = {**cls.get_default_config(), **config}
        with model_storage.read_from(resource) as directory:
            words = rasa.shared.utils.io.read_json_file(directory / VOCABULARY_FILE)
        return cls(config, model_storage, resource, Vocabulary(words, merged["min_word_length"]))

    def process(self, messages: list[Message]) -> list[Message]:
        exempt = set(self.config["exempt_intents"]) | {DEFAULT_NLU_FALLBACK_INTENT_NAME}
        for message in messages:
            intent = message.get(INTENT) or {}
            name = intent.get(INTENT_NAME_KEY)
            confidence = intent.get(PREDICTED_CONFIDENCE_KEY) or 0.0
            if name is None or name in exempt or confidence >= self.config["threshold"]:
                continue
            if not self.vocabulary.unknown(_message_words(message)):
                continue
            fallback = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: confidence,
            }
            message.set(INTENT, fallback, add_to_output=True)
            ranking = message.get(INTENT_RANKING_KEY) or []
            message.set(INTENT_RANKING_KEY, [fallback, *ranking], add_to_output=True)
        return messages
