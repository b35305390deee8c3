"""Reading the tracker and sending grounded messages: the pieces every action shares."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import answerability
from actions.answerability import (
    ANSWER,
    ATTRIBUTION,
    PARTIAL,
    SUMMARY,
    VERDICT,
    Decision,
    Question,
)
from actions.concepts import load_vocabulary
from actions.constants import (
    SLOT_ANSWERABILITY,
    SLOT_DISCLAIMER_SHOWN,
    SLOT_LAST_ENTRY,
    SLOT_LAST_QUESTION,
    SLOT_LAST_QUOTES,
    SLOT_MORE_SHOWN,
    UTTER_ANSWER,
    UTTER_ATTRIBUTION,
    UTTER_DECLINE,
    UTTER_DISCLAIMER,
    UTTER_NEUTRAL_ANSWER,
    UTTER_PARTIAL_ANSWER,
    UTTER_RETRIEVED,
)
from actions.feedback import feedback_buttons
from actions.knowledge import Entry, KnowledgeBase, Quote


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def intent_ranking(tracker: Tracker) -> list[tuple[str, float]]:
    """The classifier's ranking of the latest message: (intent, confidence), best first."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    return [(str(r.get("name")), float(r.get("confidence") or 0.0)) for r in ranking]


def citation(quotes: Iterable[Quote]) -> dict[str, str]:
    """Template variables for a quotation: `quote`, `title` and `section`."""
    quotes = list(quotes)
    sections = dict.fromkeys(f"“{q.section.heading}”" for q in quotes)
    return {
        "quote": " ".join(q.text for q in quotes),
        "title": quotes[0].document.title,
        "section": ", ".join(sections),
    }


def buttons_for(knowledge: KnowledgeBase, entry_ids: Iterable[str]) -> list[dict[str, Any]]:
    """Follow-up suggestions: each button sends the entry's intent as its payload."""
    entries = (knowledge.entries[i] for i in entry_ids if i in knowledge.entries)
    return [{"title": e.label, "payload": f"/{e.intent}"} for e in entries]


def disclaimer_once(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The 'general information, not advice' note, once per conversation."""
    if tracker.get_slot(SLOT_DISCLAIMER_SHOWN):
        return []
    dispatcher.utter_message(response=UTTER_DISCLAIMER)
    return [SlotSet(SLOT_DISCLAIMER_SHOWN, True)]


def quoted_list(words: Sequence[str]) -> str:
    """“a”, “b” or “c”: the user's own words, quoted."""
    quoted = [f"“{w}”" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def lead_text(entry: Entry, lead: str) -> str:
    if lead == VERDICT:
        return f"{entry.verdict} {entry.summary}"
    return entry.summary


def send_decision(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    knowledge: KnowledgeBase,
    decision: Decision,
    question: Question | None = None,
) -> list[EventType]:
    """Send what the answerability decision chose, and remember it: the entry and the
    sentences shown (for "tell me more" and "where does it say that?"), the question (for
    follow-ups) and the decision with its reason (for the report of unanswered questions)."""
    remembered: list[EventType] = [SlotSet(SLOT_ANSWERABILITY, decision.record())]
    if question is not None:
        record = answerability.remembered(question, decision, load_vocabulary())
        remembered.append(SlotSet(SLOT_LAST_QUESTION, record))
    if decision.outcome not in (ANSWER, PARTIAL) or not decision.quotes:
        dispatcher.utter_message(response=UTTER_DECLINE)
        return remembered
    events = disclaimer_once(dispatcher, tracker)
    entry = decision.entry
    buttons = [*(buttons_for(knowledge, entry.related) if entry else []), *feedback_buttons()]
    shown = list(decision.quotes)
    if decision.reason == ATTRIBUTION:
        dispatcher.utter_message(response=UTTER_ATTRIBUTION)
        for each in (entry, *decision.also):
            assert each is not None
            dispatcher.utter_message(
                response=UTTER_NEUTRAL_ANSWER, topic=each.topic, **citation(each.quotes)
            )
            shown += [q for q in each.quotes if q not in shown]
    elif decision.outcome == PARTIAL:
        assert entry is not None
        dispatcher.utter_message(
            response=UTTER_PARTIAL_ANSWER,
            buttons=buttons,
            uncovered=quoted_list(decision.uncovered),
            topic=entry.topic,
            **citation(decision.quotes),
        )
    elif entry is None:
        dispatcher.utter_message(response=UTTER_RETRIEVED, **citation(decision.quotes))
    elif decision.lead in (VERDICT, SUMMARY):
        dispatcher.utter_message(
            response=UTTER_ANSWER,
            buttons=buttons,
            answer=lead_text(entry, decision.lead),
            **citation(decision.quotes),
        )
    else:
        dispatcher.utter_message(
            response=UTTER_NEUTRAL_ANSWER,
            buttons=buttons,
            topic=entry.topic,
            **citation(decision.quotes),
        )
    return [
        *events,
        *remembered,
        SlotSet(SLOT_LAST_ENTRY, entry.id if entry else None),
        SlotSet(SLOT_LAST_QUOTES, [q.text for q in shown]),
        SlotSet(SLOT_MORE_SHOWN, False),
    ]


def last_quotes(tracker: Tracker, knowledge: KnowledgeBase) -> list[Quote]:
    """The sentences the last answer showed, with their sections."""
    texts = tracker.get_slot(SLOT_LAST_QUOTES) or []
    return [q for q in (knowledge.quote_for(t) for t in texts) if q is not None]
