"""Answer feedback as a user meets it: the buttons under an answer, pressed or typed
feedback, the reply, and what is stored with the answer."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.answering import ActionAnswer, ActionSmallTalk
from actions.feedback import (
    SLOT_FEEDBACK,
    ActionFeedback,
    feedback_buttons,
    typed_feedback,
)
from rasa_patches.slash_commands import is_button_payload
from tests.conftest import PROJECT_DIR, build_tracker
from tests.unit.test_actions import Conversation, TrackerFactory, after_answer, run

QUESTION = "Can Fosamax cause hair loss?"


def answered(question: str, entry_id: str, outcome: str = "answer") -> dict[str, Any]:
    """Slots and events of a conversation whose last reply answered `question`."""
    slots = after_answer(entry_id)
    slots["answerability"]["outcome"] = outcome
    events = [
        {"event": "user", "text": question, "parse_data": {"intent": {"name": "x"}}},
        {"event": "bot", "text": "…"},
        {"event": "slot", "name": "answerability", "value": slots["answerability"]},
    ]
    return {"slots": slots, "events": events}


def feedback_turn(
    text: str, intent: str, before: dict[str, Any] | None = None, action: Any = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(replies, events) of one feedback message after `before` (an answer, or nothing)."""
    before = before or {"slots": {}, "events": []}
    tracker = build_tracker(text, intent, **before["slots"])
    tracker.events = [*before["events"], {"event": "user", "text": text}]
    dispatcher = CollectingDispatcher()
    events = run(action or ActionFeedback(), dispatcher, tracker, {})
    return dispatcher.messages, events


def stored(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    values = [e["value"] for e in events if e.get("name") == SLOT_FEEDBACK]
    return values[-1] if values else None


def test_an_answer_ends_with_helpful_and_not_helpful_buttons(
    make_tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    conversation = Conversation(make_tracker, domain)
    [message] = conversation.turn(ActionAnswer(), QUESTION, "ask_bisphosphonates")

    payloads = [b["payload"] for b in message["buttons"]]
    titles = [b["title"] for b in message["buttons"]]
    assert payloads[-2:] == ["/feedback_helpful", "/feedback_not_helpful"]
    assert titles[-2:] == ["Helpful", "Not helpful"]
    assert payloads[0] == "/ask_glucocorticoids"  # the suggestions come first


def test_the_buttons_are_worded_in_the_domain(domain: dict[str, Any]) -> None:
    assert list(feedback_buttons()) == domain["responses"]["utter_feedback_buttons"][0]["buttons"]


@pytest.mark.parametrize("payload", ["/feedback_helpful", "/feedback_not_helpful"])
def test_the_feedback_buttons_send_intents(payload: str) -> None:
    assert is_button_payload(payload)


@pytest.mark.parametrize(
    ("payload", "intent", "helpful", "reply"),
    [
        ("/feedback_helpful", "feedback_helpful", True, "utter_feedback_thanks"),
        ("/feedback_not_helpful", "feedback_not_helpful", False, "utter_feedback_sorry"),
    ],
)
def test_pressed_feedback_is_stored_with_the_answer_it_is_about(
    payload: str, intent: str, helpful: bool, reply: str
) -> None:
    replies, events = feedback_turn(payload, intent, answered(QUESTION, "bisphosphonates"))

    assert [m["response"] for m in replies] == [reply]
    assert stored(events) == {
        "helpful": helpful,
        "question": QUESTION,
        "entry": "bisphosphonates",
        "answerability": {
            "outcome": "answer",
            "reason": "covered",
            "entry": "bisphosphonates",
            "uncovered": [],
        },
        "by": "button",
    }


def test_not_helpful_offers_to_rephrase_and_points_to_the_doctor(domain: dict[str, Any]) -> None:
    text = domain["responses"]["utter_feedback_sorry"][0]["text"]
    assert "another way" in text
    assert "doctor" in text


def test_feedback_on_a_partial_answer_keeps_its_outcome() -> None:
    before = answered("does fosamax cause acne?", "bisphosphonates", outcome="partial")
    _, events = feedback_turn("that didn't help", "feedback_not_helpful", before)
    record = stored(events)
    assert record is not None
    assert record["helpful"] is False
    assert record["answerability"]["outcome"] == "partial"
    assert record["by"] == "text"


def test_a_button_question_is_stored_as_its_label() -> None:
    before = answered("/ask_calcium", "calcium")
    before["events"][0]["parse_data"]["intent"]["name"] = "ask_calcium"
    _, events = feedback_turn("/feedback_helpful", "feedback_helpful", before)
    record = stored(events)
    assert record is not None
    assert not record["question"].startswith("/")
    assert "calcium" in record["question"].lower()


def test_feedback_with_no_answer_before_it_gets_a_reply_and_stores_nothing() -> None:
    replies, events = feedback_turn("/feedback_not_helpful", "feedback_not_helpful")
    assert [m["response"] for m in replies] == ["utter_feedback_nothing_yet"]
    assert events == []


@pytest.mark.parametrize(
    ("text", "helpful"),
    [
        ("that didn't help", False),
        ("that did not help at all", False),
        ("not helpful", False),
        ("that wasn't very useful", False),
        ("useless", False),
        ("that doesn't answer my question", False),
        ("this isn't helping", False),
        ("thanks that helped", True),
        ("that was useful", True),
        ("thank you, that helps", True),
        ("very helpful", True),
        ("thanks", None),
        ("thank you so much", None),
        ("ok", None),
    ],
)
def test_typed_feedback_is_read_from_its_words(text: str, helpful: bool | None) -> None:
    assert typed_feedback(text) is helpful


def _examples(intent: str) -> list[str]:
    nlu = yaml.safe_load((PROJECT_DIR / "data" / "nlu" / "feedback.yml").read_text("utf-8"))
    [block] = [b for b in nlu["nlu"] if b["intent"] == intent]
    return [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")]


@pytest.mark.parametrize(
    ("intent", "helpful"), [("feedback_helpful", True), ("feedback_not_helpful", False)]
)
def test_every_training_example_of_feedback_reads_as_its_intent(intent: str, helpful: bool) -> None:
    examples = _examples(intent)
    assert len(examples) >= 20
    assert [e for e in examples if typed_feedback(e) is not helpful] == []


@pytest.mark.parametrize(
    "text", ["that's not new to me", "I knew that already", "not that one", "hmm"]
)
def test_a_message_the_classifier_took_for_feedback_that_rates_nothing_is_not_stored(
    text: str,
) -> None:
    replies, events = feedback_turn(
        text, "feedback_not_helpful", answered(QUESTION, "bisphosphonates")
    )
    assert stored(events) is None
    assert "utter_feedback_sorry" not in [m["response"] for m in replies]


def test_words_override_a_wrong_guess_of_the_classifier() -> None:
    before = answered(QUESTION, "bisphosphonates")
    replies, events = feedback_turn("not helpful at all", "feedback_helpful", before)
    assert [m["response"] for m in replies] == ["utter_feedback_sorry"]
    assert (stored(events) or {})["helpful"] is False


@pytest.mark.parametrize(
    ("text", "before", "reply"),
    [
        ("does walking help my bones?", True, "utter_grounded_answer"),
        ("would a hair transplant help me?", False, "utter_decline"),
        ("would a hair transplant help me", False, "utter_decline"),
        ("is ketoconazole shampoo useful for thinning hair?", False, "utter_partial_answer"),
    ],
)
def test_a_question_read_as_feedback_is_answered_as_a_question(
    text: str, before: bool, reply: str
) -> None:
    earlier = answered(QUESTION, "bisphosphonates") if before else None
    replies, events = feedback_turn(text, "feedback_helpful", earlier)
    assert stored(events) is None
    assert replies[-1]["response"] == reply


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("great, another one", "feedback_helpful"),
        ("helpful! any more?", "feedback_helpful"),
        ("nice, more?", "feedback_helpful"),
        ("thanks, that helped. another tip?", "thank"),
    ],
)
def test_a_rating_that_asks_for_another_tip_gets_it(text: str, intent: str) -> None:
    before = answered(QUESTION, "bisphosphonates")
    before["slots"]["answerability"] = {"outcome": "answer", "reason": "tip", "entry": None}
    action = ActionSmallTalk() if intent == "thank" else ActionFeedback()
    replies, events = feedback_turn(text, intent, before, action=action)
    assert [m["response"] for m in replies][-1] == "utter_tip"
    assert stored(events) is None


def test_a_rating_that_asks_for_more_of_an_answer_gets_it() -> None:
    replies, events = feedback_turn(
        "great, tell me more", "feedback_helpful", answered(QUESTION, "bisphosphonates")
    )
    assert [m["response"] for m in replies] in (["utter_more"], ["utter_no_more"])
    assert stored(events) is None


@pytest.mark.parametrize(
    ("text", "before", "reply", "feedback"),
    [
        ("thanks", True, "utter_you_are_welcome", None),
        ("thank you, that helps", True, "utter_feedback_thanks", True),
        ("thank you, that helps", False, "utter_you_are_welcome", None),
    ],
)
def test_thanks_are_feedback_only_when_they_say_an_answer_helped(
    text: str, before: bool, reply: str, feedback: bool | None
) -> None:
    earlier = answered(QUESTION, "bisphosphonates") if before else None
    replies, events = feedback_turn(text, "thank", earlier, action=ActionSmallTalk())
    assert [m["response"] for m in replies] == [reply]
    assert (stored(events) or {}).get("helpful") is feedback
