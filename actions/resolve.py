"""Which knowledge entry answers a message, given its intent, entities and context.

Plain Python, no Rasa: the rules are data-driven (entry subjects and aspects), so a
new article needs entries, not code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from actions.constants import ASPECT_AMOUNT, INTENT_HOW_MUCH, INTENT_WHAT_ABOUT
from actions.knowledge import Entry, KnowledgeBase
from actions.retrieval import CONTEXT_WEIGHT, Hit, PassageIndex, Settings


@dataclass(frozen=True)
class Resolution:
    entry: Entry | None
    # Set when the message asks for something the knowledge cannot give:
    # "no_amount" (how much of X? but the article gives no amount) or
    # "no_subject" (what about...? with no subject recognised: see `follow_up`).
    missing: str | None = None


def resolve(
    knowledge: KnowledgeBase,
    intent: str | None,
    subjects: Sequence[str],
    last_entry_id: str | None,
) -> Resolution:
    """Resolve to an entry.

    `subjects` are the synonym-normalised entity values in the message, and
    `last_entry_id` is the entry answered last in this conversation.
    """
    last = knowledge.entries.get(last_entry_id or "")
    if intent == INTENT_HOW_MUCH:
        # The subject the user names wins over the one the conversation was about.
        candidates = list(subjects) or list(last.subjects if last else ())
        for subject in candidates:
            entry = knowledge.find(subject, ASPECT_AMOUNT)
            if entry:
                return Resolution(entry)
        return Resolution(None, "no_amount" if candidates else "no_subject")
    if intent == INTENT_WHAT_ABOUT:
        if not subjects:
            return Resolution(None, "no_subject")
        return Resolution(by_subject(knowledge, subjects, last))

    entry = knowledge.by_intent.get(intent or "")
    if entry is None:
        return Resolution(None)
    # The classifier picked a neighbouring subject ("can steroids thin hair?" ->
    # ask_bisphosphonates, "can letrozole make hair fall out?" -> ask_causal_link):
    # the subject the user names wins, with the same kind of question if there is one.
    if subjects and not set(subjects) & set(entry.subjects):
        return Resolution(by_subject(knowledge, subjects, entry) or entry)
    return Resolution(entry)


def by_subject(
    knowledge: KnowledgeBase, subjects: Sequence[str], last: Entry | None
) -> Entry | None:
    """Prefer the entry that asks the same kind of question as the last answer."""
    for subject in subjects:
        if last:
            same_aspect = knowledge.find(subject, last.aspect)
            if same_aspect:
                return same_aspect
        entry = knowledge.find(subject)
        if entry:
            return entry
    return None


def context_terms(entry: Entry) -> list[str]:
    """Words that stand for what an answer was about, to fill in 'it' and 'that'."""
    return [subject.replace("_", " ") for subject in entry.subjects] + [entry.label]


def entry_for_hit(knowledge: KnowledgeBase, hit: Hit, prefer: Entry | None = None) -> Entry | None:
    """The entry quoting the passage found (entries that quote it among their main
    quotes come first), preferring `prefer` when it has it among its main quotes."""
    ids = hit.passage.entry_ids
    if prefer is not None and hit.passage.quote in prefer.quotes:
        return prefer
    return knowledge.entries[ids[0]] if ids else None


def follow_up(index: PassageIndex, settings: Settings, text: str, last: Entry | None) -> Hit | None:
    """A follow-up that names no known subject, as a search of the passages.

    With the last answer as context ("is it temporary?"), the search adds that
    answer's subject (at CONTEXT_WEIGHT) and needs `followup_min_coverage` of the
    message's own words in the passage; without context ("and osteoblasts?"), it is a
    plain search that must clear the normal thresholds."""
    if last is None:
        hit = index.search(text)
        return hit if hit is not None and hit.clears(settings) else None
    # The context stands for the topic, so only the share of the message's own words
    # found in the passage is required, not the score of a standalone question.
    hit = index.search(text, context_terms(last), CONTEXT_WEIGHT)
    return hit if hit is not None and hit.coverage >= settings.followup_min_coverage else None
