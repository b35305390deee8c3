"""TensorFlow replaced by a placeholder, for a process whose model uses none of it.

Rasa 3.6 imports TensorFlow whatever the pipeline (`rasa.core.policies.policy` →
featurizers → `rasa.utils.train_utils` → `rasa.utils.tensorflow.callback`), which costs
most of the import time and memory of a server whose components are spaCy, count vectors,
logistic regression and rules (BENCHMARKS.md, "Without TensorFlow"). `install()` puts an
import hook first on `sys.meta_path` that answers every import of `tensorflow`, its
companions (TENSORFLOW_PACKAGES) and their submodules with placeholder modules.

What the placeholder stands in for is only what Rasa touches while importing and
starting: names (`tf.keras.layers.Layer`, `tf.float32`, `tf.Tensor` in annotations)
resolve to placeholders; a placeholder used as a base class becomes a stand-in class
that can be subclassed but never instantiated; `isinstance(x, tf.Tensor)` is False
(nothing can be a tensor here); the few calls made at import and start-up (START_UP_CALLS:
decorators, device lists, thread settings) do what they would do on a machine without
devices. Everything else that would compute with TensorFlow (building a layer or model,
making a tensor, any other call, arithmetic, truth value, iteration) raises
`TensorFlowNotLoaded`, which names the component that asked and says how to load the real
TensorFlow (RASA_TENSORFLOW=1). Nothing falls through to a fake result.
"""

from __future__ import annotations

import abc
import importlib.abc
import importlib.machinery
import inspect
import logging
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

# Packages answered by the placeholder (with their submodules). `transformers` is not one:
# it imports TensorFlow itself only for its TF models, which then meet the placeholder.
TENSORFLOW_PACKAGES = (
    "tensorflow",
    "tensorflow_hub",
    "tensorflow_text",
    "tensorflow_addons",
    "tensorflow_estimator",
    "keras",
)
SWITCH = "RASA_TENSORFLOW"


class TensorFlowNotLoaded(RuntimeError):
    """Something tried to compute with TensorFlow while the placeholder stands in for it."""


_reason = "this process was started with the TensorFlow placeholder"


def _asker() -> str:
    """The component (a Rasa graph component found on the stack) or else the code that
    used the placeholder."""
    graph = sys.modules.get("rasa.engine.graph")
    component_base = getattr(graph, "GraphComponent", None)
    frame = inspect.currentframe()
    first_outside = ""
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module != __name__:
            if not first_outside:
                first_outside = f"{module}.{frame.f_code.co_name}"
            for key in ("self", "cls"):
                owner = frame.f_locals.get(key)
                owner_class = owner if isinstance(owner, type) else type(owner)
                if (
                    owner is not None
                    and component_base is not None
                    and isinstance(owner_class, type)
                    and issubclass(owner_class, component_base)
                ):
                    return f"the component {owner_class.__name__} ({owner_class.__module__})"
        frame = frame.f_back
    return first_outside or "this code"


def _not_loaded(what: str) -> TensorFlowNotLoaded:
    return TensorFlowNotLoaded(
        f"{_asker()} needs TensorFlow (it used {what}), but TensorFlow is not loaded in this "
        f"process: {_reason}, so a placeholder stands in for it. Set {SWITCH}=1 to run with "
        "TensorFlow."
    )


# ---- Calls that are allowed: decorators, device lists, settings ---------------------------


def _raising(function: Callable[..., Any], what: str) -> Callable[..., Any]:
    """A function decorated by a TensorFlow decorator: raises when called."""

    def placeholder_function(*args: Any, **kwargs: Any) -> Any:
        raise _not_loaded(f"{what} on {getattr(function, '__qualname__', function)}")

    placeholder_function.__name__ = getattr(function, "__name__", "placeholder_function")
    placeholder_function.__qualname__ = getattr(function, "__qualname__", "placeholder_function")
    placeholder_function.__doc__ = getattr(function, "__doc__", None)
    placeholder_function.__wrapped__ = function  # type: ignore[attr-defined]
    return placeholder_function


def _function_decorator(what: str) -> Callable[..., Any]:
    """`@tf.function` and `@tf.function(...)`: the function, made to raise when called."""

    def decorator(*args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and not kwargs and callable(args[0]):
            return _raising(args[0], what)
        if args:
            raise _not_loaded(what)
        return lambda function: _raising(function, what)

    return decorator


def _class_decorator(*args: Any, **kwargs: Any) -> Any:
    """`@register_keras_serializable(...)`: the class unchanged (its TensorFlow bases are
    stand-ins, so it can never be instantiated)."""
    if len(args) == 1 and not kwargs and isinstance(args[0], type):
        return args[0]
    return lambda cls: cls


def _none(*args: Any, **kwargs: Any) -> None:
    return None


def _no_devices(*args: Any, **kwargs: Any) -> list[Any]:
    return []


START_UP_CALLS: dict[str, Callable[..., Any]] = {
    "tensorflow.function": _function_decorator("tensorflow.function"),
    "tensorflow.autograph.experimental.do_not_convert": _function_decorator(
        "tensorflow.autograph.experimental.do_not_convert"
    ),
    "tensorflow.keras.utils.register_keras_serializable": _class_decorator,
    "keras.utils.register_keras_serializable": _class_decorator,
    "tensorflow.get_logger": lambda: logging.getLogger("tensorflow"),
    "tensorflow.config.list_physical_devices": _no_devices,
    "tensorflow.config.list_logical_devices": _no_devices,
    "tensorflow.config.experimental.list_physical_devices": _no_devices,
    "tensorflow.config.experimental.list_logical_devices": _no_devices,
    "tensorflow.config.get_visible_devices": _no_devices,  # spaCy's thinc asks, for GPUs
    "tensorflow.config.experimental.get_visible_devices": _no_devices,
    # Settings for TensorFlow's own threads and ops: there are none to set.
    "tensorflow.config.threading.set_inter_op_parallelism_threads": _none,
    "tensorflow.config.threading.set_intra_op_parallelism_threads": _none,
    "tensorflow.config.experimental.enable_op_determinism": _none,
    "tensorflow.random.set_seed": _none,
}


# ---- Placeholders and stand-in classes ------------------------------------------------------

_placeholders: dict[str, Placeholder] = {}
_stand_ins: dict[str, type] = {}


def placeholder(name: str) -> Placeholder:
    found = _placeholders.get(name)
    if found is None:
        found = _placeholders[name] = Placeholder(name)
    return found


class _StandInMeta(abc.ABCMeta):
    """Stand-in classes answer attribute lookups with placeholders, like modules do."""

    _tensorflow_name: str

    def __getattr__(cls, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return placeholder(f"{cls._tensorflow_name}.{attr}")


def stand_in_class(name: str) -> type:
    """The stand-in for the TensorFlow class `name`: subclassable, never instantiable."""
    found = _stand_ins.get(name)
    if found is None:

        def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
            raise _not_loaded(f"{name} (creating {cls.__qualname__})")

        found = _stand_ins[name] = _StandInMeta(
            name.rsplit(".", 1)[-1],
            (),
            {
                "__new__": __new__,
                "__module__": name.rsplit(".", 1)[0],
                "_tensorflow_name": name,
                "__doc__": f"Placeholder stand-in for {name} (TensorFlow is not loaded).",
            },
        )
    return found


class Placeholder:
    """A TensorFlow name (function, class, constant, dtype) that was never loaded."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return placeholder(f"{self._name}.{attr}")

    def __setattr__(self, attr: str, value: Any) -> None:
        raise _not_loaded(f"{self._name}.{attr} (setting it)")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        allowed = START_UP_CALLS.get(self._name)
        if allowed is None:
            raise _not_loaded(self._name)
        return allowed(*args, **kwargs)

    def __mro_entries__(self, bases: tuple[Any, ...]) -> tuple[type, ...]:
        return (stand_in_class(self._name),)

    def __instancecheck__(self, instance: Any) -> bool:
        return False  # no TensorFlow object can exist in this process

    def __subclasscheck__(self, subclass: Any) -> bool:
        return isinstance(subclass, type) and issubclass(subclass, stand_in_class(self._name))

    def __repr__(self) -> str:
        return f"<TensorFlow placeholder {self._name}>"

    def _compute(self, *args: Any, **kwargs: Any) -> Any:
        raise _not_loaded(self._name)

    # Any use as a value computes with TensorFlow.
    __bool__ = __len__ = __iter__ = __getitem__ = __contains__ = _compute
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _compute
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __neg__ = __pow__ = _compute
    __lt__ = __le__ = __gt__ = __ge__ = __float__ = __int__ = __index__ = _compute


class PlaceholderModule(types.ModuleType):
    """A TensorFlow module: every public name is a placeholder."""

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return placeholder(f"{self.__name__}.{attr}")


# ---- The import hook ----------------------------------------------------------------------


def is_tensorflow(module: str) -> bool:
    return module.split(".", 1)[0] in TENSORFLOW_PACKAGES


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not is_tensorflow(fullname):
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = PlaceholderModule(spec.name)
        module.__version__ = "0+placeholder"  # type: ignore[attr-defined]
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


_finder = _Finder()


def installed() -> bool:
    return _finder in sys.meta_path


def install(reason: str) -> None:
    """Answer every later import of TensorFlow with the placeholder; `reason` is said in
    the error raised by anything that needs the real one."""
    global _reason
    loaded = sorted(name for name in sys.modules if is_tensorflow(name))
    if loaded and not isinstance(sys.modules[loaded[0]], PlaceholderModule):
        raise RuntimeError(
            f"TensorFlow ({loaded[0]}) is already imported: the placeholder must be installed "
            "before anything imports Rasa"
        )
    _reason = reason
    if not installed():
        sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Remove the hook and the placeholder modules (for tests)."""
    if installed():
        sys.meta_path.remove(_finder)
    for name in [n for n, m in sys.modules.items() if isinstance(m, PlaceholderModule)]:
        del sys.modules[name]
