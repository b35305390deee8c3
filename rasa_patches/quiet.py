"""Warnings this project expects, silenced where Rasa silences its own.

Training, validation and start-up printed dozens of warnings that say nothing wrong
about this project's data or code. Those listed here are silenced through Rasa's own list of
expected warnings (`rasa.utils.common.EXPECTED_WARNINGS`, applied when Rasa sets up its
logging, and not at `--debug` log level), and the import-time ones by a filter set
before Rasa is imported. Every other warning still shows; README ("Warnings") lists
what is left.

- Responses that the custom actions send (`dispatcher.utter_message(response=...)`):
  Rasa's validator warns about every response no story or rule names, which is all of
  them here, since every answer is chosen by an action. A response named nowhere in the
  code (SENDERS) still gets its warning.
- Intents that no message is classified as, since code assigns them (an empty message,
  one too long, a sticker): Rasa warns that they have no training examples. An intent
  named nowhere in the code still gets its warning.
- Lookup tables without a featurizer: data/lookups.yml is matched by the
  RegexEntityExtractor (config.yml), not turned into features, which is all that
  Rasa's warning looks for.
- Deprecations inside installed packages (setuptools' `pkg_resources`, Click via Typer
  and spaCy, pyparsing via matplotlib and packaging, distutils via sanic_cors, SQLAlchemy's
  warnings about Rasa's SQL store, SQLAlchemy 2.0's warning about Rasa's 1.4-style
  code, switched off with SQLAlchemy's own SQLALCHEMY_SILENCE_UBER_WARNING), raised
  while Rasa imports them: nothing here can change them.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The packages whose code sends responses and assigns intents by name.
SENDERS = ("actions", "channels", "components", "rasa_patches")

IMPORT_TIME: list[tuple[type[Warning], str]] = [
    (DeprecationWarning, r"pkg_resources is deprecated as an API"),
    (DeprecationWarning, r"Deprecated call to `pkg_resources\.declare_namespace"),
    (DeprecationWarning, r"'BaseCommand' is deprecated"),
    (DeprecationWarning, r"'click\.utils\.get_(text|binary)_stream' is deprecated"),
    (DeprecationWarning, r"Importing 'parser\.split_arg_string' is deprecated"),
    (DeprecationWarning, r"'\w+' deprecated - use '\w+'"),  # pyparsing 3's renames
    (DeprecationWarning, r"distutils Version classes are deprecated"),  # sanic_cors
    (DeprecationWarning, r"Calling URL\(\) directly is deprecated"),  # Rasa's SQL store
]
RASA: list[tuple[type[Warning], str]] = [
    (UserWarning, r"You have defined training data consisting of lookup tables"),
]


def names_in_code(project: Path = PROJECT_DIR) -> set[str]:
    """Every quoted name (letters, digits, underscores) in the code of SENDERS."""
    names: set[str] = set()
    for package in SENDERS:
        for path in (project / package).glob("*.py"):
            names |= set(re.findall(r"[\"']/?([a-z][a-z0-9_]*)[\"']", path.read_text("utf-8")))
    return names


def expected(project: Path = PROJECT_DIR) -> list[tuple[type[Warning], str]]:
    """Every warning silenced, as (category, message pattern)."""
    domain = yaml.safe_load((project / "domain.yml").read_text("utf-8"))
    in_code = names_in_code(project)
    responses = sorted(in_code & set(domain.get("responses") or {}))
    intents = sorted(
        in_code & {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    )
    return [
        *IMPORT_TIME,
        *RASA,
        *(
            (UserWarning, rf"The utterance '{name}' is not used in any story or rule")
            for name in responses
        ),
        *(
            (UserWarning, rf"The intent '{name}' is listed in the domain file, but is not found")
            for name in intents
        ),
    ]


def filter_imports() -> None:
    """Silence the deprecations raised while Rasa's dependencies are imported: first
    thing, before anything imports them. Some of those packages put a filter of their own
    in front ("once" for every DeprecationWarning), so the expected ones are also dropped
    where warnings are shown."""
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    for category, message in IMPORT_TIME:
        warnings.filterwarnings("ignore", message=message, category=category)
    shown = warnings.showwarning

    def show_unexpected(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        if not is_expected(category, str(message), IMPORT_TIME):
            shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show_unexpected


def is_expected(
    category: type[Warning], message: str, silenced: list[tuple[type[Warning], str]]
) -> bool:
    return any(issubclass(category, c) and re.match(p, message) for c, p in silenced)


def install() -> None:
    """Add the rest to Rasa's list of expected warnings, which Rasa applies after its own
    "show each warning once" filter (once TensorFlow's placeholder, if any, is in place:
    this imports Rasa)."""
    from rasa.utils import common

    common.EXPECTED_WARNINGS.extend(expected())
