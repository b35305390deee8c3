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
    UTTER_NEUTRAL_ANSWER,
    UTTER_OFF_TOPIC,
    UTTER_PARTIAL_ANSWER,
    UTTER_RETRIEVED,
)
from actions.feedback import feedback_buttons
from actions.knowledge import Entry, KnowledgeBase, Quote
from channels.article import article_link
from channels.responses import response


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def slot_history(tracker: Tracker, name: str) -> list[Any]:
    """Every value the conversation's events set slot `name` to, oldest first."""
    return [
        e.get("value") for e in tracker.events if e.get("event") == "slot" and e.get("name") == name
    ]


def intent_ranking(tracker: Tracker) -> list[tuple[str, float]]:
    """The classifier's ranking of the latest message: (intent, confidence), best first."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    return [(str(r.get("name")), float(r.get("confidence") or 0.0)) for r in ranking]


def citation(quotes: Iterable[Quote]) -> dict[str, str]:
    """Template variables for a quotation: `quote`, `title`, `section`, `document` (its
    id) and `link`, the site-relative address of the first quote's section in the
    article page (channels/article.py), with the quoted sentences marked there."""
    quotes = list(quotes)
    sections = dict.fromkeys(f"“{q.section.heading}”" for q in quotes)
    first = quotes[0]
    return {
        "quote": " ".join(q.text for q in quotes),
        "title": first.document.title,
        "section": ", ".join(sections),
        "document": first.document.id,
        "link": article_link(first.document.id, first.section.heading, [q.text for q in quotes]),
    }


def answer_parts(answer: str | None, cited: dict[str, str], **more: Any) -> dict[str, Any]:
    """An answer's parts as `custom` data, for clients that lay an answer out themselves
    (the REST channel passes them on; the chat channels show the text alone)."""
    return {
        "answer": answer,
        "quote": cited["quote"],
        "document": cited["document"],
        "title": cited["title"],
        "section": cited["section"],
        "url": cited["link"],
        **more,
    }


def cite(
    dispatcher: CollectingDispatcher,
    response: str,
    quotes: Iterable[Quote],
    lead: str | None = None,
    buttons: list[dict[str, Any]] | None = None,
    preface: str = "",
    **variables: Any,
) -> None:
    """One message: `response` filled with `variables` and the citation of `quotes`,
    with the answer's parts (`lead` is its answer line) as `custom` data. `preface`
    opens the message (see `preface`)."""
    cited = citation(quotes)
    dispatcher.utter_message(
        response=response,
        buttons=buttons or [],
        json_message=answer_parts(lead, cited),
        preface=preface,
        **variables,
        **cited,
    )


def preface(name: str, **variables: Any) -> str:
    """Response `name`'s words, filled with `variables`, to open an answer's message (the
    `{preface}` of the responses that quote the article): the refusal of personal advice
    before the general information, "no tip about that" before the tip given instead.
    One message, so that on a phone the two cannot be read apart."""
    return str(response(name)["text"]).format(**variables) + "\n\n"


def titles(knowledge: KnowledgeBase) -> str:
    """The documents the bot answers from, by title: “A”, “B”."""
    return ", ".join(f"“{d.title}”" for d in knowledge.documents.values())


def buttons_for(knowledge: KnowledgeBase, entry_ids: Iterable[str]) -> list[dict[str, Any]]:
    """Follow-up suggestions: each button sends the entry's intent as its payload."""
    entries = (knowledge.entries[i] for i in entry_ids if i in knowledge.entries)
    return [{"title": e.label, "payload": f"/{e.intent}"} for e in entries]


def disclaimer_once(tracker: Tracker) -> list[EventType]:
    """The 'general information, not advice' note goes with the first answer of a
    conversation: each answer's response has a variation with the note (the default) and
    one without it for when this slot is set (domain.yml)."""
    if tracker.get_slot(SLOT_DISCLAIMER_SHOWN):
        return []
    return [SlotSet(SLOT_DISCLAIMER_SHOWN, True)]


def attribution_entry(entry: Entry) -> str:
    """One entry of an attribution answer in the responses' Markdown: its topic in bold,
    its quotation and the link to it. Markup and article text only: the words around
    it are utter_attribution's."""
    cited = citation(entry.quotes)
    return (
        f"**{entry.topic}**\n\n> {cited['quote']}\n\n"
        f"[{cited['title']}, {cited['section']}]({cited['link']})"
    )


# The user's words quoted back: each cut to this many characters, and at most this many
# of them, so that a pasted wall of text is not repeated in the reply.
QUOTED_WORD_CHARS = 40
QUOTED_WORDS = 5


def quoted_list(words: Sequence[str]) -> str:
    """“a”, “b” or “c”: the user's own words, quoted ("what you asked" when there are
    none, so that a reply never fails for want of them). A word longer than
    QUOTED_WORD_CHARS ends in "…"; beyond QUOTED_WORDS words, "or other words"."""
    quoted = [
        f"“{w if len(w) <= QUOTED_WORD_CHARS else w[: QUOTED_WORD_CHARS - 1] + '…'}”"
        for w in words[:QUOTED_WORDS]
    ]
    if not quoted:
        return "what you asked"
    if len(words) > QUOTED_WORDS:
        return ", ".join(quoted) + " or other words"
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
    opening: str = "",
) -> list[EventType]:
    """Send what the answerability decision chose, and remember it: the entry and the
    sentences shown (for "tell me more" and "where does it say that?"), the question (for
    follow-ups) and the decision with its reason (for the report of unanswered questions).
    `opening` (a `preface`) goes in front of a quoted answer."""
    remembered: list[EventType] = [SlotSet(SLOT_ANSWERABILITY, decision.record())]
    if question is not None:
        record = answerability.remembered(question, decision, load_vocabulary())
        remembered.append(SlotSet(SLOT_LAST_QUESTION, record))
    if decision.reason == answerability.OFF_TOPIC:
        dispatcher.utter_message(response=UTTER_OFF_TOPIC, titles=titles(knowledge))
        return remembered
    if decision.outcome not in (ANSWER, PARTIAL) or not decision.quotes:
        dispatcher.utter_message(response=UTTER_DECLINE)
        return remembered
    events = disclaimer_once(tracker)
    entry = decision.entry
    buttons = [*(buttons_for(knowledge, entry.related) if entry else []), *feedback_buttons()]
    shown = list(decision.quotes)
    if decision.reason == ATTRIBUTION:
        assert entry is not None
        each = (entry, *decision.also)
        dispatcher.utter_message(
            response=UTTER_ATTRIBUTION,
            preface=opening,
            buttons=buttons,
            entries="\n\n".join(attribution_entry(e) for e in each),
            json_message=answer_parts(
                None,
                citation(entry.quotes),
                citations=[answer_parts(e.topic, citation(e.quotes)) for e in each],
            ),
        )
        for one in each:
            shown += [q for q in one.quotes if q not in shown]
    elif decision.outcome == PARTIAL:
        assert entry is not None
        cite(
            dispatcher,
            UTTER_PARTIAL_ANSWER,
            decision.quotes,
            buttons=buttons,
            preface=opening,
            uncovered=quoted_list(decision.uncovered),
            topic=entry.topic,
        )
    elif entry is None:
        cite(dispatcher, UTTER_RETRIEVED, decision.quotes, buttons=buttons, preface=opening)
    elif decision.lead in (VERDICT, SUMMARY):
        lead = lead_text(entry, decision.lead)
        cite(dispatcher, UTTER_ANSWER, decision.quotes, lead, buttons, opening, answer=lead)
    else:
        cite(
            dispatcher,
            UTTER_NEUTRAL_ANSWER,
            decision.quotes,
            buttons=buttons,
            preface=opening,
            topic=entry.topic,
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
