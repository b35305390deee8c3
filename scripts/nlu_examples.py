"""Read intent examples from Rasa YAML training data as plain (text, intent) pairs.

Entity markup `[text](entity)` and `[text]{...}` is reduced to its text. Used by the
calibration and evaluation scripts, which must not need a trained model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

_ENTITY = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def plain_text(example: str) -> str:
    return _ENTITY.sub(r"\1", example).strip()


def examples(paths: Iterable[Path]) -> Iterator[tuple[str, str]]:
    for path in paths:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield plain_text(line[2:]), block["intent"]


def nlu_files(root: Path) -> list[Path]:
    """The NLU training files under data/ (not stories, rules or knowledge)."""
    paths = sorted(p for p in (root / "data").rglob("*.yml") if "knowledge" not in p.parts)
    return [p for p in paths if "nlu" in (yaml.safe_load(p.read_text("utf-8")) or {})]


def training_examples(root: Path) -> list[tuple[str, str]]:
    return list(examples(nlu_files(root)))
