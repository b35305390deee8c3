"""The patch layer (rasa_patches/): guarded, explicit, and TensorFlow only where needed.

- The fixes refuse any Rasa but the one they were written for, and STOCK_RASA=1 skips
  them; nothing is applied by importing the project's packages.
- Whether a command needs TensorFlow is read from the model's metadata or the config,
  before anything of Rasa is imported: DIET, TED and the other TensorFlow components (or a
  custom component built on them) need it; this project's graph does not.
- The placeholder stands in for what Rasa touches while importing and starting, and
  anything that would compute with TensorFlow raises an error that names the component
  and the switch. The placeholder checks run in a fresh interpreter, since it must be in
  place before Rasa is imported.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path
from typing import Any

import pytest

import rasa_patches
from rasa_patches import tensorflow_needed
from rasa_patches.__main__ import choose_tensorflow
from rasa_patches.tensorflow_needed import (
    RASA_TENSORFLOW_COMPONENTS,
    component_needs_tensorflow,
    config_decision,
    decide,
    imports_tensorflow_directly,
    model_decision,
    module_imports,
)
from tests.conftest import PROJECT_DIR

# ---- The guard -------------------------------------------------------------------------------


def test_the_fixes_refuse_another_rasa_version() -> None:
    with pytest.raises(rasa_patches.UnsupportedRasaVersion, match="STOCK_RASA=1"):
        rasa_patches.apply(version="3.7.0")


def test_the_installed_rasa_is_the_one_the_fixes_were_written_for() -> None:
    rasa_patches.check_version()


def test_stock_rasa_runs_without_the_fixes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOCK_RASA", "1")
    assert rasa_patches.apply() is False


def test_importing_the_projects_packages_applies_nothing() -> None:
    code = (
        "import components, channels, rasa_patches, rasa_patches.tensorflow_needed\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "assert RemoteAction.run.__module__ == 'rasa.core.actions.action', RemoteAction.run\n"
        "assert 'rasa_patches.action_calls' not in __import__('sys').modules\n"
    )
    _python(code)


# ---- Does the graph need TensorFlow? -----------------------------------------------------------


def _model(path: Path, classes: list[str]) -> Path:
    """A model archive whose metadata names these node classes (nothing else inside)."""
    nodes = {f"node{i}": {"uses": name} for i, name in enumerate(classes)}
    metadata = json.dumps({"train_schema": {"nodes": nodes}, "predict_schema": {"nodes": {}}})
    with tarfile.open(path, "w:gz") as archive:
        data = metadata.encode()
        info = tarfile.TarInfo("metadata.json")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


def _config(path: Path, pipeline: list[str], policies: list[str]) -> Path:
    lines = ["recipe: default.v1", "language: en", "pipeline:"]
    lines += [f"  - name: {name}" for name in pipeline]
    lines += ["policies:"] + [f"  - name: {name}" for name in policies]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


PROJECT_PIPELINE = [
    "rasa.nlu.utils.spacy_utils.SpacyNLP",
    "rasa.nlu.tokenizers.spacy_tokenizer.SpacyTokenizer",
    "components.featurizer.SentenceCountVectorsFeaturizer",
    "components.intent_classifier.ArrayLogisticRegressionClassifier",
    "components.blank_message.BlankMessageClassifier",
    "components.emergency_guard.EmergencyGuard",
    "rasa.nlu.classifiers.fallback_classifier.FallbackClassifier",
    "rasa.core.policies.rule_policy.RulePolicy",
    "rasa.graph_components.validators.default_recipe_validator.DefaultV1RecipeValidator",
    "rasa.core.policies.ensemble.DefaultPolicyPredictionEnsemble",
]


def test_this_projects_graph_needs_no_tensorflow(tmp_path: Path) -> None:
    model = _model(tmp_path / "ours.tar.gz", PROJECT_PIPELINE)
    assert not model_decision(model, PROJECT_DIR).needs_tensorflow
    assert not config_decision(PROJECT_DIR / "config.yml", PROJECT_DIR).needs_tensorflow


@pytest.mark.parametrize(
    "component",
    [
        "rasa.nlu.classifiers.diet_classifier.DIETClassifier",
        "rasa.core.policies.ted_policy.TEDPolicy",
        "rasa.core.policies.unexpected_intent_policy.UnexpecTEDIntentPolicy",
        "rasa.nlu.selectors.response_selector.ResponseSelector",
    ],
)
def test_a_model_with_a_tensorflow_component_needs_it(tmp_path: Path, component: str) -> None:
    model = _model(tmp_path / "m.tar.gz", [*PROJECT_PIPELINE, component])
    decision = model_decision(model, PROJECT_DIR)
    assert decision.needs_tensorflow
    assert component in decision.reason


@pytest.mark.parametrize(
    ("pipeline", "policies"),
    [
        (["WhitespaceTokenizer", "CountVectorsFeaturizer", "DIETClassifier"], ["RulePolicy"]),
        (["WhitespaceTokenizer", "LogisticRegressionClassifier"], ["RulePolicy", "TEDPolicy"]),
        (["WhitespaceTokenizer", "ResponseSelector"], ["RulePolicy"]),
        (["LanguageModelFeaturizer"], ["RulePolicy"]),
        ([], ["RulePolicy"]),  # Rasa fills in its default pipeline: DIET
        (["WhitespaceTokenizer", "LogisticRegressionClassifier"], []),  # default policies: TED
    ],
)
def test_a_config_with_a_tensorflow_component_needs_it(
    tmp_path: Path, pipeline: list[str], policies: list[str]
) -> None:
    config = _config(tmp_path / "config.yml", pipeline, policies)
    assert config_decision(config, PROJECT_DIR).needs_tensorflow


def test_a_config_without_one_does_not(tmp_path: Path) -> None:
    config = _config(
        tmp_path / "config.yml",
        ["WhitespaceTokenizer", "CountVectorsFeaturizer", "LogisticRegressionClassifier"],
        ["RulePolicy", "MemoizationPolicy"],
    )
    assert not config_decision(config, PROJECT_DIR).needs_tensorflow


@pytest.mark.parametrize(
    "source",
    [
        "from rasa.nlu.classifiers.diet_classifier import DIETClassifier\n"
        "class MyDIET(DIETClassifier):\n    pass\n",
        "import tensorflow as tf\nclass Mine:\n    pass\n",
        "from rasa.utils.tensorflow.layers import Ffnn\nclass Mine:\n    pass\n",
        "from helper_uses_tf import thing\nclass Mine:\n    pass\n",  # two project modules deep
        "try:\n    import keras\nexcept ImportError:\n    keras = None\nclass Mine:\n    pass\n",
    ],
    ids=["subclass-of-diet", "imports-tensorflow", "rasa-tf-layers", "via-helper", "optional"],
)
def test_a_custom_component_built_on_tensorflow_needs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    (tmp_path / "helper_uses_tf.py").write_text("import tensorflow\nthing = 1\n", "utf-8")
    (tmp_path / "my_component.py").write_text(source, "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    tensorflow_needed._source.cache_clear()
    tensorflow_needed.imports_tensorflow_directly.cache_clear()
    assert component_needs_tensorflow("my_component.Mine", tmp_path)


def test_a_custom_component_that_only_names_tensorflow_when_type_checking_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "typed_component.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import tensorflow\n"
        "def later():\n    import tensorflow\n",
        "utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    tensorflow_needed._source.cache_clear()
    assert not component_needs_tensorflow("typed_component.Mine", tmp_path)


def test_an_unknown_module_is_taken_to_need_tensorflow() -> None:
    assert component_needs_tensorflow("no_such_package.Component", PROJECT_DIR)


def test_the_list_of_rasas_tensorflow_components_matches_rasas_sources() -> None:
    """Every component Rasa registers by default: in the list exactly when its module
    imports TensorFlow (read from Rasa's installed sources)."""
    imported = module_imports("rasa.engine.recipes.default_components") or set()
    classes = {
        name.rpartition(".")[2]: name.rpartition(".")[0]
        for name in imported
        if name.rpartition(".")[2][:1].isupper()
    }
    assert len(classes) >= 25
    using = {cls for cls, module in classes.items() if imports_tensorflow_directly(module)}
    assert using == RASA_TENSORFLOW_COMPONENTS


def test_commands_are_decided_from_their_model_or_config(tmp_path: Path) -> None:
    ours = _model(tmp_path / "ours.tar.gz", PROJECT_PIPELINE)
    diet = _config(tmp_path / "diet.yml", ["WhitespaceTokenizer", "DIETClassifier"], ["RulePolicy"])
    assert not decide(["run", "--model", str(ours)], PROJECT_DIR).needs_tensorflow
    assert not decide(["test", "core", "--model", str(ours)], PROJECT_DIR).needs_tensorflow
    assert not decide(["shell", str(ours)], PROJECT_DIR).needs_tensorflow
    assert decide(["train", "--config", str(diet)], PROJECT_DIR).needs_tensorflow
    assert not decide(["train", "--config", "config.yml"], PROJECT_DIR).needs_tensorflow
    assert not decide(["data", "validate"], PROJECT_DIR).needs_tensorflow
    cross_validation = ["test", "nlu", "--model", str(ours), "--cross-validation", "-c", str(diet)]
    assert decide(cross_validation, PROJECT_DIR).needs_tensorflow
    assert decide(["init"], PROJECT_DIR).needs_tensorflow
    assert decide(["run", "--model", str(tmp_path / "none")], PROJECT_DIR).needs_tensorflow


def test_the_switch_overrides_the_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_TENSORFLOW", "1")
    assert choose_tensorflow(["data", "validate"]).needs_tensorflow
    monkeypatch.setenv("RASA_TENSORFLOW", "0")
    assert not choose_tensorflow(["init"]).needs_tensorflow
    monkeypatch.setenv("RASA_TENSORFLOW", "yes")
    with pytest.raises(SystemExit, match="RASA_TENSORFLOW must be 1"):
        choose_tensorflow(["run"])


# ---- The placeholder ---------------------------------------------------------------------------


def _python(code: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


# Each check runs in one interpreter where the placeholder was installed before Rasa was
# imported, the way the launcher does it; "raises" checks must raise TensorFlowNotLoaded.
PLACEHOLDER_CHECKS = textwrap.dedent(
    """
    import json, sys
    from rasa_patches import tensorflow_placeholder as placeholder
    placeholder.install("the test asked for it")
    import rasa.core.agent, rasa.engine.recipes.default_components, rasa.__main__
    from rasa.engine.graph import GraphComponent
    import tensorflow as tf
    from rasa.utils.tensorflow import layers

    class NeedsTensorFlow(GraphComponent):
        @classmethod
        def create(cls, *args):
            return cls()

        def process(self):
            return tf.keras.layers.Dense(3)

    class MyLayer(tf.keras.layers.Layer):
        pass

    @tf.function
    def step(x):
        return x + 1

    checks = {
        "a layer": lambda: tf.keras.layers.Dense(3),
        "a tensor": lambda: tf.constant([1.0]),
        "Rasa's layer": lambda: layers.Ffnn([8], 0.1, 0.0, 0.0, "ffnn"),
        "a subclass of a layer": lambda: MyLayer(),
        "a tf.function": lambda: step(1),
        "arithmetic": lambda: tf.float32 + 1,
        "a truth value": lambda: bool(tf.executing_eagerly),
        "iteration": lambda: list(tf.float32),
        "a component": lambda: NeedsTensorFlow.create().process(),
        "a model's training": lambda: tf.keras.Model().fit([1], [1]),
    }
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "no error"
        except placeholder.TensorFlowNotLoaded as error:
            results[name] = "raised: " + str(error)
        except Exception as error:
            results[name] = f"other error: {type(error).__name__}: {error}"
    results["devices"] = tf.config.list_physical_devices("GPU")
    results["isinstance"] = isinstance(1.0, tf.Tensor)
    results["real modules"] = sorted(
        n for n, m in sys.modules.items()
        if placeholder.is_tensorflow(n) and not isinstance(m, placeholder.PlaceholderModule)
    )
    print(json.dumps(results))
    """
)


@pytest.fixture(scope="module")
def placeholder_results() -> dict[str, Any]:
    output = _python(PLACEHOLDER_CHECKS, {"TF_CPP_MIN_LOG_LEVEL": "2"})
    results: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return results


@pytest.mark.parametrize(
    "check",
    [
        "a layer",
        "a tensor",
        "Rasa's layer",
        "a subclass of a layer",
        "a tf.function",
        "arithmetic",
        "a truth value",
        "iteration",
        "a component",
        "a model's training",
    ],
)
def test_computing_with_the_placeholder_raises_the_clear_error(
    placeholder_results: dict[str, Any], check: str
) -> None:
    result = placeholder_results[check]
    assert result.startswith("raised: "), result
    assert "Set RASA_TENSORFLOW=1 to run with TensorFlow" in result
    assert "the test asked for it" in result


def test_the_error_names_the_component_that_asked(placeholder_results: dict[str, Any]) -> None:
    assert placeholder_results["a component"].startswith(
        "raised: the component NeedsTensorFlow (__main__) needs TensorFlow"
    )
    assert "tensorflow.keras.layers.Dense" in placeholder_results["a component"]


def test_what_rasa_asks_at_start_up_has_the_answer_of_a_machine_without_tensorflow(
    placeholder_results: dict[str, Any],
) -> None:
    assert placeholder_results["devices"] == []
    assert placeholder_results["isinstance"] is False
    assert placeholder_results["real modules"] == []  # all of Rasa imported, no TensorFlow


def test_the_placeholder_cannot_be_installed_after_tensorflow() -> None:
    _python(
        "import tensorflow\n"
        "from rasa_patches import tensorflow_placeholder as p\n"
        "try:\n    p.install('x')\n"
        "except RuntimeError as e:\n    assert 'already imported' in str(e)\n"
        "else:\n    raise SystemExit('installed over the real TensorFlow')\n",
        {"TF_CPP_MIN_LOG_LEVEL": "3"},
    )


def test_the_action_server_imports_no_tensorflow() -> None:
    _python(
        "import sys\nfrom rasa_sdk.executor import ActionExecutor\nimport rasa_sdk.endpoint\n"
        "ActionExecutor().register_package('actions')\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'rasa')]\n"
    )


def test_the_spacy_model_is_loaded_once_for_both_of_its_graph_nodes(rasa_fixes: None) -> None:
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    from rasa_patches import spacy_model

    path = str(PROJECT_DIR / "build" / "spacy-en-lookup")
    first, second = SpacyNLP.load_model(path), SpacyNLP.load_model(path)
    assert first is second
    stock = spacy_model._stock_load_model(path)
    assert stock is not first
    text = "Does osteoporosis cause hair loss? My bones were breaking."
    assert [(t.text, t.lemma_) for t in first.model(text)] == [
        (t.text, t.lemma_) for t in stock.model(text)
    ]
