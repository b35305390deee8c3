"""Lifestyle tips, one at a time, never repeated within a conversation."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answerability import (
    NO_MORE_TIPS,
    NO_MORE_TIPS_FOR,
    TIP,
    Question,
    decide_tip,
    read_question,
)
from actions.concepts import load_vocabulary, words_of
from actions.constants import (
    SLOT_ANSWERABILITY,
    SLOT_LAST_ENTRY,
    SLOT_LAST_QUESTION,
    SLOT_LAST_QUOTES,
    SLOT_MORE_SHOWN,
    SLOT_TIPS_GIVEN,
    UTTER_NO_MORE_TIPS,
    UTTER_NO_MORE_TIPS_FOCUS,
    UTTER_NO_TIP_FOR,
    UTTER_TIP,
)
from actions.feedback import feedback_buttons
from actions.knowledge import load_knowledge
from actions.messages import cite, disclaimer_once, preface, quoted_list, slot_history


def last_was_tip(tracker: Tracker) -> bool:
    """Whether the last thing the bot gave was a tip (so "more?" asks for another)."""
    decision = tracker.get_slot(SLOT_ANSWERABILITY) or {}
    return isinstance(decision, dict) and str(decision.get("reason", "")).startswith(TIP)


# A request for another tip than what was just said ("any other supplement tips?").
_ANOTHER = frozenset("other another else more".split())  # noqa: SIM905


def send_next_tip(
    dispatcher: CollectingDispatcher, tracker: Tracker, question: Question | None
) -> list[EventType]:
    """The next tip not given yet that fits what the request names ("a tip for my
    bones"); if no tip fits, say so and give the next one; say when there are no more."""
    knowledge = load_knowledge()
    tips = knowledge.tips
    given = list(tracker.get_slot(SLOT_TIPS_GIVEN) or [])
    # A tip whose sentence an answer in this conversation quoted would say nothing new.
    shown = set(tracker.get_slot(SLOT_LAST_QUOTES) or []).union(
        *(quotes or [] for quotes in slot_history(tracker, SLOT_LAST_QUOTES))
    )
    quoted = [
        tip.id for tip in tips if any(q.text in shown for q in tip.quotes) and tip.id not in given
    ]
    vocabulary = load_vocabulary()
    if question is None:
        question = read_question("", vocabulary)
    decision = decide_tip(question, tips, [*given, *quoted], vocabulary, knowledge)
    if decision.tip is None and quoted and _ANOTHER & set(words_of(question.text)):
        # "Any other supplement tips?" after the answer on vitamin D, the one tip on
        # supplements: another tip, not the one just quoted.
        decision = decide_tip(read_question("", vocabulary), tips, [*given, *quoted], vocabulary)
    if decision.tip is None and quoted:  # only the ones just quoted are left
        decision = decide_tip(question, tips, given, vocabulary, knowledge)
    record = [SlotSet(SLOT_ANSWERABILITY, decision.record())]
    if decision.tip is None:
        if decision.reason == NO_MORE_TIPS_FOR:
            dispatcher.utter_message(
                response=UTTER_NO_MORE_TIPS_FOCUS, focus=quoted_list(decision.uncovered)
            )
        else:
            assert decision.reason == NO_MORE_TIPS
            dispatcher.utter_message(response=UTTER_NO_MORE_TIPS)
        return record
    events = disclaimer_once(tracker)
    opening = ""
    if decision.uncovered:
        opening = preface(UTTER_NO_TIP_FOR, uncovered=quoted_list(decision.uncovered))
    tip = decision.tip
    cite(dispatcher, UTTER_TIP, [*tip.quotes], tip.tip, [*feedback_buttons()], opening, tip=tip.tip)
    # Follow-ups ("I'm vegan", "where does it say that?") lean on the tip's sentence and
    # the entry that quotes it.
    entry = knowledge.entry_quoting(tip.quote)
    context = {"concepts": list(entry.subjects[:1]), "yes_no": False} if entry else None
    return [
        *events,
        *record,
        SlotSet(SLOT_LAST_ENTRY, entry.id if entry else None),
        SlotSet(SLOT_LAST_QUESTION, context),
        SlotSet(SLOT_LAST_QUOTES, [q.text for q in tip.quotes]),
        SlotSet(SLOT_MORE_SHOWN, False),
        SlotSet(SLOT_TIPS_GIVEN, [*given, tip.id]),
    ]
