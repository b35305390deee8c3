"""No training-cache fingerprints when the training cache is off.

`rasa train` keeps a cache of what each node of the training graph produced
(`.rasa/cache`), so that a later training on the same data and config can reuse it. To
fill it, Rasa fingerprints every node's inputs before the node runs and its output after
(`TrainingHook`): the fingerprints of the training data hash every message with its tokens
and features again after each node, those of the training trackers every event. To use it,
it first runs the graph once in "fingerprint mode" to find what the cache holds. With the
cache off (`RASA_MAX_CACHE_SIZE=0`) it still does all of that and then throws the
fingerprints away (their cost: BENCHMARKS.md, "Training").

With the cache off nothing can be found in it and nothing is stored in it, so here:
- `TrainingHook` computes no fingerprints;
- `GraphTrainer.train` skips the fingerprint run and trains every node, as
  `rasa train --force` does, which is what the run would have found: no cached output.

Nothing else reads these fingerprints: fine-tuning (`--finetune`) compares fingerprints of
its own (FinetuningValidator, a node of the graph), and the model's metadata holds none.
With the cache on, all of it is Rasa's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.caching import LocalTrainingCache, TrainingCache
from rasa.engine.graph import ExecutionContext, GraphModelConfiguration
from rasa.engine.storage.storage import ModelMetadata
from rasa.engine.training.graph_trainer import GraphTrainer
from rasa.engine.training.hooks import TrainingHook
from rasa.shared.importers.importer import TrainingDataImporter

_stock_on_before_node = TrainingHook.on_before_node
_stock_on_after_node = TrainingHook.on_after_node
_stock_train = GraphTrainer.train


def cache_is_off(cache: TrainingCache) -> bool:
    """Whether the cache stores nothing and so finds nothing (RASA_MAX_CACHE_SIZE=0)."""
    return isinstance(cache, LocalTrainingCache) and cache._is_disabled()


def on_before_node(
    self: TrainingHook,
    node_name: str,
    execution_context: ExecutionContext,
    config: dict[str, Any],
    received_inputs: dict[str, Any],
) -> dict:
    if cache_is_off(self._cache):
        return {}
    result: dict = _stock_on_before_node(
        self, node_name, execution_context, config, received_inputs
    )
    return result


def on_after_node(
    self: TrainingHook,
    node_name: str,
    execution_context: ExecutionContext,
    config: dict[str, Any],
    output: Any,
    input_hook_data: dict,
) -> None:
    if cache_is_off(self._cache):
        return
    _stock_on_after_node(self, node_name, execution_context, config, output, input_hook_data)


def train(
    self: GraphTrainer,
    model_configuration: GraphModelConfiguration,
    importer: TrainingDataImporter,
    output_filename: Path,
    force_retraining: bool = False,
    is_finetuning: bool = False,
) -> ModelMetadata:
    metadata: ModelMetadata = _stock_train(
        self,
        model_configuration,
        importer,
        output_filename,
        force_retraining=force_retraining or cache_is_off(self._cache),
        is_finetuning=is_finetuning,
    )
    return metadata


def apply() -> None:
    TrainingHook.on_before_node = on_before_node
    TrainingHook.on_after_node = on_after_node
    GraphTrainer.train = train
