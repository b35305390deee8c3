"""Actions that answer from the knowledge entries, and their follow-ups."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.constants import (
    SLOT_LAST_ENTRY,
    SLOT_MORE_SHOWN,
    UTTER_CAPABILITIES,
    UTTER_DECLINE,
    UTTER_MORE,
    UTTER_NO_AMOUNT,
    UTTER_NO_MORE,
    UTTER_NOTHING_YET,
    UTTER_PERSONAL_ADVICE,
    UTTER_SOURCE,
    UTTER_UNCLEAR_SUBJECT,
)
from actions.knowledge import Entry, load_knowledge
from actions.messages import (
    buttons_for,
    citation,
    latest_intent,
    subjects_in,
    utter_entry,
)
from actions.resolve import by_subject, resolve

_MISSING_RESPONSES = {"no_amount": UTTER_NO_AMOUNT, "no_subject": UTTER_UNCLEAR_SUBJECT}


def _last_entry(tracker: Tracker) -> Entry | None:
    return load_knowledge().entries.get(tracker.get_slot(SLOT_LAST_ENTRY) or "")


class ActionAnswer(Action):
    """Answer a topic question, or a follow-up that names only a subject or amount."""

    def name(self) -> Text:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        knowledge = load_knowledge()
        resolution = resolve(
            knowledge,
            latest_intent(tracker),
            subjects_in(tracker),
            tracker.get_slot(SLOT_LAST_ENTRY),
        )
        if resolution.entry:
            return utter_entry(dispatcher, tracker, knowledge, resolution.entry)
        dispatcher.utter_message(
            response=_MISSING_RESPONSES.get(resolution.missing or "", UTTER_DECLINE)
        )
        return []


class ActionTellMore(Action):
    """'Tell me more': the entry's further sentences, then say there is no more."""

    def name(self) -> Text:
        return "action_tell_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        entry = _last_entry(tracker)
        if entry is None:
            dispatcher.utter_message(response=UTTER_NOTHING_YET)
            return []
        buttons = buttons_for(load_knowledge(), entry.related)
        if not entry.more or tracker.get_slot(SLOT_MORE_SHOWN):
            dispatcher.utter_message(response=UTTER_NO_MORE, buttons=buttons)
            return []
        dispatcher.utter_message(response=UTTER_MORE, buttons=buttons, **citation(entry.more))
        return [SlotSet(SLOT_MORE_SHOWN, True)]


class ActionCiteSource(Action):
    """'Where does it say that?': the last answer's quotation and section."""

    def name(self) -> Text:
        return "action_cite_source"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        entry = _last_entry(tracker)
        if entry is None:
            dispatcher.utter_message(response=UTTER_NOTHING_YET)
        else:
            dispatcher.utter_message(response=UTTER_SOURCE, **citation(entry.quotes))
        return []


class ActionPersonalAdvice(Action):
    """Never advice: a pointer to the doctor, then the general information if any."""

    def name(self) -> Text:
        return "action_personal_advice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response=UTTER_PERSONAL_ADVICE)
        knowledge = load_knowledge()
        entry = by_subject(knowledge, subjects_in(tracker), None)
        return utter_entry(dispatcher, tracker, knowledge, entry) if entry else []


class ActionListTopics(Action):
    """'What can you do?': the topics the knowledge base answers, from the data."""

    def name(self) -> Text:
        return "action_list_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        knowledge = load_knowledge()
        topics = "\n".join(f"• {e.label}" for e in knowledge.entries.values())
        dispatcher.utter_message(
            response=UTTER_CAPABILITIES,
            topics=topics,
            titles=", ".join(f"“{d.title}”" for d in knowledge.documents.values()),
        )
        return []
