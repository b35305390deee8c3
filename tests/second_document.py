"""The tests' second article (tests/fixtures/second-document/): its files and what is
asked of it, for the unit tests and the end-to-end test alike."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "second-document"
KNOWLEDGE = FIXTURE / "knowledge"  # goes into data/knowledge/
NLU = FIXTURE / "nlu"  # goes into data/nlu/
DOC_ID = "honey-bees"
TITLE = "Honey Bees at a Glance"
ENTRY_IDS = ("bee_colony", "making_honey", "waggle_dance")


@dataclass(frozen=True)
class Answered:
    question: str
    document: str
    section: str
    sentence: str


_QUESTIONS = yaml.safe_load((FIXTURE / "questions.yml").read_text("utf-8"))
# Answered from `document`, quoting `sentence` of `section` (the original article's too).
ANSWERED = tuple(Answered(**item) for item in _QUESTIONS["answered"])
# Not answered by the second article: declined or a partial answer, never a verdict.
DECLINED = tuple(str(q) for q in _QUESTIONS["declined"])


def add_knowledge(directory: Path) -> Path:
    """The second article's knowledge files, copied into `directory`."""
    for path in sorted(KNOWLEDGE.iterdir()):
        shutil.copy(path, directory / path.name)
    return directory
