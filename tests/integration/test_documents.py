"""A second document, added the way the README's "Add knowledge" says, without code changes.

A copy of the project gets the small fixture article of tests/fixtures/second-document/
(`knowledge/` into data/knowledge/, `nlu/` into data/nlu/), is retrained with the
project's own command (`make train`, which also writes the new topic intents into the
domain and the rules) and started as `make run` starts it. Its facts must then be
answered with its own citation, its out-of-scope questions declined, and the original
article must answer as before.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from actions.knowledge import load_directory
from scripts.evaluate import Judge
from scripts.servers import ROOT, Bot, running_bot
from scripts.topic_lists import BEGIN, END
from tests.integration.conftest import texts
from tests.second_document import ANSWERED, DECLINED, NLU, TITLE, Answered, add_knowledge

ORIGINAL_TITLE = "Osteoporosis and Hair Loss"
NEW_INTENTS = ["ask_bee_colony", "ask_making_honey", "ask_waggle_dance"]
# What the bot runs and trains from; the virtual environment and build/ (spaCy model,
# word classes, widget) are shared, not copied.
PROJECT_FILES = (
    "actions",
    "channels",
    "components",
    "rasa_patches",
    "scripts",
    "web",
    "data",
    "config.yml",
    "domain.yml",
    "credentials.yml",
    "endpoints.yml",
    "endpoints.postgres.yml",
    "endpoints.redis-lock.yml",
    "Makefile",
    "requirements.txt",
    "constraints.txt",
)
SHARED = (".venv", "build")


def copy_project(destination: Path) -> Path:
    """The project's sources and data in `destination` (time stamps kept, so that make
    sees the shared installation as up to date)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    for name in SHARED:
        (destination / name).symlink_to((ROOT / name).resolve())
    return destination


def add_document(project: Path) -> None:
    """What a person adding a document writes: its knowledge files and its examples."""
    add_knowledge(project / "data" / "knowledge")
    for path in sorted(NLU.iterdir()):
        shutil.copy(path, project / "data" / "nlu" / path.name)


# The shared installation is never rebuilt from a copy (make -o: "old enough").
SHARED_TARGETS = (
    ".venv/.installed",
    "build/spacy-en-lookup/meta.json",
    "build/wordnet-lexicon.json",
    "build/webchat/webchat.js",
)


def make(project: Path, target: str) -> str:
    """`make <target>` in the copy; its output."""
    keep = [arg for path in SHARED_TARGETS for arg in ("-o", path)]
    result = subprocess.run(
        ["make", "-s", target, *keep],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = copy_project(tmp_path_factory.mktemp("two-documents"))
    add_document(copy)
    make(copy, "train")
    assert (copy / "models" / "osteo-hair-faq.tar.gz").exists()
    return copy


@pytest.fixture(scope="module")
def two_documents(project: Path) -> Iterator[Bot]:
    with running_bot(root=project) as bot:
        yield bot


@pytest.fixture(scope="module")
def judge(project: Path) -> Judge:
    return Judge.for_project(load_directory(project / "data" / "knowledge"))


def ask(bot: Bot, question: str) -> str:
    return texts(bot.send(f"test-{uuid.uuid4().hex}", question))


def test_training_writes_the_new_topics_into_the_domain_and_the_rules(project: Path) -> None:
    domain = yaml.safe_load((project / "domain.yml").read_text("utf-8"))
    rules = yaml.safe_load((project / "data" / "rules.yml").read_text("utf-8"))["rules"]
    [answer_rule] = [r for r in rules if r["steps"][-1] == {"action": "action_answer"}]
    routed = [step["intent"] for step in answer_rule["steps"][0]["or"]]

    assert set(NEW_INTENTS) <= set(domain["intents"])
    assert set(NEW_INTENTS) <= set(routed)
    # Only the marked blocks changed.
    for name in ("domain.yml", "data/rules.yml"):
        before = (ROOT / name).read_text("utf-8")
        after = (project / name).read_text("utf-8")
        assert before.split(BEGIN)[0] == after.split(BEGIN)[0]
        assert before.split(END)[1] == after.split(END)[1]


def test_the_data_with_the_new_document_passes_rasa_validation(project: Path) -> None:
    make(project, "validate")  # rasa data validate --fail-on-warnings


@pytest.mark.parametrize("asked", ANSWERED, ids=lambda a: a.question)
def test_each_documents_facts_are_answered_with_its_own_citation(
    two_documents: Bot, judge: Judge, project: Path, asked: Answered
) -> None:
    titles = {
        d.id: d.title for d in load_directory(project / "data" / "knowledge").documents.values()
    }
    reply = ask(two_documents, asked.question)

    assert judge.outcome(reply) == "answer", reply
    assert asked.sentence in reply
    assert titles[asked.document] in reply and asked.section in reply
    others = [t for d, t in titles.items() if d != asked.document]
    assert not any(t in reply for t in others), reply


@pytest.mark.parametrize("question", DECLINED)
def test_the_new_documents_out_of_scope_questions_are_declined(
    two_documents: Bot, judge: Judge, question: str
) -> None:
    reply = ask(two_documents, question)

    assert judge.outcome(reply) != "answer", reply
    assert not judge.verdict(reply.split("\n")), reply


def test_the_assistant_names_both_documents_when_asked_what_it_covers(
    two_documents: Bot,
) -> None:
    reply = ask(two_documents, "what can you help me with?")

    assert TITLE in reply and ORIGINAL_TITLE in reply
    assert "What is the waggle dance?" in reply
