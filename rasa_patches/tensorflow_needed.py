"""Does a Rasa command need TensorFlow? Decided from files alone, before Rasa is imported.

- A command that loads a model (`run`, `shell`, `test`, `interactive`) reads the graph in
  the model's `metadata.json` (the class of every node, in training and prediction).
- `train` reads the config's pipeline and policies; a config without them gets Rasa's
  defaults (DIET, TED), which need TensorFlow.
- `data` and `visualize` compute nothing with a model: the config decides, as for `train`.
- Any other command (`init`, `x`, …) loads TensorFlow.

A component of Rasa's needs TensorFlow when it is one of Rasa's TensorFlow components
(RASA_TENSORFLOW_COMPONENTS) or its module imports TensorFlow. Any other component needs
it when its module imports TensorFlow or a module that does, following the project's own
modules at any depth (a subclass of DIETClassifier in `components/` needs it). Modules
are read with `ast`, never imported. When a module cannot be found the answer is yes:
the error is on the side of loading TensorFlow.
"""

from __future__ import annotations

import ast
import functools
import json
import re
import sys
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# Rasa 3.6.21's components that build or run TensorFlow models, by the names configs use;
# tests/unit/test_rasa_patches.py checks this list against Rasa's own sources.
RASA_TENSORFLOW_COMPONENTS = frozenset(
    {
        "DIETClassifier",
        "ResponseSelector",
        "TEDPolicy",
        "UnexpecTEDIntentPolicy",
        "ConveRTFeaturizer",
        "LanguageModelFeaturizer",
    }
)
# Importing any of these means computing with TensorFlow (transformers: its TF models).
TENSORFLOW_IMPORTS = frozenset(
    {
        "tensorflow",
        "tensorflow_hub",
        "tensorflow_text",
        "tensorflow_addons",
        "keras",
        "transformers",
    }
)
MODEL_COMMANDS = frozenset({"run", "shell", "test", "interactive"})
CONFIG_COMMANDS = frozenset({"train", "data", "visualize"})


@dataclass(frozen=True)
class Decision:
    needs_tensorflow: bool
    reason: str


# ---- Components --------------------------------------------------------------------------


@functools.cache
def _source(module: str) -> Path | None:
    """The file of `module`, found on sys.path without importing it (or its parents)."""
    parts = module.split(".")
    for entry in sys.path:
        base = Path(entry or ".").joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def module_imports(module: str) -> set[str] | None:
    """The modules `module` imports when it is imported (module level, not under
    `if TYPE_CHECKING`, not inside functions); None when its source is not found."""
    path = _source(module)
    if path is None:
        return None
    tree = ast.parse(path.read_text("utf-8", errors="replace"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(statements: Iterable[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.If) and not _is_type_checking(node.test):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)

    visit(tree.body)
    return found


def _imports_tensorflow(imports: Iterable[str]) -> bool:
    return any(name.split(".", 1)[0] in TENSORFLOW_IMPORTS for name in imports)


_TENSORFLOW_WORD = re.compile(r"\b(?:{})\b".format("|".join(sorted(TENSORFLOW_IMPORTS))))


@functools.cache
def imports_tensorflow_directly(module: str) -> bool:
    """Whether `module` itself imports TensorFlow (True when it cannot be found). Most
    modules never name it, and are not parsed."""
    path = _source(module)
    if path is None:
        return True
    if not _TENSORFLOW_WORD.search(path.read_text("utf-8", errors="replace")):
        return False
    return _imports_tensorflow(module_imports(module) or ())


def _in_project(path: Path, project: Path) -> bool:
    return project in path.resolve().parents and "site-packages" not in path.parts


def module_needs_tensorflow(
    module: str, project: Path | None = None, seen: set[str] | None = None
) -> bool:
    """Whether importing `module` means using TensorFlow (see the module docstring)."""
    project = (project or Path.cwd()).resolve()
    seen = set() if seen is None else seen
    if module in seen:
        return False
    seen.add(module)
    imports = module_imports(module)
    if imports is None:
        return True
    if _imports_tensorflow(imports):
        return True
    for name in sorted(imports):
        path = _source(name)
        if path is None:
            continue  # a name imported from a module, not a module
        if _in_project(path, project):
            if module_needs_tensorflow(name, project, seen):
                return True
        elif imports_tensorflow_directly(name):
            return True  # e.g. Rasa's diet_classifier, which imports TensorFlow itself
    return False


def component_needs_tensorflow(name: str, project: Path | None = None) -> bool:
    """`name` as a config or a model's metadata gives it: `DIETClassifier`,
    `rasa.nlu.classifiers.diet_classifier.DIETClassifier`, `components.x.MyComponent`."""
    module, _, class_name = name.rpartition(".")
    if not module or module.startswith("rasa."):
        # Rasa's own: its TensorFlow components, or a class whose module imports TensorFlow
        # (graph infrastructure such as the recipe validator only names them).
        if class_name in RASA_TENSORFLOW_COMPONENTS:
            return True
        return bool(module) and imports_tensorflow_directly(module)
    return module_needs_tensorflow(module, project)


# ---- Models and configs ------------------------------------------------------------------


def model_components(model: Path) -> list[str]:
    """The class of every node of the model's training and prediction graphs."""
    with tarfile.open(model, "r:gz") as archive:
        for member in archive:
            if member.name.lstrip("/") == "metadata.json":
                handle = archive.extractfile(member)
                if handle is not None:
                    metadata = json.load(handle)
                    break
        else:
            raise ValueError(f"{model} has no metadata.json: not a Rasa 3 model")
    return sorted(
        {
            node["uses"]
            for schema in ("train_schema", "predict_schema")
            for node in metadata[schema]["nodes"].values()
        }
    )


def config_components(config: Path) -> list[str] | None:
    """The pipeline's and policies' names; None when Rasa would fill in its default
    pipeline or policies (which need TensorFlow)."""
    data: dict[str, Any] = yaml.safe_load(config.read_text("utf-8")) or {}
    pipeline, policies = data.get("pipeline"), data.get("policies")
    if not pipeline or not policies:
        return None
    return [str(item["name"]) for item in [*pipeline, *policies]]


def _graph_decision(what: str, components: list[str] | None, project: Path) -> Decision:
    if components is None:
        return Decision(True, f"{what} leaves the pipeline or policies to Rasa's defaults")
    needing = [c for c in components if component_needs_tensorflow(c, project)]
    if needing:
        return Decision(True, f"{what} has components that need it: {', '.join(needing)}")
    return Decision(False, f"{what} has no component that needs it")


def model_decision(model: Path, project: Path | None = None) -> Decision:
    project = project or Path.cwd()
    return _graph_decision(f"the model {model}", model_components(model), project)


def config_decision(config: Path, project: Path | None = None) -> Decision:
    project = project or Path.cwd()
    return _graph_decision(f"the config {config}", config_components(config), project)


# ---- Command lines -------------------------------------------------------------------------


def _option(argv: Sequence[str], *names: str) -> list[str]:
    """The values given to an option (all of them for `--config a.yml b.yml`)."""
    values: list[str] = []
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name:
                for value in argv[i + 1 :]:
                    if value.startswith("-"):
                        break
                    values.append(value)
            elif arg.startswith(name + "="):
                values.append(arg.split("=", 1)[1])
    return values


def _latest_model(path: Path) -> Path | None:
    if path.is_file():
        return path
    if path.is_dir():
        models = sorted(path.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        return models[-1] if models else None
    return None


def decide(argv: Sequence[str], project: Path | None = None) -> Decision:
    """Whether `rasa <argv>` needs TensorFlow, and why."""
    project = project or Path.cwd()
    command = next((arg for arg in argv if not arg.startswith("-")), "")
    configs = [Path(c) for c in _option(argv, "--config", "-c")] or [Path("config.yml")]
    decisions: list[Decision] = []
    if command in MODEL_COMMANDS:
        given = _option(argv, "--model", "-m")
        positional = [a for a in argv[1:] if a.endswith(".tar.gz") and not a.startswith("-")]
        model = _latest_model(Path((given or positional or ["models"])[-1]))
        if model is None:
            return Decision(True, "no trained model was found to read")
        decisions.append(model_decision(model, project))
        if command == "interactive" or "--cross-validation" in argv:
            decisions += [config_decision(c, project) for c in configs if c.exists()]
    elif command in CONFIG_COMMANDS:
        for config in configs:
            if not config.exists():
                if command == "train":
                    return Decision(True, f"the config {config} was not found")
                continue
            decisions.append(config_decision(config, project))
        if not decisions:
            return Decision(False, f"'rasa {command}' trains and runs no model")
    else:
        return Decision(True, f"'rasa {command or ' '.join(argv)}' may train or run any model")
    for decision in decisions:
        if decision.needs_tensorflow:
            return decision
    return Decision(False, "; ".join(d.reason for d in decisions))
