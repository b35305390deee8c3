"""Reading the tracker and sending grounded messages: the pieces every action shares."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.constants import (
    SLOT_DISCLAIMER_SHOWN,
    SLOT_LAST_ENTRY,
    SLOT_LAST_QUOTES,
    SLOT_MORE_SHOWN,
    SUBJECT_ENTITIES,
    UTTER_ANSWER,
    UTTER_DISCLAIMER,
)
from actions.knowledge import Entry, KnowledgeBase, Quote


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def subjects_in(tracker: Tracker) -> list[str]:
    """Synonym-normalised subject entity values of the latest message, in order."""
    values = (
        str(e.get("value", "")).strip().lower()
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") in SUBJECT_ENTITIES
    )
    return list(dict.fromkeys(v for v in values if v))


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


def utter_entry(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    knowledge: KnowledgeBase,
    entry: Entry,
) -> list[EventType]:
    """Send an entry's grounded answer and remember it as the conversation's context."""
    return send_answer(
        dispatcher,
        tracker,
        entry.id,
        entry.quotes,
        response=UTTER_ANSWER,
        buttons=buttons_for(knowledge, entry.related),
        answer=entry.answer,
        **citation(entry.quotes),
    )


def send_answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    entry_id: str | None,
    quotes: Iterable[Quote],
    **message: Any,
) -> list[EventType]:
    """Send an answer drawn from the article (`message`: the response and its variables)
    and make it the context of follow-ups (its entry and the sentences shown).

    The one-time disclaimer goes first, so that the answer and its suggestion buttons are
    the last message: chat widgets show quick replies only under the last message.
    """
    events = disclaimer_once(dispatcher, tracker)
    dispatcher.utter_message(**message)
    return [
        *events,
        SlotSet(SLOT_LAST_ENTRY, entry_id),
        SlotSet(SLOT_LAST_QUOTES, [q.text for q in quotes]),
        SlotSet(SLOT_MORE_SHOWN, False),
    ]


def last_quotes(tracker: Tracker, knowledge: KnowledgeBase) -> list[Quote]:
    """The sentences the last answer showed, with their sections."""
    texts = tracker.get_slot(SLOT_LAST_QUOTES) or []
    return [q for q in (knowledge.quote_for(t) for t in texts) if q is not None]
