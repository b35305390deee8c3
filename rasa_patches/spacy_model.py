"""spaCy's model loaded once per process, not once per node of Rasa's graph.

Rasa's graph has two `SpacyNLP` nodes, one that provides the spaCy model to the
components and one that processes messages with the model the first provides; each
loads the model on its own (`SpacyNLP.create` → `load_model`), so a process loads it
twice: twice the time and twice the lookup tables in memory, at every start and every
training (BENCHMARKS.md, "Without TensorFlow"). Here the model is loaded once per name and
the same one is handed to both; spaCy's `Language` is not changed by either node.
"""

from __future__ import annotations

import functools

from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP

_stock_load_model = SpacyNLP.load_model


@functools.cache
def load_model(spacy_model_name: str) -> SpacyModel:
    return _stock_load_model(spacy_model_name)


def apply() -> None:
    SpacyNLP.load_model = staticmethod(load_model)
