"""Actions that answer from the knowledge entries, and their follow-ups."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.constants import (
    INTENT_FOLLOWUP,
    INTENT_WHAT_ABOUT,
    SLOT_LAST_ENTRY,
    SLOT_LAST_QUOTES,
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
    last_quotes,
    latest_intent,
    subjects_in,
    utter_entry,
)
from actions.resolve import by_subject, entry_for_hit, follow_up, resolve
from actions.retrieval import load_index, tokenize


def _last_entry(tracker: Tracker) -> Entry | None:
    return load_knowledge().entries.get(tracker.get_slot(SLOT_LAST_ENTRY) or "")


class ActionAnswer(Action):
    """Answer a topic question, or a follow-up that leans on the last answer."""

    def name(self) -> str:
        return "action_answer"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        knowledge = load_knowledge()
        last = _last_entry(tracker)
        intent = latest_intent(tracker)
        resolution = resolve(knowledge, intent, subjects_in(tracker), last.id if last else None)
        entry = resolution.entry
        if entry is None and (intent == INTENT_FOLLOWUP or resolution.missing == "no_subject"):
            # Pronoun follow-ups lean on the last answer; "what about X?" with an X we
            # do not recognise is a new question and is searched on its own.
            context = last if intent == INTENT_FOLLOWUP else None
            index, settings = load_index()
            text = tracker.latest_message.get("text") or ""
            hit = follow_up(index, settings, text, context)
            entry = entry_for_hit(knowledge, hit, last) if hit else None
            if entry is None:
                # Something specific we cannot find is declined; a question with nothing
                # to go on ("why is that?" with no context or no words) is asked back.
                specific = intent == INTENT_WHAT_ABOUT or (context and tokenize(text))
                dispatcher.utter_message(
                    response=UTTER_DECLINE if specific else UTTER_UNCLEAR_SUBJECT
                )
                return []
        if entry is not None:
            return utter_entry(dispatcher, tracker, knowledge, entry)
        no_amount = resolution.missing == "no_amount"
        dispatcher.utter_message(response=UTTER_NO_AMOUNT if no_amount else UTTER_DECLINE)
        return []


class ActionTellMore(Action):
    """'Tell me more': the entry's further sentences, then say there is no more."""

    def name(self) -> str:
        return "action_tell_more"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        knowledge = load_knowledge()
        entry = _last_entry(tracker)
        shown = last_quotes(tracker, knowledge)
        if entry is None and not shown:
            dispatcher.utter_message(response=UTTER_NOTHING_YET)
            return []
        # What the entry has that was not shown: after a full answer its `more`, after
        # a single retrieved sentence the rest of the entry.
        candidates = tuple(q for q in entry.quotes + entry.more if q not in shown) if entry else ()
        buttons = buttons_for(knowledge, entry.related) if entry else []
        if not candidates or tracker.get_slot(SLOT_MORE_SHOWN):
            dispatcher.utter_message(response=UTTER_NO_MORE, buttons=buttons)
            return []
        dispatcher.utter_message(response=UTTER_MORE, buttons=buttons, **citation(candidates))
        return [
            SlotSet(SLOT_MORE_SHOWN, True),
            SlotSet(SLOT_LAST_QUOTES, [q.text for q in candidates]),
        ]


class ActionCiteSource(Action):
    """'Where does it say that?': the last answer's quotation and section."""

    def name(self) -> str:
        return "action_cite_source"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        shown = last_quotes(tracker, load_knowledge())
        if not shown:
            dispatcher.utter_message(response=UTTER_NOTHING_YET)
        else:
            dispatcher.utter_message(response=UTTER_SOURCE, **citation(shown))
        return []


class ActionPersonalAdvice(Action):
    """Never advice: a pointer to the doctor, then the general information if any."""

    def name(self) -> str:
        return "action_personal_advice"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        dispatcher.utter_message(response=UTTER_PERSONAL_ADVICE)
        knowledge = load_knowledge()
        entry = by_subject(knowledge, subjects_in(tracker), None)
        return utter_entry(dispatcher, tracker, knowledge, entry) if entry else []


class ActionListTopics(Action):
    """'What can you do?': the topics the knowledge base answers, from the data."""

    def name(self) -> str:
        return "action_list_topics"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        knowledge = load_knowledge()
        topics = "\n".join(f"• {e.label}" for e in knowledge.entries.values())
        dispatcher.utter_message(
            response=UTTER_CAPABILITIES,
            topics=topics,
            titles=", ".join(f"“{d.title}”" for d in knowledge.documents.values()),
        )
        return []
