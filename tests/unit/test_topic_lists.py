"""A topic is declared once, by its knowledge entry: the domain's intent list and the rule
that routes questions to action_answer are written from the entries (scripts/topic_lists.py,
run by `make train`), and its training examples are in data/nlu/<entry id>.yml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from actions.knowledge import KnowledgeBase
from scripts.nlu_examples import examples
from scripts.topic_lists import BEGIN, END, TopicListError, stale, topic_intents, write
from tests.conftest import PROJECT_DIR
from tests.second_document import KNOWLEDGE as SECOND_KNOWLEDGE
from tests.second_document import add_knowledge

MIN_EXAMPLES = 20


def _answer_rule_intents(rules_file: Path) -> list[str]:
    rules = yaml.safe_load(rules_file.read_text("utf-8"))["rules"]
    [rule] = [r for r in rules if r["steps"][-1] == {"action": "action_answer"}]
    return [step["intent"] for step in rule["steps"][0]["or"]]


def test_the_domain_and_the_rules_list_the_topics_of_the_entries() -> None:
    out_of_date = [str(p.relative_to(PROJECT_DIR)) for p in stale(PROJECT_DIR)]

    assert out_of_date == [], (
        "the topic intents of these files differ from data/knowledge/*.entries.yml: "
        "run `make train` (or `python -m scripts.topic_lists`), which rewrites them"
    )


def test_every_entry_intent_is_a_topic_of_the_domain_and_of_the_answer_rule(
    knowledge: KnowledgeBase,
) -> None:
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text("utf-8"))
    routed = _answer_rule_intents(PROJECT_DIR / "data" / "rules.yml")

    assert topic_intents() == [e.intent for e in knowledge.entries.values()]
    assert set(topic_intents()) <= set(domain["intents"])
    assert set(topic_intents()) <= set(routed)


def test_every_topic_has_its_training_examples_in_its_own_file(knowledge: KnowledgeBase) -> None:
    missing = []
    for entry in knowledge.entries.values():
        path = PROJECT_DIR / "data" / "nlu" / f"{entry.id}.yml"
        own = [text for text, intent in examples([path]) if intent == entry.intent]
        if len(own) < MIN_EXAMPLES:
            missing.append(f"data/nlu/{entry.id}.yml: {len(own)} examples of {entry.intent}")
    assert missing == [], f"each topic needs at least {MIN_EXAMPLES} examples: {missing}"


def test_topic_examples_are_in_their_topic_file_not_in_the_conversation_file(
    knowledge: KnowledgeBase,
) -> None:
    conversation = {intent for _, intent in examples([PROJECT_DIR / "data" / "nlu.yml"])}

    assert sorted(conversation & set(knowledge.by_intent)) == []
    assert {"greet", "goodbye", "out_of_scope", "ask_followup"} <= conversation


def _project_copy(tmp_path: Path) -> Path:
    """domain.yml, data/rules.yml and data/knowledge/ of the project, in `tmp_path`."""
    shutil.copy(PROJECT_DIR / "domain.yml", tmp_path / "domain.yml")
    (tmp_path / "data").mkdir()
    shutil.copy(PROJECT_DIR / "data" / "rules.yml", tmp_path / "data" / "rules.yml")
    shutil.copytree(PROJECT_DIR / "data" / "knowledge", tmp_path / "data" / "knowledge")
    return tmp_path


def test_a_new_documents_entries_are_written_into_both_lists_and_nothing_else(
    tmp_path: Path,
) -> None:
    project = _project_copy(tmp_path)
    add_knowledge(project / "data" / "knowledge")
    before = {
        p: p.read_text("utf-8") for p in (project / "domain.yml", project / "data" / "rules.yml")
    }

    assert len(stale(project)) == 2
    written = write(project)

    assert sorted(written) == sorted(before)
    new = ["ask_bee_colony", "ask_making_honey", "ask_waggle_dance"]
    # Document by document (by file name), each in its file's order.
    everything = new + topic_intents(PROJECT_DIR / "data" / "knowledge")
    assert topic_intents(project / "data" / "knowledge") == everything
    domain = yaml.safe_load((project / "domain.yml").read_text("utf-8"))
    assert domain["intents"][: len(everything)] == everything
    assert _answer_rule_intents(project / "data" / "rules.yml")[: len(everything)] == everything
    for path, text in before.items():
        after = path.read_text("utf-8")
        assert after.split(BEGIN)[0] == text.split(BEGIN)[0]
        assert after.split(END)[1] == text.split(END)[1]
    # A second run finds nothing to do and leaves the files alone.
    assert stale(project) == [] and write(project) == []


def test_a_removed_topic_leaves_both_lists(tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    entries = project / "data" / "knowledge" / "osteoporosis-and-hair-loss.entries.yml"
    raw = yaml.safe_load(entries.read_text("utf-8"))
    raw["entries"] = [e for e in raw["entries"] if e["id"] != "stress"]
    raw["entries"] = [
        {**e, "related": [r for r in e["related"] if r != "stress"]} for e in raw["entries"]
    ]
    entries.write_text(yaml.safe_dump(raw), "utf-8")

    write(project)

    domain = yaml.safe_load((project / "domain.yml").read_text("utf-8"))
    assert "ask_stress" not in domain["intents"]
    assert "ask_stress" not in _answer_rule_intents(project / "data" / "rules.yml")
    assert "ask_exercise" in domain["intents"]


def test_a_file_without_its_marked_block_is_refused_by_name(tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    rules = project / "data" / "rules.yml"
    rules.write_text(rules.read_text("utf-8").replace(END, "# end"), "utf-8")

    with pytest.raises(TopicListError, match=r"rules\.yml"):
        write(project)


def test_an_intent_named_by_two_entries_is_refused(tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    knowledge = project / "data" / "knowledge"
    text = (SECOND_KNOWLEDGE / "honey-bees.entries.yml").read_text("utf-8")
    (knowledge / "honey-bees.entries.yml").write_text(
        text.replace("intent: ask_waggle_dance", "intent: ask_calcium"), "utf-8"
    )

    with pytest.raises(TopicListError, match="ask_calcium"):
        topic_intents(knowledge)
