"""`rasa train` parses the training data once, not four times.

Rasa 3.6's `rasa train` checks the data with one importer (`rasa.cli.utils.validate_files`)
and then trains with a second one it builds from the same paths (`rasa.model_training.train`),
and each of them parses the NLU files twice: `CombinedDataImporter.get_nlu_data` is cached
on its arguments as given, and `ResponsesSyncImporter` asks it once as `get_nlu_data("en")`
and once as `get_nlu_data()` (for the domain), two entries for the same data. Reading the
NLU files was most of the time `rasa train` spent on its own validation (BENCHMARKS.md,
"Training").

- `CombinedDataImporter.get_nlu_data` passes the language on as given or as its default
  ("en", the default everywhere), positionally, so both calls find one cached result.
  That result is only read: ResponsesSyncImporter reads its responses and retrieval
  intents, and merges it into a deep copy.
- While `rasa train` runs (`rasa.cli.train.run_training`), the training gets the importer
  that validation loaded from the same config, domain and data paths, with what it has
  already read. The validator only reads the data, and the training asks the importer
  for it before training exactly as it asked its own; the training graph's NLU data is a
  merged copy, as before. When the config names importers of its own (`importers:`), each
  call builds its own, as stock Rasa does: their constructors may take the training
  arguments, which validation does not pass.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import rasa.cli.train
import rasa.shared.utils.io
from rasa.shared.importers.importer import CombinedDataImporter, TrainingDataImporter
from rasa.shared.nlu.training_data.training_data import TrainingData

_stock_get_nlu_data = CombinedDataImporter.get_nlu_data
_stock_load_from_config = TrainingDataImporter.load_from_config
_stock_run_training = rasa.cli.train.run_training


def get_nlu_data(self: CombinedDataImporter, language: str | None = "en") -> TrainingData:
    result: TrainingData = _stock_get_nlu_data(self, language)
    return result


Paths = tuple[str | None, str | None, tuple[str, ...] | None]


def _paths(
    config_path: Any, domain_path: Any = None, training_data_paths: Any = None, args: Any = None
) -> Paths:
    """What an importer is loaded from (the training arguments aside)."""
    if isinstance(training_data_paths, str | bytes):
        training_data_paths = [training_data_paths]
    return (
        None if config_path is None else str(config_path),
        None if domain_path is None else str(domain_path),
        None if training_data_paths is None else tuple(str(p) for p in training_data_paths),
    )


@contextmanager
def one_importer_per_data() -> Iterator[dict[Paths, TrainingDataImporter]]:
    """Within the block, `load_from_config` returns the importer it already loaded from the
    same paths, if the config names no importers of its own. Yields the importers loaded."""
    loaded: dict[Paths, TrainingDataImporter] = {}

    def load_from_config(*args: Any, **kwargs: Any) -> TrainingDataImporter:
        paths = _paths(*args, **kwargs)
        if paths in loaded:
            return loaded[paths]
        importer: TrainingDataImporter = _stock_load_from_config(*args, **kwargs)
        config_path = paths[0]
        if config_path and not rasa.shared.utils.io.read_config_file(config_path).get("importers"):
            loaded[paths] = importer
        return importer

    TrainingDataImporter.load_from_config = staticmethod(load_from_config)
    try:
        yield loaded
    finally:
        TrainingDataImporter.load_from_config = staticmethod(_stock_load_from_config)


def run_training(args: argparse.Namespace, can_exit: bool = False) -> str | None:
    with one_importer_per_data():
        model: str | None = _stock_run_training(args, can_exit)
        return model


def apply() -> None:
    CombinedDataImporter.get_nlu_data = get_nlu_data
    rasa.cli.train.run_training = run_training
