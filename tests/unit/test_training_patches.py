"""The fixes to `rasa train` (rasa_patches/training_data.py, rasa_patches/training_cache.py):
the data is parsed once and, with the training cache off, nothing is fingerprinted; the
model trained is the one stock Rasa trains, and broken data still stops the training.

Each test trains a small project of its own (two intents, two rules) in a temporary folder,
with the fixes or with Rasa's own methods put back, whatever the session applied before.
"""

from __future__ import annotations

import functools
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import rasa.cli.train
import rasa.shared.importers.utils
from rasa.engine.caching import LocalTrainingCache
from rasa.engine.training import fingerprinting
from rasa.engine.training.graph_trainer import GraphTrainer
from rasa.engine.training.hooks import TrainingHook
from rasa.shared.importers.importer import CombinedDataImporter, TrainingDataImporter

from rasa_patches import training_cache, training_data

CONFIG = """\
recipe: default.v1
language: en
assistant_id: training-patches-test
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: KeywordIntentClassifier
policies:
  - name: RulePolicy
"""
DOMAIN = """\
version: "3.1"
intents: [greet, goodbye]
responses:
  utter_greet: [{text: "Hello!"}]
  utter_goodbye: [{text: "Bye!"}]
"""
NLU = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - hi there
- intent: goodbye
  examples: |
    - bye
    - see you later
"""
RULES = """\
version: "3.1"
rules:
- rule: greet
  steps: [{intent: greet}, {action: utter_greet}]
- rule: goodbye
  steps: [{intent: goodbye}, {action: %s}]
"""

# What the fixes replace: (owner, name, Rasa's own, the fix's).
REPLACED: list[tuple[Any, str, Any, Any]] = [
    (
        CombinedDataImporter,
        "get_nlu_data",
        training_data._stock_get_nlu_data,
        training_data.get_nlu_data,
    ),
    (rasa.cli.train, "run_training", training_data._stock_run_training, training_data.run_training),
    (
        TrainingHook,
        "on_before_node",
        training_cache._stock_on_before_node,
        training_cache.on_before_node,
    ),
    (
        TrainingHook,
        "on_after_node",
        training_cache._stock_on_after_node,
        training_cache.on_after_node,
    ),
    (GraphTrainer, "train", training_cache._stock_train, training_cache.train),
]


def _use(monkeypatch: pytest.MonkeyPatch, fixed: bool) -> None:
    for owner, name, stock, fix in REPLACED:
        monkeypatch.setattr(owner, name, fix if fixed else stock)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "config.yml").write_text(CONFIG, "utf-8")
    (tmp_path / "domain.yml").write_text(DOMAIN, "utf-8")
    (tmp_path / "data" / "nlu.yml").write_text(NLU, "utf-8")
    (tmp_path / "data" / "rules.yml").write_text(RULES % "utter_goodbye", "utf-8")
    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "false")
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _train(project: Path, name: str) -> Path:
    from rasa.__main__ import create_argument_parser

    args = create_argument_parser().parse_args(
        [
            *("train", "--config", str(project / "config.yml")),
            *("--domain", str(project / "domain.yml"), "--data", str(project / "data")),
            *("--out", str(project / "models"), "--fixed-model-name", name, "--quiet"),
        ]
    )
    model = rasa.cli.train.run_training(args, can_exit=True)
    assert model is not None
    return Path(model)


def _contents(model: Path) -> dict[str, Any]:
    """The model's files, without what differs between any two trainings of stock Rasa: its
    id and time, the random ids of its resources, and the order of a list RulePolicy
    makes from a set."""
    files: dict[str, Any] = {}
    with tarfile.open(model) as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            data = archive.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.endswith(".json"):
                content = json.loads(data)
                if member.name.endswith("metadata.json"):
                    for key in ("trained_at", "model_id"):
                        content.pop(key)
                    for schema in ("train_schema", "predict_schema"):
                        for node in content[schema]["nodes"].values():
                            (node.get("resource") or {}).pop("output_fingerprint", None)
                if member.name.endswith("rule_policy.json"):
                    content["lookup"]["rules_not_in_stories"].sort()
                files[member.name] = content
            else:
                files[member.name] = data
    return files


def _counting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    calls = [0]
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)  # Rasa reads the signatures of graph components' methods
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


# ---- The training data, parsed once ---------------------------------------------------------


@pytest.mark.parametrize("cache_size", ["0", "1000"], ids=["cache-off", "cache-on"])
def test_the_model_is_the_one_stock_rasa_trains(
    project: Path, monkeypatch: pytest.MonkeyPatch, cache_size: str
) -> None:
    monkeypatch.setenv("RASA_MAX_CACHE_SIZE", cache_size)
    _use(monkeypatch, fixed=False)
    stock = _contents(_train(project, "stock"))

    _use(monkeypatch, fixed=True)
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(project / "another-cache"))  # none restored
    fixed = _contents(_train(project, "fixed"))

    assert fixed == stock


@pytest.mark.parametrize(("fixed", "parses"), [(False, 4), (True, 1)], ids=["stock", "fixed"])
def test_rasa_train_parses_the_nlu_files_once(
    project: Path, monkeypatch: pytest.MonkeyPatch, fixed: bool, parses: int
) -> None:
    _use(monkeypatch, fixed)
    calls = _counting(monkeypatch, rasa.shared.importers.utils, "training_data_from_paths")

    _train(project, "model")

    assert calls[0] == parses  # stock: twice for validation, twice for training


@pytest.mark.parametrize("fixed", [False, True], ids=["stock", "fixed"])
def test_data_that_fails_validation_still_stops_the_training(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, fixed: bool
) -> None:
    _use(monkeypatch, fixed)
    (project / "data" / "rules.yml").write_text(RULES % "action_not_in_the_domain", "utf-8")

    with (
        pytest.warns(UserWarning, match="'action_not_in_the_domain' is used in the 'goodbye'"),
        pytest.raises(SystemExit) as stopped,
    ):
        _train(project, "model")

    assert stopped.value.code == 1
    assert "Project validation completed with errors" in capsys.readouterr().out
    assert not (project / "models" / "model.tar.gz").exists()


def test_one_importer_is_loaded_per_config_domain_and_data(project: Path) -> None:
    config, domain, data = (str(project / n) for n in ("config.yml", "domain.yml", "data"))
    load = TrainingDataImporter.load_from_config
    with training_data.one_importer_per_data():
        first = TrainingDataImporter.load_from_config(config, domain, [data], {"epochs": 1})
        # As validation asks for it: by keyword, no training arguments.
        same = TrainingDataImporter.load_from_config(
            domain_path=domain, training_data_paths=[data], config_path=config
        )
        other = TrainingDataImporter.load_from_config(config, None, [data])
    after = TrainingDataImporter.load_from_config(config, domain, [data])

    assert same is first
    assert other is not first
    assert after is not first
    assert TrainingDataImporter.load_from_config is load


def test_a_config_that_names_importers_gets_one_per_call(project: Path) -> None:
    config = project / "config.yml"
    config.write_text(CONFIG + "importers:\n  - name: RasaFileImporter\n", "utf-8")
    paths = (str(config), str(project / "domain.yml"), [str(project / "data")])
    with training_data.one_importer_per_data():
        first = TrainingDataImporter.load_from_config(*paths)
        second = TrainingDataImporter.load_from_config(*paths)

    assert second is not first


def test_nlu_data_asked_with_or_without_the_language_is_parsed_once(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use(monkeypatch, fixed=True)
    calls = _counting(monkeypatch, rasa.shared.importers.utils, "training_data_from_paths")
    from rasa.shared.importers.rasa import RasaFileImporter

    importer = CombinedDataImporter(
        [RasaFileImporter("config.yml", "domain.yml", [str(project / "data")])]
    )

    assert importer.get_nlu_data() is importer.get_nlu_data("en")
    assert calls[0] == 1
    assert importer.get_nlu_data("de") is not importer.get_nlu_data()


# ---- No fingerprints when the training cache is off ------------------------------------------


@pytest.mark.parametrize(
    ("fixed", "cache_size", "fingerprinted"),
    [(False, "0", True), (True, "0", False), (True, "1000", True)],
    ids=["stock-cache-off", "fixed-cache-off", "fixed-cache-on"],
)
def test_the_training_is_fingerprinted_only_for_a_cache_that_is_on(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    fixed: bool,
    cache_size: str,
    fingerprinted: bool,
) -> None:
    monkeypatch.setenv("RASA_MAX_CACHE_SIZE", cache_size)
    _use(monkeypatch, fixed)
    # Fingerprint keys (of each node's inputs, in the fingerprint run and before each node)
    # and the outputs' fingerprints, handed to the cache after each node.
    keys = _counting(monkeypatch, fingerprinting, "calculate_fingerprint_key")
    outputs = _counting(monkeypatch, LocalTrainingCache, "cache_output")
    fingerprint_runs = _counting(monkeypatch, GraphTrainer, "fingerprint")

    _train(project, "model")

    assert (keys[0] > 0) == fingerprinted
    assert (outputs[0] > 0) == fingerprinted
    assert (fingerprint_runs[0] > 0) == fingerprinted
    assert (project / "cache").exists() == (cache_size != "0")


def test_with_the_cache_on_a_second_training_is_restored_from_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache still works when it is on: the fixes leave it to Rasa."""
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
        CountVectorsFeaturizer,
    )

    monkeypatch.setenv("RASA_MAX_CACHE_SIZE", "1000")
    _use(monkeypatch, fixed=True)
    first = _contents(_train(project, "first"))
    trained = _counting(monkeypatch, CountVectorsFeaturizer, "train")

    second = _contents(_train(project, "second"))

    assert second == first
    assert trained[0] == 0


def test_the_launcher_applies_both_fixes(rasa_fixes: None) -> None:
    assert CombinedDataImporter.get_nlu_data is training_data.get_nlu_data
    assert rasa.cli.train.run_training is training_data.run_training
    assert TrainingHook.on_before_node is training_cache.on_before_node
    assert TrainingHook.on_after_node is training_cache.on_after_node
    assert GraphTrainer.train is training_cache.train
