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
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.concepts import words_of
from actions.constants import SLOT_ANSWERABILITY
from actions.knowledge import load_knowledge
from channels.responses import response

SLOT_FEEDBACK = "feedback"
INTENT_HELPFUL = "feedback_helpful"
INTENT_THANK = "thank"
# The response whose buttons go under every answer; its text is not sent.
UTTER_FEEDBACK_BUTTONS = "utter_feedback_buttons"
UTTER_FEEDBACK_THANKS = "utter_feedback_thanks"
UTTER_FEEDBACK_SORRY = "utter_feedback_sorry"
UTTER_FEEDBACK_NOTHING_YET = "utter_feedback_nothing_yet"

# Typed feedback is read from its words, and only they decide: the classifier's
# feedback intents also catch follow-ups such as "that's not new to me", which say
# nothing about whether the answer helped. Every example in data/nlu/feedback.yml reads
# as its intent (tests/unit/test_feedback.py).
_NEGATIVE = re.compile(
    r"\b(?:(?:not|nt|never|hardly)\s+(?:\w+\s+){0,2}?"
    r"(?:help(?:ed|ful|s|ing)?|useful|answer(?:ed|s)?|clear|what\s+i|make\s+sense)"
    r"|useless|unhelpful|no\s+help|waste|wrong\s+answer|thats\s+wrong|bad\s+answer"
    r"|confus\w*|makes\s+no\s+sense)\b"
)
_POSITIVE = re.compile(
    r"\b(?:help(?:ed|ful|s)|useful|answer(?:ed|s)\s+(?:it|my)|perfect|exactly\s+what"
    r"|(?:great|good|excellent|nice)\s+answer|clears?\s+(?:it|that)\s+up|clear\s+now"
    r"|good\s+to\s+know)\b"
)
# Words that ask for more than a rating ("great, another one").
ASKING_WORDS = frozenset({"another", "more", "next", "else", "tip", "tips"})


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
    return tuple(dict(button) for button in response(UTTER_FEEDBACK_BUTTONS)["buttons"])


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


async def respond_to_typed_feedback(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
) -> list[EventType]:
    """A typed message read as feedback. When its words say whether the answer helped,
    that is stored and replied to. But a message that asks for more ("great, another
    one", "helpful! any more?") gets the next tip after a tip and more of the answer
    otherwise, as "another" and "more" do; and a question ("is biotin useful?"), or a
    message whose words do not rate the answer ("I knew that already"), is answered as a
    question or follow-up. Neither keeps a rating."""
    # Imported here: actions.answering imports this module (thanks that say an answer
    # helped are feedback).
    from actions.answering import QUESTION_OPENINGS, ActionTellMore, answer
    from actions.tipping import last_was_tip, send_next_tip

    text = tracker.latest_message.get("text") or ""
    words = words_of(text)
    if ASKING_WORDS & set(words):
        if last_was_tip(tracker):
            return send_next_tip(dispatcher, tracker, None)
        return await ActionTellMore().run(dispatcher, tracker, domain)
    helpful = typed_feedback(text)
    asks = text.rstrip().endswith("?") or words[:1] in ([w] for w in QUESTION_OPENINGS)
    if helpful is None or asks:
        return answer(dispatcher, tracker)
    return give_feedback(dispatcher, tracker, helpful)


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
        if (tracker.latest_message.get("text") or "").startswith("/"):  # a button
            return give_feedback(dispatcher, tracker, latest_intent(tracker) == INTENT_HELPFUL)
        return await respond_to_typed_feedback(dispatcher, tracker, domain)
