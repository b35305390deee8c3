"""Which entry answers a message, from its intent, its entities and the last answer."""

from __future__ import annotations

import pytest

from actions.knowledge import KnowledgeBase
from actions.resolve import (
    Resolution,
    by_subject,
    context_terms,
    entry_for_hit,
    follow_up,
    resolve,
)
from actions.retrieval import Hit, load_index

TELOGEN = (
    "This same inflammatory environment can prematurely push hair follicles into the resting "
    "phase, resulting in a type of temporary shedding known as telogen effluvium."
)
UNQUOTED = "Targeted supplementation is often necessary to optimize the body’s ability to utilize these building blocks."  # noqa: E501
HOW_MUCH_BUG = (
    "BUG actions/resolve.py:39: for ask_how_much the last answer's subjects are tried after "
    "the named ones, so 'how much protein?' after the calcium answer resolves to `calcium` "
    "(1,000-1,200 mg of calcium) instead of no_amount: the named subject should win"
)


@pytest.mark.parametrize(
    ("intent", "subjects", "last", "expected"),
    [
        # A topic intent answers its own entry.
        ("ask_bisphosphonates", [], None, "bisphosphonates"),
        ("ask_bisphosphonates", ["bisphosphonates"], "calcium", "bisphosphonates"),
        ("ask_telogen_effluvium", [], "calcium", "telogen_effluvium"),
        # ...unless the message names another subject with an entry of the same aspect:
        # "can steroids thin hair?" classified as the Fosamax question.
        ("ask_bisphosphonates", ["glucocorticoids"], None, "glucocorticoids"),
        ("ask_calcium", ["vitamin_d"], None, "vitamin_d_dose"),
        # No calcium entry asks about a link: the intent's own entry stands.
        ("ask_vitamin_d_link", ["calcium"], None, "vitamin_d_link"),
        # "What about X?" keeps the kind of question asked last.
        ("ask_what_about", ["glucocorticoids"], "bisphosphonates", "glucocorticoids"),
        ("ask_what_about", ["hrt"], "glucocorticoids", "hrt_antiestrogen"),
        ("ask_what_about", ["vitamin_d"], "calcium", "vitamin_d_dose"),
        ("ask_what_about", ["vitamin_d"], "bisphosphonates", "vitamin_d_link"),
        ("ask_what_about", ["vitamin_d"], None, "vitamin_d_link"),
        ("ask_what_about", ["iron"], "calcium", "biotin_iron"),
        # "How much?" looks for an amount: the named subject first, then the last answer's.
        ("ask_how_much", [], "vitamin_d_link", "vitamin_d_dose"),
        ("ask_how_much", [], "calcium", "calcium"),
        ("ask_how_much", ["calcium"], None, "calcium"),
        ("ask_how_much", ["vitamin_d"], "protein", "vitamin_d_dose"),
    ],
)
def test_a_message_resolves_to_its_entry(
    knowledge: KnowledgeBase,
    intent: str,
    subjects: list[str],
    last: str | None,
    expected: str,
) -> None:
    resolution = resolve(knowledge, intent, subjects, last)

    assert resolution.entry is not None
    assert (resolution.entry.id, resolution.missing) == (expected, None)


@pytest.mark.parametrize(
    ("intent", "subjects", "last", "missing"),
    [
        # The article gives no amount of protein (or biotin, iron...).
        ("ask_how_much", [], "protein", "no_amount"),
        ("ask_how_much", ["protein"], None, "no_amount"),
        ("ask_how_much", ["iron"], None, "no_amount"),
        # "How much protein?" right after the calcium answer.
        pytest.param(
            "ask_how_much",
            ["protein"],
            "calcium",
            "no_amount",
            marks=pytest.mark.xfail(strict=True, reason=HOW_MUCH_BUG),
        ),
        ("ask_how_much", [], "why_together", "no_amount"),
        # Nothing says what the question is about.
        ("ask_how_much", [], None, "no_subject"),
        ("ask_what_about", [], None, "no_subject"),
        ("ask_what_about", [], "calcium", "no_subject"),
        # Not a question the knowledge answers.
        ("ask_what_about", ["ibuprofen"], "bisphosphonates", None),
        ("greet", [], "calcium", None),
        ("ask_followup", [], "calcium", None),
        (None, [], None, None),
    ],
)
def test_a_message_the_knowledge_cannot_answer_says_what_is_missing(
    knowledge: KnowledgeBase,
    intent: str | None,
    subjects: list[str],
    last: str | None,
    missing: str | None,
) -> None:
    assert resolve(knowledge, intent, subjects, last) == Resolution(None, missing)


def test_every_entry_is_reached_by_its_intent(knowledge: KnowledgeBase) -> None:
    for entry in knowledge.entries.values():
        assert resolve(knowledge, entry.intent, [], None).entry is entry


def test_an_unknown_last_entry_counts_as_no_context(knowledge: KnowledgeBase) -> None:
    assert resolve(knowledge, "ask_how_much", [], "retired_entry") == Resolution(None, "no_subject")


def test_by_subject_takes_the_first_subject_with_an_entry(knowledge: KnowledgeBase) -> None:
    entry = by_subject(knowledge, ["ibuprofen", "stress", "exercise"], None)

    assert entry is not None
    assert entry.id == "stress"
    assert by_subject(knowledge, ["ibuprofen"], None) is None
    assert by_subject(knowledge, [], knowledge.entries["calcium"]) is None


def test_context_terms_name_the_last_answers_subject(knowledge: KnowledgeBase) -> None:
    assert context_terms(knowledge.entries["telogen_effluvium"]) == [
        "telogen effluvium",
        "Telogen effluvium",
    ]
    assert context_terms(knowledge.entries["hrt_antiestrogen"]) == [
        "hrt",
        "anti estrogen",
        "HRT and anti-estrogen drugs",
    ]


def test_is_it_permanent_after_telogen_effluvium_answers_from_telogen_effluvium(
    knowledge: KnowledgeBase,
) -> None:
    index, settings = load_index()
    last = knowledge.entries["telogen_effluvium"]

    hit = follow_up(index, settings, "is it permanent?", last)

    assert hit is not None
    # The article's answer: it is a *temporary* shedding.
    assert hit.passage.quote.text == TELOGEN
    assert hit.clears(settings)
    # inflammation quotes this sentence first, but the conversation is about telogen effluvium.
    assert hit.passage.entry_ids[0] == "inflammation"
    assert entry_for_hit(knowledge, hit, last) is last


@pytest.mark.parametrize(
    ("text", "last"),
    [
        ("is it permanent?", None),  # no context to lean on
        ("is it permanent?", "calcium"),  # the article says nothing of the kind
        ("and the weather tomorrow?", "telogen_effluvium"),
    ],
)
def test_a_follow_up_with_nothing_to_go_on_finds_nothing(
    knowledge: KnowledgeBase, text: str, last: str | None
) -> None:
    index, settings = load_index()
    entry = knowledge.entries[last] if last else None

    assert follow_up(index, settings, text, entry) is None


def test_entry_for_hit_prefers_the_conversation_then_the_quoting_entry(
    knowledge: KnowledgeBase,
) -> None:
    index, _ = load_index()
    passage = next(p for p in index.passages if p.quote.text == TELOGEN)
    hit = Hit(passage, 10.0, 1.0)

    assert entry_for_hit(knowledge, hit) is knowledge.entries["inflammation"]
    assert entry_for_hit(knowledge, hit, knowledge.entries["stress"]) is knowledge.entries["stress"]
    # calcium does not quote it, so it is not preferred.
    assert (
        entry_for_hit(knowledge, hit, knowledge.entries["calcium"])
        is knowledge.entries["inflammation"]
    )


def test_entry_for_hit_is_none_for_a_sentence_no_entry_quotes(knowledge: KnowledgeBase) -> None:
    index, _ = load_index()
    passage = next(p for p in index.passages if p.quote.text == UNQUOTED)

    assert passage.entry_ids == ()
    assert entry_for_hit(knowledge, Hit(passage, 10.0, 1.0)) is None
