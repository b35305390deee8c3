"""Rasa's CountVectorsFeaturizer, computing only the sentence features.

Rasa's featurizer counts words (or character n-grams) twice per message: once per token
(sequence features, for DIET's transformer and CRF entity extraction) and once for the
whole sentence. This pipeline's classifier reads only the sentence features and its
entities come from lookup tables, so the per-token counts were computed for nothing:
about half of the featurizers' time, in training and for every message. Sentence
features are exactly Rasa's.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from scipy.sparse import spmatrix


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
        sentence_features: list[spmatrix | None] = []
        for tokens in all_tokens:
            if not tokens:
                sentence_features.append(None)
                continue
            vector = self.vectorizers[attribute].transform([" ".join(tokens)])
            vector.sort_indices()
            sentence_features.append(vector.tocoo())
        return [None] * len(all_tokens), sentence_features
