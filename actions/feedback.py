"""Answer feedback: "Helpful" / "Not helpful" under an answer, or typed ("that didn't
help", "thanks, that helped").

The feedback is kept in the tracker with the answer it is about, as the value of the
`feedback` slot: whether it helped, the question's text, the entry answered from and
the answerability record of that reply (`make report` reads it for helpfulness per
topic). The buttons' titles and every reply are in domain.yml.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.concepts import words_of
from actions.constants import SLOT_ANSWERABILITY
from actions.knowledge import load_knowledge

DOMAIN_FILE = Path(__file__).resolve().parent.parent / "domain.yml"

SLOT_FEEDBACK = "feedback"
INTENT_HELPFUL = "feedback_helpful"
INTENT_NOT_HELPFUL = "feedback_not_helpful"
INTENT_THANK = "thank"
# The response whose buttons go under every answer; its text is not sent.
UTTER_FEEDBACK_BUTTONS = "utter_feedback_buttons"
UTTER_FEEDBACK_THANKS = "utter_feedback_thanks"
UTTER_FEEDBACK_SORRY = "utter_feedback_sorry"
UTTER_FEEDBACK_NOTHING_YET = "utter_feedback_nothing_yet"

# Typed feedback, read from the words: "not helpful", "didn't help", "useless" say it
# did not help; "helped", "helpful", "useful" (without a negation) that it did.
_NEGATIVE = re.compile(
    r"\b(?:(?:not|nt|never|hardly)\s+(?:\w+\s+){0,2}?(?:help(?:ed|ful|s|ing)?|useful|"
    r"answer(?:ed)?|clear|what\s+i)|useless|unhelpful|no\s+help|waste|wrong)\b"
)
_POSITIVE = re.compile(r"\b(?:help(?:ed|ful|s)|useful|answered\s+(?:it|my)|perfect)\b")


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def typed_feedback(text: str) -> bool | None:
    """Whether a typed message says the answer helped (True), did not (False), or says
    neither (None): "thanks" alone says neither."""
    words = " ".join(re.findall(r"[a-z]+", text.lower().replace("n't", " nt").replace("'", "")))
    if _NEGATIVE.search(words):
        return False
    if _POSITIVE.search(words):
        return True
    return None


@functools.cache
def feedback_buttons() -> tuple[dict[str, Any], ...]:
    """The "Helpful" / "Not helpful" buttons, as domain.yml words them."""
    domain = yaml.safe_load(DOMAIN_FILE.read_text("utf-8"))
    variants = domain["responses"][UTTER_FEEDBACK_BUTTONS]
    return tuple(dict(button) for button in variants[0]["buttons"])


def helpful_from(tracker: Tracker) -> bool | None:
    """What the latest message says: a button's intent decides; typed words override a
    classifier's guess ("not helpful at all" read as helpful); thanks count only when
    they say the answer helped."""
    intent = latest_intent(tracker)
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return {INTENT_HELPFUL: True, INTENT_NOT_HELPFUL: False}.get(intent or "")
    said = typed_feedback(text)
    if said is not None or intent == INTENT_THANK:
        return said
    return {INTENT_HELPFUL: True, INTENT_NOT_HELPFUL: False}.get(intent or "")


def answered_question(tracker: Tracker) -> str | None:
    """The text of the question the last reply answered: the user message before the
    latest `answerability` record (a button's payload is given as its entry's label)."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.get("event") == "slot" and event.get("name") == SLOT_ANSWERABILITY:
            for earlier in reversed(events[:index]):
                if earlier.get("event") == "user":
                    return _as_text(earlier)
            return None
    return None


def _as_text(event: dict[str, Any]) -> str:
    text = str(event.get("text") or "")
    if text.startswith("/"):
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        entry = load_knowledge().by_intent.get(intent or "")
        return entry.label if entry is not None else text
    return text


def feedback_record(tracker: Tracker, helpful: bool) -> dict[str, Any] | None:
    """The feedback as stored: about the last reply, or None when there was none."""
    decision = tracker.get_slot(SLOT_ANSWERABILITY)
    if not isinstance(decision, dict):
        return None
    text = tracker.latest_message.get("text") or ""
    return {
        "helpful": helpful,
        "question": answered_question(tracker),
        "entry": decision.get("entry"),
        "answerability": decision,
        "by": "button" if text.startswith("/") else "text",
    }


def give_feedback(
    dispatcher: CollectingDispatcher, tracker: Tracker, helpful: bool
) -> list[EventType]:
    """Store the feedback with the answer it is about, and reply to it."""
    record = feedback_record(tracker, helpful)
    if record is None:
        dispatcher.utter_message(response=UTTER_FEEDBACK_NOTHING_YET)
        return []
    dispatcher.utter_message(response=UTTER_FEEDBACK_THANKS if helpful else UTTER_FEEDBACK_SORRY)
    return [SlotSet(SLOT_FEEDBACK, record)]


def thanks_say_it_helped(tracker: Tracker) -> bool:
    """Thanks that say the last answer helped ("thank you, that helps") are feedback;
    plain thanks, or thanks before any answer, are not."""
    return (
        latest_intent(tracker) == INTENT_THANK
        and typed_feedback(tracker.latest_message.get("text") or "") is True
        and isinstance(tracker.get_slot(SLOT_ANSWERABILITY), dict)
    )


class ActionFeedback(Action):
    """'Helpful' / 'Not helpful', pressed or typed."""

    def name(self) -> str:
        return "action_feedback"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        # Imported here: actions.answering imports this module (thanks that say an
        # answer helped are feedback).
        from actions.answering import QUESTION_OPENINGS, answer, is_own_question

        text = tracker.latest_message.get("text") or ""
        if not text.startswith("/") and typed_feedback(text) is None:
            # "Would a hair transplant help me?" read as feedback: a question, answered.
            asks = text.rstrip().endswith("?") or words_of(text)[:1] in (
                [w] for w in QUESTION_OPENINGS
            )
            if asks or is_own_question(tracker):
                return answer(dispatcher, tracker)
        helpful = helpful_from(tracker)
        if helpful is None:
            helpful = latest_intent(tracker) == INTENT_HELPFUL
        return give_feedback(dispatcher, tracker, helpful)
