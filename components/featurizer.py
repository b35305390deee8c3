"""Rasa's CountVectorsFeaturizer, computing only the sentence features, all messages at once.

Rasa's featurizer counts words (or character n-grams) twice per message: once per token
(sequence features, for DIET's transformer and CRF entity extraction) and once for the
whole sentence. This pipeline's classifier reads only the sentence features and its
entities come from lookup tables, so the per-token counts were computed for nothing:
about half of the featurizers' time, in training and for every message. Sentence
features are exactly Rasa's.

Rasa also calls scikit-learn's vectorizer once per message; in training that is
thousands of calls, each with scikit-learn's checks around a few microseconds of
counting. The texts of all the messages given are counted in one call here, and each
message gets its own row: the same counts (BENCHMARKS.md, "Training").
"""

from __future__ import annotations

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import coo_matrix, spmatrix


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectorsFeaturizer(CountVectorsFeaturizer):
    @staticmethod
    def required_components() -> list[type]:
        return [Tokenizer]

    def _create_features(
        self, attribute: str, all_tokens: list[list[str]]
    ) -> tuple[list[spmatrix | None], list[spmatrix | None]]:
        if attribute != TEXT or not self.vectorizers.get(attribute):
            return super()._create_features(attribute, all_tokens)
        texts = [" ".join(tokens) for tokens in all_tokens if tokens]
        if not texts:
            return [None] * len(all_tokens), [None] * len(all_tokens)
        counts = self.vectorizers[attribute].transform(texts)
        counts.sort_indices()
        sentence_features: list[spmatrix | None] = []
        row = 0
        for tokens in all_tokens:
            if not tokens:
                sentence_features.append(None)
                continue
            # The row as a 1 x vocabulary COO matrix, as Rasa's `transform(...).tocoo()`
            # makes it, without scipy's slicing (most of the time per message).
            start, end = counts.indptr[row], counts.indptr[row + 1]
            columns = counts.indices[start:end]
            sentence_features.append(
                coo_matrix(
                    (counts.data[start:end], (np.zeros_like(columns), columns)),
                    shape=(1, counts.shape[1]),
                )
            )
            row += 1
        return [None] * len(all_tokens), sentence_features

    def process(self, messages: list[Message]) -> list[Message]:
        """Rasa's `process`, with the text's features computed for all messages at once."""
        if not self.vectorizers or not self.vectorizers.get(TEXT) or TEXT not in self._attributes:
            return super().process(messages)
        _, text_features = self._create_features(
            TEXT, [self._get_processed_message_tokens_by_attribute(m, TEXT) for m in messages]
        )
        for message, sentence in zip(messages, text_features, strict=True):
            for attribute in self._attributes:
                if attribute == TEXT:
                    self.add_features_to_message(None, sentence, attribute, message)
                    continue
                tokens = self._get_processed_message_tokens_by_attribute(message, attribute)
                sequence_features, sentence_features = self._create_features(attribute, [tokens])
                self.add_features_to_message(
                    sequence_features[0], sentence_features[0], attribute, message
                )
        return messages
