"""Which entry answers a message, from its intent, its entities and the last answer."""

from __future__ import annotations

from dataclasses import replace

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
from actions.retrieval import CONTEXT_WEIGHT, Hit, PassageIndex, Settings, load_index
from tests.unit.article import CHRONIC_INFLAMMATION, REMODELING, TELOGEN, UNQUOTED


@pytest.mark.parametrize(
    ("intent", "subjects", "last", "expected"),
    [
        # A topic intent answers its own entry.
        ("ask_bisphosphonates", [], None, "bisphosphonates"),
        ("ask_bisphosphonates", ["bisphosphonates"], "calcium", "bisphosphonates"),
        ("ask_telogen_effluvium", [], "calcium", "telogen_effluvium"),
        # ...unless the message names another subject: the subject wins, with the same
        # kind of question when it has one ("can steroids thin hair?" classified as the
        # Fosamax question)...
        ("ask_bisphosphonates", ["glucocorticoids"], None, "glucocorticoids"),
        ("ask_calcium", ["vitamin_d"], None, "vitamin_d_dose"),
        # ...else its first entry ("can letrozole make hair fall out?" classified as the
        # causal-link question: no anti-estrogen entry asks about a link).
        ("ask_causal_link", ["anti_estrogen"], None, "hrt_antiestrogen"),
        ("ask_vitamin_d_link", ["calcium"], None, "calcium"),
        # A subject the knowledge does not know leaves the intent's own entry standing.
        ("ask_bisphosphonates", ["ibuprofen"], None, "bisphosphonates"),
        # One of the named subjects is the entry's own: the entry stands.
        ("ask_vitamin_d_link", ["calcium", "vitamin_d"], None, "vitamin_d_link"),
        # "What about X?" keeps the kind of question asked last.
        ("ask_what_about", ["glucocorticoids"], "bisphosphonates", "glucocorticoids"),
        ("ask_what_about", ["hrt"], "glucocorticoids", "hrt_antiestrogen"),
        ("ask_what_about", ["vitamin_d"], "calcium", "vitamin_d_dose"),
        ("ask_what_about", ["vitamin_d"], "bisphosphonates", "vitamin_d_link"),
        ("ask_what_about", ["vitamin_d"], None, "vitamin_d_link"),
        ("ask_what_about", ["iron"], "calcium", "biotin_iron"),
        # "How much?" looks for an amount of the subject the user names, or, when they
        # name none, of the last answer's subject.
        ("ask_how_much", [], "vitamin_d_link", "vitamin_d_dose"),
        ("ask_how_much", [], "calcium", "calcium"),
        ("ask_how_much", ["calcium"], None, "calcium"),
        ("ask_how_much", ["vitamin_d"], "protein", "vitamin_d_dose"),
        ("ask_how_much", ["vitamin_d"], "calcium", "vitamin_d_dose"),
        ("ask_how_much", ["protein", "calcium"], "vitamin_d_link", "calcium"),
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
        # "How much protein?" right after the calcium answer: the named subject wins, and
        # the calcium dose is not an answer about protein.
        ("ask_how_much", ["protein"], "calcium", "no_amount"),
        ("ask_how_much", ["iron"], "vitamin_d_dose", "no_amount"),
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


@pytest.mark.parametrize(
    ("text", "last", "sentence"),
    [
        # The last answer says what "it" is; the message's own words are in the sentence.
        ("is the shedding temporary?", "telogen_effluvium", TELOGEN),
        ("is it temporary?", "telogen_effluvium", TELOGEN),
        ("does it affect bone too?", "inflammation", CHRONIC_INFLAMMATION),
        # Without context, a plain search: it must clear the normal thresholds.
        ("and what about osteoclasts and osteoblasts?", None, REMODELING),
        ("is the shedding temporary in telogen effluvium?", None, TELOGEN),
    ],
)
def test_a_follow_up_finds_the_sentence_that_answers_it(
    knowledge: KnowledgeBase,
    index: PassageIndex,
    settings: Settings,
    text: str,
    last: str | None,
    sentence: str,
) -> None:
    entry = knowledge.entries[last] if last else None

    hit = follow_up(index, settings, text, entry)

    assert hit is not None
    assert hit.passage.quote.text == sentence


def test_a_follow_up_answers_from_the_entry_the_conversation_is_about(
    knowledge: KnowledgeBase, index: PassageIndex, settings: Settings
) -> None:
    last = knowledge.entries["telogen_effluvium"]

    hit = follow_up(index, settings, "is the shedding temporary?", last)

    assert hit is not None
    # inflammation quotes this sentence first, but the conversation is about telogen effluvium.
    assert hit.passage.entry_ids[0] == "inflammation"
    assert entry_for_hit(knowledge, hit, last) is last


@pytest.mark.parametrize(
    ("text", "last"),
    [
        ("is it permanent?", None),  # no context to lean on
        ("is it permanent?", "calcium"),  # the article says nothing of the kind
        # The context finds the telogen effluvium sentence, but "permanent" is not in it:
        # the last answer's words widen the search, they do not stand in for the message's.
        ("is it permanent?", "telogen_effluvium"),
        ("and the weather tomorrow?", "telogen_effluvium"),
        # Without context, one known word is not enough to clear the normal thresholds.
        ("and osteoblasts?", None),
    ],
)
def test_a_follow_up_with_nothing_to_go_on_finds_nothing(
    knowledge: KnowledgeBase, index: PassageIndex, settings: Settings, text: str, last: str | None
) -> None:
    entry = knowledge.entries[last] if last else None

    assert follow_up(index, settings, text, entry) is None


@pytest.mark.parametrize("last", ["causal_link", "exercise", "hrt_antiestrogen"])
def test_a_follow_up_with_no_words_of_its_own_does_not_clear_on_the_context_alone(
    knowledge: KnowledgeBase, index: PassageIndex, settings: Settings, last: str
) -> None:
    assert follow_up(index, settings, "why is that?", knowledge.entries[last]) is None


def test_a_follow_up_with_context_needs_the_follow_up_coverage_of_its_own_words(
    knowledge: KnowledgeBase, index: PassageIndex, settings: Settings
) -> None:
    # "does it affect bones too?" after telogen effluvium: the sentence found (under the
    # heading "...Linking Bone and Hair Health") has "bone" but not "affect": half of the
    # message's own words.
    last = knowledge.entries["telogen_effluvium"]
    text = "does it affect bones too?"
    hit = index.search(text, context_terms(last), CONTEXT_WEIGHT)
    assert hit is not None
    assert hit.coverage == 0.5

    # Neither the normal coverage nor the score of a standalone question matters.
    lenient = replace(settings, min_score=99.0, min_coverage=1.0, followup_min_coverage=0.5)
    strict = replace(settings, min_score=1.0, min_coverage=0.5, followup_min_coverage=0.51)

    assert follow_up(index, lenient, text, last) == hit
    assert follow_up(index, strict, text, last) is None


def test_a_follow_up_without_context_needs_the_normal_coverage(
    index: PassageIndex, settings: Settings
) -> None:
    text = "is osteoporosis a skin disease?"  # two of its three words are in the answer
    hit = index.search(text)
    assert hit is not None
    assert round(hit.coverage, 2) == 0.67

    lenient = replace(settings, min_score=1.0, min_coverage=0.6, followup_min_coverage=1.0)
    strict = replace(settings, min_score=1.0, min_coverage=0.7, followup_min_coverage=0.1)

    assert follow_up(index, lenient, text, None) == hit
    assert follow_up(index, strict, text, None) is None


def test_a_follow_up_without_context_needs_the_minimum_score(
    index: PassageIndex, settings: Settings
) -> None:
    text = "is the shedding temporary in telogen effluvium?"
    hit = index.search(text)
    assert hit is not None

    just = replace(settings, min_score=hit.score, min_coverage=0.0)
    above = replace(settings, min_score=hit.score + 0.01, min_coverage=0.0)

    assert follow_up(index, just, text, None) == hit
    assert follow_up(index, above, text, None) is None


def test_entry_for_hit_prefers_the_conversation_then_the_quoting_entry(
    knowledge: KnowledgeBase,
) -> None:
    index, _ = load_index()
    passage = next(p for p in index.passages if p.quote.text == TELOGEN)
    hit = Hit(passage, 10.0, 1.0)

    assert entry_for_hit(knowledge, hit) is knowledge.entries["inflammation"]
    telogen_effluvium = knowledge.entries["telogen_effluvium"]
    assert entry_for_hit(knowledge, hit, telogen_effluvium) is telogen_effluvium
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
