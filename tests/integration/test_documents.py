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

FIXTURE = ROOT / "tests" / "fixtures" / "second-document"
TITLE = "Honey Bees at a Glance"
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


def add_document(project: Path, fixture: Path) -> None:
    """What a person adding a document writes: its knowledge files and its examples."""
    for folder, target in (("knowledge", "data/knowledge"), ("nlu", "data/nlu")):
        for path in sorted((fixture / folder).iterdir()):
            shutil.copy(path, project / target / path.name)


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
    add_document(copy, FIXTURE)
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


@pytest.mark.parametrize(
    ("question", "sentence", "section"),
    [
        (
            "Who lays the eggs in a hive?",
            "The queen is the only bee in the colony that lays eggs.",
            "The Colony",
        ),
        (
            "Where do bees carry the nectar they collect?",
            "Worker bees collect nectar from flowers and carry it back to the hive in a "
            "special stomach called the honey crop.",
            "Making Honey",
        ),
        (
            "What does the waggle dance show?",
            "A forager that finds a good patch of flowers tells her sisters where it is "
            "with the waggle dance.",
            "The Waggle Dance",
        ),
    ],
)
def test_the_new_documents_facts_are_answered_with_its_own_citation(
    two_documents: Bot, judge: Judge, question: str, sentence: str, section: str
) -> None:
    reply = ask(two_documents, question)

    assert judge.outcome(reply) == "answer", reply
    assert sentence in reply
    assert TITLE in reply and section in reply
    assert ORIGINAL_TITLE not in reply


@pytest.mark.parametrize(
    "question",
    [
        "How do I treat a bee sting?",
        "How much does a beehive cost?",
        "Do bumblebees make honey too?",
        "How long does a queen bee live?",
    ],
)
def test_the_new_documents_out_of_scope_questions_are_declined(
    two_documents: Bot, judge: Judge, question: str
) -> None:
    reply = ask(two_documents, question)

    assert judge.outcome(reply) != "answer", reply
    assert not judge.verdict(reply.split("\n")), reply


@pytest.mark.parametrize(
    ("question", "sentence", "section"),
    [
        (
            "does osteoporosis cause hair loss?",
            "The physical process of bone weakening itself does not biologically cause "
            "hair follicles to fail.",
            "Is There a Direct Causal Link?",
        ),
        (
            "how much calcium do I need a day?",
            "Adults typically need 1,000 to 1,200 mg of calcium daily",
            "Nutritional Strategies for Bone and Hair Resilience",
        ),
    ],
)
def test_the_original_article_still_answers_with_its_citation(
    two_documents: Bot, judge: Judge, question: str, sentence: str, section: str
) -> None:
    reply = ask(two_documents, question)

    assert judge.outcome(reply) == "answer", reply
    assert sentence in reply
    assert ORIGINAL_TITLE in reply and section in reply
    assert TITLE not in reply


def test_the_assistant_names_both_documents_when_asked_what_it_covers(
    two_documents: Bot,
) -> None:
    reply = ask(two_documents, "what can you help me with?")

    assert TITLE in reply and ORIGINAL_TITLE in reply
    assert "What is the waggle dance?" in reply
