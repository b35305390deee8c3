"""Actions that answer from the knowledge: questions, follow-ups, "tell me more",
"where does it say that?", personal-advice requests and the list of topics.

Each is thin: it reads the tracker, asks `actions.answerability` for a decision and
sends it with `actions.messages.send_decision`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answerability import (
    ANSWER,
    DECLINE,
    LIFESTYLE,
    NEW_SUBJECT,
    NOTHING_ASKED,
    OTHER_LANGUAGE,
    PART_KINDS,
    RELATION_KINDS,
    TOPIC_KINDS,
    Decision,
    Question,
    asking_part,
    asks_for_advice,
    asks_for_other_advice,
    asks_what_was_named,
    decide_follow_up,
    decide_tip,
    follow_up,
    names_something,
    off_topic,
    read_question,
    states_something,
    with_earlier_drugs,
    with_ordinals_named,
)
from actions.concepts import Vocabulary, load_vocabulary, words_of
from actions.constants import (
    FOLLOW_UP_INTENTS,
    INTENT_GREET,
    INTENT_OFF_TOPIC,
    INTENT_OUT_OF_SCOPE,
    SLOT_ANSWERABILITY,
    SLOT_LAST_ENTRY,
    SLOT_LAST_QUESTION,
    SLOT_LAST_QUOTES,
    SLOT_MORE_SHOWN,
    SMALL_TALK,
    UTTER_CAPABILITIES,
    UTTER_ENGLISH_ONLY,
    UTTER_GREET,
    UTTER_MORE,
    UTTER_NO_MORE,
    UTTER_NOTHING_YET,
    UTTER_PERSONAL_ADVICE,
    UTTER_PERSONAL_ADVICE_ONLY,
    UTTER_SOURCE,
    UTTER_UNCLEAR_SUBJECT,
)
from actions.feedback import (
    INTENT_THANK,
    feedback_buttons,
    respond_to_typed_feedback,
    thanks_say_it_helped,
)
from actions.knowledge import Entry, KnowledgeBase, Quote, load_knowledge
from actions.language import in_other_language
from actions.messages import (
    buttons_for,
    cite,
    intent_ranking,
    last_quotes,
    latest_intent,
    preface,
    send_decision,
    slot_history,
    titles,
)
from actions.retrieval import load_index
from actions.tipping import last_was_tip, send_next_tip
from channels.responses import response

# The classifier's best guesses are candidates down to this confidence.
GUESS_CONFIDENCE = 0.05
GUESSES = 5
# Words that ask for a tip rather than more of the last answer ("any other tips?").
TIP_WORDS = frozenset(
    "tip tips advice suggestion suggestions idea ideas recommendation recommendations".split()  # noqa: SIM905
)
# Words that open a question of its own ("what makes them more active?").
QUESTION_OPENINGS = frozenset(
    "what why how which who when where does do is are can could will would".split()  # noqa: SIM905
)
# The widget's settings, and the channel its messages come through (channels/webchat.py).
WIDGET_SETTINGS = Path(__file__).resolve().parent.parent / "web" / "widget.json"
WIDGET_CHANNEL = "socketio"
# A message the classifier is this sure is off-topic is not read as a follow-up.
OFF_TOPIC_CONFIDENCE = 0.8
# A decline for a message at least this surely off-topic says what the bot covers instead.
OFF_TOPIC_REPLY_CONFIDENCE = 0.5


def _last_entry(tracker: Tracker) -> Entry | None:
    return load_knowledge().entries.get(tracker.get_slot(SLOT_LAST_ENTRY) or "")


def question_of(tracker: Tracker, knowledge: KnowledgeBase, vocabulary: Vocabulary) -> Question:
    """The latest message as a question on its own. A button's payload
    ("/ask_causal_link") asks the question its entry is labelled with."""
    text = tracker.latest_message.get("text") or ""
    entry = knowledge.by_intent.get(latest_intent(tracker) or "")
    if text.startswith("/") and entry is not None:
        return read_question(entry.label, vocabulary)
    # "What helps kick off the first one?": the first of the phases just named.
    shown = tracker.get_slot(SLOT_LAST_QUOTES) or []
    text = with_ordinals_named(text, lambda: _earlier_messages(tracker), shown, vocabulary)
    return read_question(text, vocabulary)


def _earlier_messages(tracker: Tracker) -> list[str]:
    """The user's messages before the latest one, oldest first."""
    said = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    return said[:-1]


def in_context(tracker: Tracker, question: Question, vocabulary: Vocabulary) -> Question:
    """The question completed from the previous one when it leans on it; not when the
    classifier is sure it is off-topic ("ok, and what's the weather like?")."""
    if _classified(tracker, (INTENT_OUT_OF_SCOPE, INTENT_OFF_TOPIC), OFF_TOPIC_CONFIDENCE):
        return question
    completed = follow_up(question, tracker.get_slot(SLOT_LAST_QUESTION), vocabulary)
    return with_earlier_drugs(completed, lambda: _earlier_subjects(tracker), vocabulary)


def _classified(tracker: Tracker, intents: Sequence[str], confidence: float) -> bool:
    """Whether the classifier ranked one of `intents` first, with at least `confidence`."""
    ranking = intent_ranking(tracker)
    return bool(ranking) and ranking[0][0] in intents and ranking[0][1] >= confidence


def _earlier_subjects(tracker: Tracker) -> list[str]:
    """The subjects of the entries answered from in this conversation, latest first."""
    entries = load_knowledge().entries
    answered = slot_history(tracker, SLOT_LAST_ENTRY)[::-1]
    return [c for e in answered if e in entries for c in entries[e].subjects[:1]]


def candidates_of(
    tracker: Tracker, knowledge: KnowledgeBase, own: Question | None = None
) -> tuple[list[Entry], dict[str, float]]:
    """(preferred, confidence): the last answer's entry for a follow-up intent or a
    message that points at what it spoke of (`own`: "what's that shedding called?"), and
    the entries of the classifier's best-ranked topic intents with their confidence."""
    preferred = []
    last = _last_entry(tracker)
    points_back = own is not None and own.demonstrative
    if (latest_intent(tracker) in FOLLOW_UP_INTENTS or points_back) and last is not None:
        preferred.append(last)
    confidence = {
        knowledge.by_intent[name].id: score
        for name, score in intent_ranking(tracker)[:GUESSES]
        if name in knowledge.by_intent and score >= GUESS_CONFIDENCE
    }
    chosen = knowledge.by_intent.get(latest_intent(tracker) or "")
    if chosen is not None:  # a button's payload, or a prediction the ranking lacks
        confidence.setdefault(chosen.id, 1.0)
    return preferred, confidence


def decide_in_context(
    tracker: Tracker,
    own: Question,
    knowledge: KnowledgeBase,
    vocabulary: Vocabulary,
    advice: bool = False,
) -> tuple[Question, Decision]:
    """The message's question `own` completed from the conversation, and the decision on
    it, given the last answer's entry and sentences and the classifier's ranking."""
    question = in_context(tracker, own, vocabulary)
    preferred, confidence = candidates_of(tracker, knowledge, own)
    decision = decide_follow_up(
        own,
        question,
        knowledge,
        vocabulary,
        load_index(),
        preferred,
        confidence,
        advice,
        tracker.get_slot(SLOT_LAST_QUOTES) or (),
    )
    return question, decision


def answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Answer the latest message as a question: answer, partial answer or decline."""
    if in_other_language(tracker.latest_message.get("text") or ""):
        dispatcher.utter_message(response=UTTER_ENGLISH_ONLY)
        return [SlotSet(SLOT_ANSWERABILITY, Decision(DECLINE, OTHER_LANGUAGE).record())]
    knowledge, vocabulary = load_knowledge(), load_vocabulary()
    own = question_of(tracker, knowledge, vocabulary)
    if not own.concepts and (last_was_tip(tracker) or own.excluded):
        # "another", "more?"; "anything besides exercise?": the next tip (not on that).
        return send_next_tip(dispatcher, tracker, own)
    if asks_only_for_tips(own) or asks_for_other_advice(own, vocabulary):
        # "I've got thinning bones and thinning hair. Any tips?"; "what else supports hair?"
        return send_next_tip(dispatcher, tracker, own)
    if asks_for_advice(own.text):
        # "Should I stop my prednisone?", whatever the classifier made of it.
        return personal_advice(dispatcher, tracker, own)
    shown = [q.text for q in last_quotes(tracker, knowledge)]
    if asks_what_was_named(own.text, shown) and _more_to_tell(tracker, knowledge):
        # "What are those factors?": the rest of the entry says what they are.
        return tell_more(dispatcher, tracker)
    question, decision = decide_in_context(tracker, own, knowledge, vocabulary)
    if _classified(tracker, (INTENT_OFF_TOPIC,), OFF_TOPIC_REPLY_CONFIDENCE):
        decision = off_topic(decision, own, vocabulary)
    if decision.reason == NOTHING_ASKED and _names_a_thing(own):
        # "Please explain the theory of relativity": asked plainly, of nothing the
        # article knows.
        decision = Decision(DECLINE, "no_subject")
    if decision.reason == NOTHING_ASKED:
        # "why?" with nothing to go on: ask for the whole question.
        dispatcher.utter_message(response=UTTER_UNCLEAR_SUBJECT)
        return [SlotSet(SLOT_ANSWERABILITY, decision.record())]
    # Read as a question of its own ("what about calcium?"), it is remembered as one: the
    # next follow-up leans on calcium, not on what was asked before it.
    asked = own if decision.reason.endswith(NEW_SUBJECT) else question
    return send_decision(dispatcher, tracker, knowledge, decision, asked)


def personal_advice(
    dispatcher: CollectingDispatcher, tracker: Tracker, own: Question | None = None
) -> list[EventType]:
    """A pointer to the doctor, then the general information the article gives on what
    was asked (`own`, the message read as a question, if already read), without a
    verdict; the pointer alone if the article has nothing on it."""
    knowledge, vocabulary = load_knowledge(), load_vocabulary()
    own = own or question_of(tracker, knowledge, vocabulary)
    question, decision = decide_in_context(tracker, own, knowledge, vocabulary, advice=True)
    if decision.quotes:
        opening = preface(UTTER_PERSONAL_ADVICE)
        return send_decision(dispatcher, tracker, knowledge, decision, question, opening)
    dispatcher.utter_message(response=UTTER_PERSONAL_ADVICE_ONLY)
    return [
        SlotSet(SLOT_ANSWERABILITY, decision.record()),
        SlotSet(SLOT_LAST_QUESTION, question.record()),
    ]


def asks_only_for_tips(own: Question) -> bool:
    """Whether the message's question, `own`, is a request for tips and nothing else
    ("any tips?" after a story), whatever the classifier made of it. What it sets aside
    is no subject of its own ("any tips apart from calcium?")."""
    return bool(TIP_WORDS & set(words_of(asking_part(own.text)))) and not own.terms


def typed_question(tracker: Tracker) -> Question | None:
    """The latest message as a question, read once; None for a button's payload
    ("/ask_capabilities"), which is never a question of its own."""
    if (tracker.latest_message.get("text") or "").startswith("/"):
        return None
    return question_of(tracker, load_knowledge(), load_vocabulary())


def _names_its_own(question: Question | None) -> bool:
    return question is not None and names_something(question, load_vocabulary(), plain=True)


def _names_a_thing(question: Question | None) -> bool:
    """Whether a message names anything at all, even a thing the article does not know
    and WordNet files under abstract nouns ("theory"): not "tell me more", "elaborate"."""
    if question is None:
        return False
    vocabulary = load_vocabulary()
    classes = vocabulary.word_classes
    return names_something(question, vocabulary, plain=True) or any(
        not vocabulary.kind(t.concept)
        and classes is not None
        and all(classes.is_noun(w) for w in words_of(t.text))
        for t in question.terms
    )


def is_own_question(tracker: Tracker) -> bool:
    """A message classified as "tell me more", "where does it say that?" or "what can you
    do?" that names something of its own ("tell me more about calcium", "which foods are
    sources of calcium?", "would these help my nails too?") is a question, and is
    answered as one. A button's payload ("/ask_capabilities") never is."""
    return _names_its_own(typed_question(tracker))


def _asks_a_relation(question: Question | None) -> bool:
    """A question that asks whether or how something acts on something ("which one is
    responsible?", "does that cause it?") is a question, whatever small talk the
    classifier took it for; not a statement ("bye, that really helped"), and a button's
    payload never is."""
    if question is None or states_something(question):
        return False
    vocabulary = load_vocabulary()
    return any(t.asks and vocabulary.kind(t.concept) in RELATION_KINDS for t in question.terms)


class ActionAnswer(Action):
    """Every question: a topic question, a follow-up, an unsure or off-topic guess. The
    answerability decision chooses between answer, partial answer and decline."""

    def name(self) -> str:
        return "action_answer"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        return answer(dispatcher, tracker)


class ActionTellMore(Action):
    """'Tell me more': the entry's sentences not shown yet; after a tip, the next tip."""

    def name(self) -> str:
        return "action_tell_more"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        entry = _last_entry(tracker)
        question = read_question(tracker.latest_message.get("text") or "", load_vocabulary())
        if entry and _gives_advice(entry, load_knowledge()) and _asks_what_to_do(question):
            # "Anything else I can do?", "anything else apart from exercise?" after the
            # exercise answer: another thing to do, not more of what the article says
            # about exercise.
            return send_next_tip(dispatcher, tracker, question)
        if entry and entry.aspect == LIFESTYLE and not question.concepts:
            knowledge = load_knowledge()
            rest = _more_to_tell(tracker, knowledge)
            if not any(tip.quote in rest for tip in knowledge.tips):
                # A bare "what else?" after advice (exercise, stress) asks for another
                # thing to do, when the rest of the entry gives none ("Lifestyle
                # interventions also offer shared benefits for both systems.").
                return send_next_tip(dispatcher, tracker, question)
        if is_own_question(tracker):
            return answer(dispatcher, tracker)
        if last_was_tip(tracker):
            return send_next_tip(dispatcher, tracker, None)
        return tell_more(dispatcher, tracker)


def _more_to_tell(tracker: Tracker, knowledge: KnowledgeBase) -> tuple[Quote, ...]:
    """The last answer's entry's sentences not shown yet (none once "more" was given)."""
    entry = _last_entry(tracker)
    if entry is None or tracker.get_slot(SLOT_MORE_SHOWN):
        return ()
    shown = last_quotes(tracker, knowledge)
    return tuple(q for q in entry.sentences if q not in shown)


def _gives_advice(entry: Entry, knowledge: KnowledgeBase) -> bool:
    """Whether a tip quotes one of the entry's sentences (calcium, protein, exercise…)."""
    return any(tip.quote in entry.sentences for tip in knowledge.tips)


def _asks_what_to_do(question: Question) -> bool:
    """Whether the message asks what to do and names nothing else ("anything else I can
    do?", not "what else can I do about calcium?"), or only sets something aside
    ("anything else apart from exercise?")."""
    vocabulary = load_vocabulary()
    concepts = {t.concept for t in question.terms}
    others = {vocabulary.kind(c) for c in concepts - {LIFESTYLE}}
    if others & {*TOPIC_KINDS, *PART_KINDS}:
        return False
    return LIFESTYLE in concepts or (bool(question.excluded) and not concepts)


def tell_more(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The last answer's entry's sentences not shown yet, once; after all of an entry
    with advice in it ("why is protein important?", then "anything else?"), the next
    tip."""
    knowledge = load_knowledge()
    entry = _last_entry(tracker)
    shown = last_quotes(tracker, knowledge)
    if entry is None and not shown:
        if _names_a_thing(typed_question(tracker)):
            # "Please explain the theory of relativity": a question of its own, not a
            # request for more of an answer that was never given.
            return answer(dispatcher, tracker)
        dispatcher.utter_message(response=UTTER_NOTHING_YET)
        return []
    candidates = _more_to_tell(tracker, knowledge)
    buttons = buttons_for(knowledge, entry.related) if entry else []
    if not candidates and entry and _gives_advice(entry, knowledge):
        return send_next_tip(dispatcher, tracker, None)
    if not candidates:
        dispatcher.utter_message(response=UTTER_NO_MORE, buttons=buttons)
        return []
    cite(dispatcher, UTTER_MORE, candidates, buttons=[*buttons, *feedback_buttons()])
    return [
        SlotSet(SLOT_MORE_SHOWN, True),
        SlotSet(SLOT_LAST_QUOTES, [q.text for q in candidates]),
        SlotSet(SLOT_ANSWERABILITY, Decision(ANSWER, "more", entry, candidates).record()),
    ]


class ActionGiveTip(Action):
    """A lifestyle tip; but a bare "any others?" or "what else?" after an answer on a
    topic with no tips (why the two happen together) asks for more of that answer,
    while there is more of it."""

    def name(self) -> str:
        return "action_give_tip"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        knowledge, vocabulary = load_knowledge(), load_vocabulary()
        question = question_of(tracker, knowledge, vocabulary)
        text = tracker.latest_message.get("text") or ""
        words = words_of(text)
        asks_for_tip = bool(TIP_WORDS & set(words)) or text.startswith("/")
        if (
            not asks_for_tip
            and question.concepts
            and (
                (words[:1] and words[0] in QUESTION_OPENINGS)
                or decide_tip(question, knowledge.tips, (), vocabulary, knowledge).outcome != ANSWER
            )
        ):
            # "What makes them more active?"; "other medicines?", which no tip is about.
            return answer(dispatcher, tracker)
        if not asks_for_tip and not question.concepts and words[:1] == ["which"]:
            # "Which ones?" after "do osteoporosis drugs cause hair loss?": which of
            # what the last question was about, not a tip.
            return answer(dispatcher, tracker)
        last = _last_entry(tracker)
        if (
            not asks_for_tip
            and not question.concepts
            and not last_was_tip(tracker)
            and last is not None
            and not _gives_advice(last, knowledge)
            and _more_to_tell(tracker, knowledge)
        ):
            return tell_more(dispatcher, tracker)
        return send_next_tip(dispatcher, tracker, question)


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
        if is_own_question(tracker):
            return answer(dispatcher, tracker)
        shown = last_quotes(tracker, load_knowledge())
        if not shown:
            dispatcher.utter_message(response=UTTER_NOTHING_YET)
        else:
            cite(dispatcher, UTTER_SOURCE, shown)
        return []


class ActionPersonalAdvice(Action):
    """Never advice: a pointer to the doctor, then the general information the article
    gives on what was asked, without a verdict."""

    def name(self) -> str:
        return "action_personal_advice"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        return personal_advice(dispatcher, tracker)


class ActionSmallTalk(Action):
    """Greetings, thanks, goodbyes and "are you a bot?" get their reply; but a message
    the classifier read as small talk that names something ("hi, can steroids thin my
    hair?", "thanks, and what about iron?") is a question, and is answered as one."""

    def name(self) -> str:
        return "action_small_talk"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        question = typed_question(tracker)
        if _names_its_own(question):
            return answer(dispatcher, tracker)
        if thanks_say_it_helped(tracker):  # "thank you, that helps": feedback on the answer
            return await respond_to_typed_feedback(dispatcher, tracker, domain)
        intent = latest_intent(tracker) or ""
        # "I'm on both. Which is responsible?" (not "thank you, that helps")
        if intent != INTENT_THANK and _asks_a_relation(question):
            return answer(dispatcher, tracker)
        welcome = widget_welcome(tracker) if intent == INTENT_GREET else None
        if welcome:  # the site owner's words, from a file they edit: no domain response
            dispatcher.utter_message(text=welcome, buttons=list(response(UTTER_GREET)["buttons"]))
            return []
        dispatcher.utter_message(response=SMALL_TALK.get(intent, UTTER_GREET))
        return []


def widget_welcome(tracker: Tracker) -> str | None:
    """The widget's greeting, `welcome` in web/widget.json, for a greeting that came
    through the widget: read at every greeting, so that a site owner's edit shows on
    the next visit without a retrain. None on other channels, or when it is unset or the
    file unreadable (utter_greet of domain.yml is then sent)."""
    if tracker.get_latest_input_channel() != WIDGET_CHANNEL:
        return None
    try:
        settings = json.loads(WIDGET_SETTINGS.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    welcome = settings.get("welcome") if isinstance(settings, dict) else None
    return welcome.strip() if isinstance(welcome, str) and welcome.strip() else None


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
        if is_own_question(tracker):
            return answer(dispatcher, tracker)
        knowledge = load_knowledge()
        topics = "\n".join(f"• {e.label}" for e in knowledge.entries.values())
        dispatcher.utter_message(
            response=UTTER_CAPABILITIES,
            topics=topics,
            titles=titles(knowledge),
        )
        return []
