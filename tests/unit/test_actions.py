"""The custom actions as a user meets them: this message, in this state, gets a reply that
says X and cites section Y, and leaves the conversation in this state."""

from __future__ import annotations

import asyncio
import string
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import constants
from actions.answering import (
    ActionAnswer,
    ActionCiteSource,
    ActionListTopics,
    ActionPersonalAdvice,
    ActionTellMore,
)
from actions.declining import ActionRetrieveOrDecline
from actions.knowledge import KnowledgeBase, load_knowledge
from actions.messages import citation, send_answer
from actions.retrieval import Hit, load_index
from actions.tipping import ActionGiveTip
from tests.unit.article import CALCIUM, EXERCISE, FOSAMAX, REMODELING, SKELETAL, TELOGEN, UNQUOTED

TrackerFactory = Callable[..., Tracker]
Message = dict[str, Any]

TITLE = "Osteoporosis and Hair Loss"
INTRODUCTION = "Introduction"
CAUSAL = "Is There a Direct Causal Link?"
SYSTEMIC = "Common Systemic Factors Linking Bone and Hair Health"
MEDICATION = "Medication Side Effects and Hair Loss"
NUTRITION = "Nutritional Strategies for Bone and Hair Resilience"


ALL_TIPS = [
    "tip_calcium",
    "tip_protein",
    "tip_vitamin_d",
    "tip_biotin_iron",
    "tip_exercise",
    "tip_stress",
]
UTTER_NAMES = {v for k, v in vars(constants).items() if k.startswith("UTTER_")}


def run(
    action: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
) -> list[dict[str, Any]]:
    return asyncio.run(action.run(dispatcher, tracker, domain))


def responses(messages: Iterable[Message]) -> list[str]:
    return [m["response"] for m in messages]


def button_titles(message: Message) -> list[str]:
    return [b["title"] for b in message["buttons"]]


def cited(heading: str) -> str:
    """How the `section` variable names a heading."""
    return f"“{heading}”"


def quotes_of(entry_id: str, field: str = "quotes") -> list[str]:
    """The sentences of an entry's `quotes` (or `more`), as the last_quotes slot holds them."""
    return [q.text for q in getattr(load_knowledge().entries[entry_id], field)]


def after_answer(entry_id: str) -> dict[str, Any]:
    """The slots an answer with this entry leaves behind."""
    return {"last_entry": entry_id, "last_quotes": quotes_of(entry_id), "more_shown": False}


def answered_events(entry_id: str | None, quotes: list[str]) -> list[dict[str, Any]]:
    """The slot events of an answer: its entry and the sentences it showed become the
    context, and nothing more of it has been told yet."""
    return [
        SlotSet("last_entry", entry_id),
        SlotSet("last_quotes", quotes),
        SlotSet("more_shown", False),
    ]


class Conversation:
    """Several turns of one conversation: each action's slot events carry to the next."""

    def __init__(self, make_tracker: TrackerFactory, domain: dict[str, Any]) -> None:
        self.make_tracker = make_tracker
        self.domain = domain
        self.slots: dict[str, Any] = {}

    def turn(
        self,
        action: Action,
        text: str = "",
        intent: str | None = None,
        entities: Iterable[tuple[str, str]] = (),
    ) -> list[Message]:
        dispatcher = CollectingDispatcher()
        tracker = self.make_tracker(text, intent, entities, **self.slots)
        for event in run(action, dispatcher, tracker, self.domain):
            assert event["event"] == "slot", event
            self.slots[event["name"]] = event["value"]
        return dispatcher.messages


@pytest.fixture
def conversation(make_tracker: TrackerFactory, domain: dict[str, Any]) -> Conversation:
    return Conversation(make_tracker, domain)


# --- ActionAnswer: topic questions and follow-ups -----------------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "entities", "last", "entry_id", "says", "heading"),
    [
        pytest.param(
            "Can Fosamax cause hair loss?",
            "ask_bisphosphonates",
            [("medication", "bisphosphonates")],
            None,
            "bisphosphonates",
            "such as alendronate (Fosamax)",
            MEDICATION,
            id="fosamax",
        ),
        pytest.param(
            "Does osteoporosis cause hair loss?",
            "ask_causal_link",
            [],
            None,
            "causal_link",
            "does not biologically cause hair follicles to fail",
            CAUSAL,
            id="causal-link",
        ),
        pytest.param(
            "What is alopecia?",
            "ask_what_is_hair_loss",
            [],
            None,
            "what_is_hair_loss",
            "Hair loss, or alopecia, is a dermatological condition",
            INTRODUCTION,
            id="alopecia",
        ),
        pytest.param(
            "Does menopause play a role?",
            "ask_estrogen_menopause",
            [],
            None,
            "estrogen_menopause",
            "the decline in estrogen levels that occurs during and after menopause",
            SYSTEMIC,
            id="menopause",
        ),
        pytest.param(
            "How much calcium do I need?",
            "ask_calcium",
            [("nutrient", "calcium")],
            None,
            "calcium",
            "1,000 to 1,200 mg of calcium daily",
            NUTRITION,
            id="calcium",
        ),
        pytest.param(
            "Can steroids thin my hair?",
            "ask_bisphosphonates",  # a near miss of the classifier: the entity decides
            [("medication", "glucocorticoids")],
            None,
            "glucocorticoids",
            "Long-term or high-dose steroid use is known to be a direct risk factor",
            MEDICATION,
            id="steroids-classified-as-fosamax",
        ),
        pytest.param(
            "What about steroids?",
            "ask_what_about",
            [("medication", "glucocorticoids")],
            "bisphosphonates",
            "glucocorticoids",
            "Glucocorticoids, or steroids, are sometimes prescribed",
            MEDICATION,
            id="what-about-steroids-after-fosamax",
        ),
        pytest.param(
            "And vitamin D?",
            "ask_what_about",
            [("nutrient", "vitamin_d")],
            "calcium",
            "vitamin_d_dose",
            "600–800 International Units (IU) daily",
            NUTRITION,
            id="what-about-vitamin-d-after-calcium",
        ),
        pytest.param(
            "What about vitamin D?",
            "ask_what_about",
            [("nutrient", "vitamin_d")],
            "bisphosphonates",
            "vitamin_d_link",
            "Vitamin D receptors are present in hair follicles",
            SYSTEMIC,
            id="what-about-vitamin-d-after-fosamax",
        ),
        pytest.param(
            "How much should I take?",
            "ask_how_much",
            [],
            "vitamin_d_link",
            "vitamin_d_dose",
            "600–800 International Units (IU) daily",
            NUTRITION,
            id="how-much-after-vitamin-d",
        ),
        pytest.param(
            "Is the shedding temporary?",
            "ask_followup",
            [],
            "telogen_effluvium",
            "telogen_effluvium",
            "a type of temporary shedding known as telogen effluvium",
            SYSTEMIC,
            id="is-it-temporary-after-telogen-effluvium",
        ),
        pytest.param(
            "Does it cause shedding?",
            "ask_followup",
            [],
            "inflammation",
            "stress",
            "often triggering a shedding phase",
            NUTRITION,
            id="follow-up-leading-to-another-entry",
        ),
        pytest.param(
            # No subject recognised: a plain search, not leaning on any context.
            "What about osteoclasts and osteoblasts?",
            "ask_what_about",
            [],
            None,
            "bone_remodeling",
            "bone-resorbing cells (osteoclasts) outpace bone-forming cells (osteoblasts)",
            CAUSAL,
            id="what-about-an-unrecognised-subject",
        ),
    ],
)
def test_a_question_is_answered_with_its_entry_quoting_the_article(
    knowledge: KnowledgeBase,
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    text: str,
    intent: str,
    entities: list[tuple[str, str]],
    last: str | None,
    entry_id: str,
    says: str,
    heading: str,
) -> None:
    tracker = make_tracker(text, intent, entities, last_entry=last, disclaimer_shown=True)
    entry = knowledge.entries[entry_id]

    events = run(ActionAnswer(), dispatcher, tracker, domain)

    [message] = dispatcher.messages
    assert message["response"] == "utter_grounded_answer"
    assert message["answer"] == entry.answer
    assert says in message["quote"]
    assert message["quote"] == " ".join(q.text for q in entry.quotes)
    assert message["section"] == cited(heading)
    assert message["title"] == TITLE
    assert button_titles(message) == [knowledge.entries[r].label for r in entry.related]
    assert events == answered_events(entry_id, quotes_of(entry_id))


def test_the_fosamax_answer_says_rarely_and_offers_the_other_medications(
    domain: dict[str, Any], dispatcher: CollectingDispatcher, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "Can Fosamax cause hair loss?",
        "ask_bisphosphonates",
        [("medication", "bisphosphonates")],
        disclaimer_shown=True,
    )

    run(ActionAnswer(), dispatcher, tracker, domain)

    [message] = dispatcher.messages
    assert message["answer"].startswith("Possibly, but rarely.")
    assert message["quote"] == FOSAMAX
    assert message["buttons"] == [
        {"title": "Steroids", "payload": "/ask_glucocorticoids"},
        {"title": "HRT and anti-estrogen drugs", "payload": "/ask_hrt_antiestrogen"},
    ]


def test_two_quotes_from_one_section_name_it_once(
    domain: dict[str, Any], dispatcher: CollectingDispatcher, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker("How is bone lost?", "ask_bone_remodeling", disclaimer_shown=True)

    run(ActionAnswer(), dispatcher, tracker, domain)

    assert (
        dispatcher.messages[-1]["quote"]
        == REMODELING + " This imbalance results in a net loss of bone mass."
    )
    assert dispatcher.messages[-1]["section"] == cited(CAUSAL)


def test_quotes_from_two_sections_name_both(knowledge: KnowledgeBase) -> None:
    # No entry's quotes span two sections today, but nothing in the data forbids it.
    quotes = [
        *knowledge.entries["what_is_osteoporosis"].quotes,
        *knowledge.entries["calcium"].quotes,
    ]

    variables = citation(quotes)

    assert variables["section"] == f"{cited(INTRODUCTION)}, {cited(NUTRITION)}"
    assert variables["quote"].startswith("Osteoporosis is a condition characterized")
    assert variables["quote"].endswith("the hair’s keratin structure.")
    assert variables["title"] == TITLE


@pytest.mark.parametrize(
    ("text", "intent", "entities", "last", "response"),
    [
        pytest.param(
            "How much protein a day?",
            "ask_how_much",
            [],
            "protein",
            "utter_no_amount",
            id="how-much-protein-in-context",
        ),
        pytest.param(
            "How much protein should I eat?",
            "ask_how_much",
            [("nutrient", "protein")],
            None,
            "utter_no_amount",
            id="how-much-protein-named",
        ),
        pytest.param(
            # The user names protein: not told the calcium dose of the last answer.
            "How much protein should I eat?",
            "ask_how_much",
            [("nutrient", "protein")],
            "calcium",
            "utter_no_amount",
            id="how-much-protein-after-calcium",
        ),
        # "What about...?" with no subject recognised is searched as a new question: when
        # the article has nothing on it, it does not cover it.
        pytest.param(
            "What about that?", "ask_what_about", [], None, "utter_decline", id="what-about"
        ),
        pytest.param(
            "What about androgens on the scalp?",
            "ask_what_about",
            [],
            "estrogen_menopause",
            "utter_decline",
            id="what-about-something-the-article-does-not-cover",
        ),
        pytest.param(
            # Searched on its own, not in the calcium answer's context: one word that the
            # article uses in passing is not enough to answer from.
            "What about dairy?",
            "ask_what_about",
            [],
            "calcium",
            "utter_decline",
            id="what-about-is-not-read-in-the-last-answers-context",
        ),
        # Nothing says what the question is about: ask for the whole question.
        pytest.param("How much?", "ask_how_much", [], None, "utter_unclear_subject", id="how-much"),
        pytest.param(
            "Is it permanent?", "ask_followup", [], None, "utter_unclear_subject", id="followup"
        ),
        pytest.param(
            "Is it permanent?",
            "ask_followup",
            [],
            "calcium",
            "utter_decline",
            id="followup-the-article-does-not-answer",
        ),
        pytest.param(
            # The article says "temporary", never "permanent": the context finds the
            # telogen effluvium sentence, but none of the question's own words are in it.
            "Is it permanent?",
            "ask_followup",
            [],
            "telogen_effluvium",
            "utter_decline",
            id="followup-whose-words-the-article-does-not-use",
        ),
        pytest.param(
            "What about ibuprofen?",
            "ask_what_about",
            [("medication", "ibuprofen")],
            "bisphosphonates",
            "utter_decline",
            id="what-about-an-unknown-subject",
        ),
        pytest.param(
            "Tell me a joke", "out_of_scope", [], "calcium", "utter_decline", id="not-a-topic"
        ),
    ],
)
def test_a_question_the_article_cannot_answer_gets_one_honest_reply_and_keeps_the_context(
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    text: str,
    intent: str,
    entities: list[tuple[str, str]],
    last: str | None,
    response: str,
) -> None:
    tracker = make_tracker(text, intent, entities, last_entry=last)

    events = run(ActionAnswer(), dispatcher, tracker, domain)

    assert responses(dispatcher.messages) == [response]
    assert events == []


def test_why_is_that_is_not_answered_from_the_context_alone(
    domain: dict[str, Any], dispatcher: CollectingDispatcher, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker("Why is that?", "ask_followup", **after_answer("causal_link"))

    events = run(ActionAnswer(), dispatcher, tracker, domain)

    # Nothing to search for: the user is asked for the whole question.
    assert responses(dispatcher.messages) == ["utter_unclear_subject"]
    assert events == []


@pytest.mark.parametrize(
    ("text", "intent", "last", "sentence"),
    [
        (
            "What about osteoclasts and osteoblasts?",
            "ask_what_about",
            "what_is_osteoporosis",
            REMODELING,
        ),
        ("Is the shedding temporary?", "ask_followup", "stress", TELOGEN),
    ],
    ids=["what-about", "follow-up"],
)
def test_a_follow_up_is_answered_with_the_sentence_it_found_not_the_last_answer_again(
    knowledge: KnowledgeBase,
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    text: str,
    intent: str,
    last: str,
    sentence: str,
) -> None:
    tracker = make_tracker(text, intent, **after_answer(last), disclaimer_shown=True)

    run(ActionAnswer(), dispatcher, tracker, domain)

    [message] = dispatcher.messages
    assert message["response"] == "utter_grounded_answer"
    assert sentence in message["quote"]
    assert message["answer"] != knowledge.entries[last].answer


# --- After an answer: what the conversation remembers ------------------------------------


@pytest.mark.parametrize(
    ("entry_id", "quotes"),
    [
        ("calcium", [CALCIUM]),  # one sentence of an entry, as retrieval shows it
        ("causal_link", [SKELETAL]),
        (None, [UNQUOTED]),  # a sentence no entry quotes
    ],
)
def test_an_answer_remembers_its_entry_and_the_sentences_it_showed(
    knowledge: KnowledgeBase,
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    entry_id: str | None,
    quotes: list[str],
) -> None:
    # Mid-conversation: another answer was given and its more told.
    slots = {**after_answer("exercise"), "more_shown": True, "disclaimer_shown": True}
    tracker = make_tracker(**slots)
    shown = [knowledge.quote_for(q) for q in quotes]

    events = send_answer(dispatcher, tracker, entry_id, shown, response="utter_retrieved_answer")

    assert responses(dispatcher.messages) == ["utter_retrieved_answer"]
    assert events == answered_events(entry_id, quotes)


def test_the_first_answer_brings_the_disclaimer_before_it(
    dispatcher: CollectingDispatcher, make_tracker: TrackerFactory
) -> None:
    quotes = load_knowledge().entries["bisphosphonates"].quotes

    events = send_answer(
        dispatcher, make_tracker(), "bisphosphonates", quotes, response="utter_grounded_answer"
    )

    # The answer comes last: chat widgets show its suggestion buttons only under the last message.
    assert responses(dispatcher.messages) == ["utter_disclaimer", "utter_grounded_answer"]
    assert events == [
        SlotSet("disclaimer_shown", True),
        *answered_events("bisphosphonates", [FOSAMAX]),
    ]


# --- The disclaimer: once per conversation ------------------------------------------------


def test_the_disclaimer_comes_once_with_the_first_answer(conversation: Conversation) -> None:
    first = conversation.turn(
        ActionAnswer(), "Does osteoporosis cause hair loss?", "ask_causal_link"
    )
    second = conversation.turn(ActionAnswer(), "Can Fosamax cause it?", "ask_bisphosphonates")
    third = conversation.turn(ActionGiveTip(), "Give me a tip", "ask_tip")
    fourth = conversation.turn(
        ActionRetrieveOrDecline(), "calcium dairy leafy greens", "nlu_fallback"
    )
    fifth = conversation.turn(
        ActionPersonalAdvice(),
        "Should I stop my steroids?",
        "personal_advice",
        [("medication", "glucocorticoids")],
    )

    assert responses(first) == ["utter_disclaimer", "utter_grounded_answer"]
    assert responses(second) == ["utter_grounded_answer"]
    assert responses(third) == ["utter_tip"]
    assert responses(fourth) == ["utter_retrieved_answer"]
    assert responses(fifth) == ["utter_personal_advice", "utter_grounded_answer"]
    assert conversation.slots["disclaimer_shown"] is True


@pytest.mark.parametrize(
    ("action", "text", "intent", "entities", "reply"),
    [
        (
            ActionAnswer(),
            "What is osteoporosis?",
            "ask_what_is_osteoporosis",
            [],
            "utter_grounded_answer",
        ),
        (ActionGiveTip(), "Any tips?", "ask_tip", [], "utter_tip"),
        (
            ActionRetrieveOrDecline(),
            "osteoclasts osteoblasts",
            "nlu_fallback",
            [],
            "utter_retrieved_answer",
        ),
        (
            ActionPersonalAdvice(),
            "Should I take Fosamax?",
            "personal_advice",
            [("medication", "bisphosphonates")],
            "utter_grounded_answer",
        ),
    ],
    ids=["answer", "tip", "retrieved", "personal-advice"],
)
def test_the_first_answer_of_any_kind_brings_the_disclaimer(
    conversation: Conversation,
    action: Action,
    text: str,
    intent: str,
    entities: list[tuple[str, str]],
    reply: str,
) -> None:
    messages = conversation.turn(action, text, intent, entities)

    assert responses(messages)[-2:] == ["utter_disclaimer", reply]
    assert conversation.slots["disclaimer_shown"] is True


@pytest.mark.parametrize(
    ("action", "text", "intent"),
    [
        (ActionAnswer(), "What about it?", "ask_what_about"),
        (ActionRetrieveOrDecline(), "asdfgh qwerty", "nlu_fallback"),
        (ActionTellMore(), "Tell me more", "ask_more"),
        (ActionCiteSource(), "Where does it say that?", "ask_source"),
        (ActionPersonalAdvice(), "What should I do?", "personal_advice"),
        (ActionListTopics(), "What can you do?", "ask_capabilities"),
    ],
    ids=["unclear", "decline", "more", "source", "advice", "topics"],
)
def test_a_reply_without_article_information_has_no_disclaimer(
    conversation: Conversation, action: Action, text: str, intent: str
) -> None:
    messages = conversation.turn(action, text, intent)

    assert "utter_disclaimer" not in responses(messages)
    assert "disclaimer_shown" not in conversation.slots


# --- ActionTellMore ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "says", "heading"),
    [
        ("causal_link", SKELETAL, CAUSAL),
        # The more sentence of "What is osteoporosis?" stands in another section than its
        # answer: the section named is the one it comes from.
        ("what_is_osteoporosis", REMODELING, CAUSAL),
        (
            "why_together",
            "Hormonal changes are a major contributor, particularly the decline in estrogen "
            "levels that occurs during and after menopause. Vitamin D deficiency also "
            "represents a significant overlap, as this vitamin is crucial for calcium absorption "
            "and bone mineralization. Chronic inflammation provides a third common pathway that "
            "can affect both tissues simultaneously.",
            SYSTEMIC,
        ),
    ],
)
def test_tell_me_more_after_an_answer_quotes_its_further_sentences(
    knowledge: KnowledgeBase,
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    last: str,
    says: str,
    heading: str,
) -> None:
    tracker = make_tracker("Tell me more", "ask_more", **after_answer(last), disclaimer_shown=True)

    events = run(ActionTellMore(), dispatcher, tracker, domain)

    [message] = dispatcher.messages
    assert message["response"] == "utter_more"
    assert message["quote"] == says
    assert message["section"] == cited(heading)
    assert message["title"] == TITLE
    related = knowledge.entries[last].related
    assert button_titles(message) == [knowledge.entries[r].label for r in related]
    # What it showed is now what "where does it say that?" cites.
    assert events == [SlotSet("more_shown", True), SlotSet("last_quotes", quotes_of(last, "more"))]


@pytest.mark.parametrize(
    ("text", "retrieved", "more", "entry_id"),
    [
        pytest.param(
            # A `more` sentence of causal_link: the rest is the entry's answer quotes.
            "skeletal disease dermatological conditions",
            SKELETAL,
            quotes_of("causal_link"),
            "causal_link",
            id="a-more-sentence",
        ),
        pytest.param(
            # The first of calcium's two quotes: the rest is the second one and its `more`.
            "calcium dairy leafy greens",
            CALCIUM,
            quotes_of("calcium")[1:] + quotes_of("calcium", "more"),
            "calcium",
            id="one-of-two-quotes",
        ),
        pytest.param(
            # The Fosamax entry's only quote: the rest is its `more`, as after the answer.
            "does fosamax cause alopecia",
            FOSAMAX,
            quotes_of("bisphosphonates", "more"),
            "bisphosphonates",
            id="the-only-quote",
        ),
    ],
)
def test_tell_me_more_after_a_retrieved_sentence_tells_the_rest_of_its_entry(
    conversation: Conversation, text: str, retrieved: str, more: list[str], entry_id: str
) -> None:
    shown = conversation.turn(ActionRetrieveOrDecline(), text, "nlu_fallback")
    told = conversation.turn(ActionTellMore(), "Tell me more", "ask_more")

    assert shown[-1]["quote"] == retrieved
    assert conversation.slots["last_entry"] == entry_id
    [message] = told
    assert message["response"] == "utter_more"
    assert message["quote"] == " ".join(more)
    assert retrieved not in message["quote"]  # not what the user has just read
    assert conversation.slots["last_quotes"] == more
    assert conversation.slots["more_shown"] is True


def test_tell_me_more_after_a_sentence_no_entry_quotes_says_that_is_everything(
    conversation: Conversation,
) -> None:
    shown = conversation.turn(
        ActionRetrieveOrDecline(), "why is targeted supplementation necessary", "nlu_fallback"
    )
    told = conversation.turn(ActionTellMore(), "Tell me more", "ask_more")

    assert shown[-1]["quote"] == UNQUOTED
    assert responses(told) == ["utter_no_more"]
    assert told[0]["buttons"] == []  # no entry, so no related topics to offer
    assert conversation.slots["last_quotes"] == [UNQUOTED]


def test_tell_me_more_twice_says_that_is_everything_and_offers_related_topics(
    conversation: Conversation,
) -> None:
    conversation.turn(ActionAnswer(), "Does osteoporosis cause hair loss?", "ask_causal_link")
    more = conversation.turn(ActionTellMore(), "Tell me more", "ask_more")
    again = conversation.turn(ActionTellMore(), "More?", "ask_more")

    assert responses(more) == ["utter_more"]
    assert more[0]["quote"] == SKELETAL
    assert responses(again) == ["utter_no_more"]
    assert button_titles(again[0]) == [
        "Why do they happen together?",
        "Can Fosamax cause hair loss?",
    ]
    # A new answer brings new things to tell more of.
    conversation.turn(ActionAnswer(), "Can Fosamax cause it?", "ask_bisphosphonates")
    assert responses(conversation.turn(ActionTellMore(), "More", "ask_more")) == ["utter_more"]


def test_tell_me_more_after_more_of_a_retrieved_sentence_says_that_is_everything(
    conversation: Conversation,
) -> None:
    # After the rest of the entry, its answer quotes are no longer "shown": more_shown
    # is what stops them being told again.
    conversation.turn(
        ActionRetrieveOrDecline(), "skeletal disease dermatological conditions", "nlu_fallback"
    )
    conversation.turn(ActionTellMore(), "Tell me more", "ask_more")
    again = conversation.turn(ActionTellMore(), "More?", "ask_more")

    assert responses(again) == ["utter_no_more"]


@pytest.mark.parametrize(
    "slots",
    [
        {**after_answer("protein")},  # an entry without `more`
        {**after_answer("biotin_iron")},
        {**after_answer("causal_link"), "more_shown": True},  # told already
    ],
    ids=["protein", "biotin-iron", "more-already-shown"],
)
def test_tell_me_more_with_nothing_left_says_that_is_everything(
    knowledge: KnowledgeBase,
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    slots: dict[str, Any],
) -> None:
    tracker = make_tracker("Tell me more", "ask_more", **slots)

    events = run(ActionTellMore(), dispatcher, tracker, domain)

    assert responses(dispatcher.messages) == ["utter_no_more"]
    related = knowledge.entries[slots["last_entry"]].related
    assert button_titles(dispatcher.messages[-1]) == [knowledge.entries[r].label for r in related]
    assert events == []


@pytest.mark.parametrize("action", [ActionTellMore(), ActionCiteSource()], ids=["more", "source"])
def test_without_an_answer_yet_there_is_nothing_to_expand_or_cite(
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    action: Action,
) -> None:
    events = run(action, dispatcher, make_tracker("Tell me more", "ask_more"), domain)

    assert responses(dispatcher.messages) == ["utter_nothing_yet"]
    assert dispatcher.messages[-1]["buttons"] == []
    assert events == []


# --- ActionCiteSource --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "says", "heading"),
    [
        ("bisphosphonates", [FOSAMAX], MEDICATION),
        (
            "estrogen_menopause",
            [
                "Hormonal changes are a major contributor, particularly the decline in estrogen "
                "levels that occurs during and after menopause.",
                "Estrogen plays a protective role in the skeleton by inhibiting osteoclast "
                "activity, and its reduction is a major driver of postmenopausal bone density "
                "loss.",
            ],
            SYSTEMIC,
        ),
    ],
)
def test_where_does_it_say_that_cites_the_last_answers_quotes(
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    last: str,
    says: list[str],
    heading: str,
) -> None:
    tracker = make_tracker("Where does it say that?", "ask_source", **after_answer(last))

    events = run(ActionCiteSource(), dispatcher, tracker, domain)

    [message] = dispatcher.messages
    assert message["response"] == "utter_source"
    assert message["quote"] == " ".join(says)
    assert message["section"] == cited(heading)
    assert message["title"] == TITLE
    assert events == []


def test_where_does_it_say_that_after_tell_me_more_cites_the_further_sentences(
    conversation: Conversation,
) -> None:
    conversation.turn(ActionAnswer(), "What is osteoporosis?", "ask_what_is_osteoporosis")
    conversation.turn(ActionTellMore(), "Tell me more", "ask_more")
    [source] = conversation.turn(ActionCiteSource(), "Where does it say that?", "ask_source")

    # The more sentence, in its own section, not the answer's Introduction.
    assert source["quote"] == REMODELING
    assert source["section"] == cited(CAUSAL)


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("skeletal disease dermatological conditions", CAUSAL),  # a `more` sentence
        ("why is targeted supplementation necessary", NUTRITION),  # quoted by no entry
    ],
    ids=["more-sentence", "unquoted-sentence"],
)
def test_where_does_it_say_that_after_a_retrieved_answer_cites_the_sentence_shown(
    conversation: Conversation, text: str, heading: str
) -> None:
    retrieved = conversation.turn(ActionRetrieveOrDecline(), text, "nlu_fallback")
    source = conversation.turn(ActionCiteSource(), "Where does it say that?", "ask_source")

    assert responses(retrieved)[-1] == "utter_retrieved_answer"
    assert responses(source) == ["utter_source"]
    assert source[0]["quote"] == retrieved[-1]["quote"]
    assert source[0]["section"] == cited(heading)


def test_where_does_it_say_that_cites_the_sentences_shown_not_the_entry(
    domain: dict[str, Any], dispatcher: CollectingDispatcher, make_tracker: TrackerFactory
) -> None:
    # The calcium entry, but only the sentence of its `more` was shown.
    vitamin_d = quotes_of("calcium", "more")
    tracker = make_tracker("Source?", "ask_source", last_entry="calcium", last_quotes=vitamin_d)

    run(ActionCiteSource(), dispatcher, tracker, domain)

    assert dispatcher.messages[-1]["quote"] == " ".join(vitamin_d)
    assert CALCIUM not in dispatcher.messages[-1]["quote"]


@pytest.mark.parametrize(
    ("last_quotes", "response", "quote"),
    [
        # The article was edited since: a sentence it no longer has is not cited...
        (["Calcium cures hair loss.", FOSAMAX], "utter_source", FOSAMAX),
        # ...and with none left there is nothing to cite.
        (["Calcium cures hair loss."], "utter_nothing_yet", None),
    ],
    ids=["one-left", "none-left"],
)
def test_where_does_it_say_that_cites_only_sentences_the_article_still_has(
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    last_quotes: list[str],
    response: str,
    quote: str | None,
) -> None:
    tracker = make_tracker(
        "Source?", "ask_source", last_entry="bisphosphonates", last_quotes=last_quotes
    )

    run(ActionCiteSource(), dispatcher, tracker, domain)

    [message] = dispatcher.messages
    assert message["response"] == response
    assert message.get("quote") == quote


# --- ActionPersonalAdvice ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entities", "last", "entry_id"),
    [
        (
            "Should I stop taking my steroids?",
            [("medication", "glucocorticoids")],
            None,
            "glucocorticoids",
        ),
        ("Should I stop Fosamax?", [("medication", "bisphosphonates")], None, "bisphosphonates"),
        ("Should I take vitamin D?", [("nutrient", "vitamin_d")], None, "vitamin_d_link"),
        ("What should I do about my hair?", [], None, None),
        # The conversation's last topic is not taken as what the advice is about.
        ("Should I take more?", [], "calcium", None),
        ("Can I take ibuprofen?", [("medication", "ibuprofen")], None, None),
    ],
)
def test_personal_advice_is_declined_then_general_information_is_given_if_named(
    knowledge: KnowledgeBase,
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    text: str,
    entities: list[tuple[str, str]],
    last: str | None,
    entry_id: str | None,
) -> None:
    tracker = make_tracker(
        text, "personal_advice", entities, last_entry=last, disclaimer_shown=True
    )

    events = run(ActionPersonalAdvice(), dispatcher, tracker, domain)

    if entry_id is None:
        assert responses(dispatcher.messages) == ["utter_personal_advice"]
        assert events == []
        return
    advice, answer = dispatcher.messages
    assert advice["response"] == "utter_personal_advice"
    assert answer["response"] == "utter_grounded_answer"
    assert answer["answer"] == knowledge.entries[entry_id].answer
    assert events == answered_events(entry_id, quotes_of(entry_id))


# --- ActionListTopics --------------------------------------------------------------------


def test_what_can_you_do_lists_every_topic_and_names_the_article(
    knowledge: KnowledgeBase,
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
) -> None:
    events = run(ActionListTopics(), dispatcher, make_tracker("What can you do?"), domain)

    [message] = dispatcher.messages
    assert message["response"] == "utter_capabilities"
    assert message["topics"].splitlines() == [f"• {e.label}" for e in knowledge.entries.values()]
    assert "• Can Fosamax cause hair loss?" in message["topics"].splitlines()
    assert message["titles"] == cited(TITLE)
    assert events == []


# --- ActionGiveTip -----------------------------------------------------------------------


def test_tips_never_repeat_in_a_conversation_and_then_run_out(
    knowledge: KnowledgeBase, conversation: Conversation
) -> None:
    replies = [conversation.turn(ActionGiveTip(), "Another tip", "ask_tip") for _ in range(7)]

    tips = [messages[-1] for messages in replies[:6]]
    assert [t["tip"] for t in tips] == [tip.tip for tip in knowledge.tips]
    assert len({t["tip"] for t in tips}) == 6
    assert [t["quote"] for t in tips] == [tip.quote.text for tip in knowledge.tips]
    assert {t["section"] for t in tips} == {cited(NUTRITION)}
    assert responses(replies[6]) == ["utter_no_more_tips"]
    assert conversation.slots["tips_given"] == ALL_TIPS


def test_a_tip_on_exercise_is_the_exercise_tip_quoting_the_article(
    domain: dict[str, Any], dispatcher: CollectingDispatcher, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker("A tip about exercise?", "ask_tip", [("lifestyle", "exercise")])

    events = run(ActionGiveTip(), dispatcher, tracker, domain)

    disclaimer, tip = dispatcher.messages
    assert tip["response"] == "utter_tip"
    assert tip["tip"] == "Do weight-bearing exercise such as walking or strength training."
    assert tip["quote"].startswith("Weight-bearing exercise, like walking or strength training")
    assert tip["section"] == cited(NUTRITION)
    assert disclaimer["response"] == "utter_disclaimer"
    assert events == [
        SlotSet("disclaimer_shown", True),
        SlotSet("last_entry", None),
        SlotSet("last_quotes", [EXERCISE]),
        SlotSet("more_shown", False),
        SlotSet("tips_given", ["tip_exercise"]),
    ]


@pytest.mark.parametrize(
    ("entities", "given", "tip_id"),
    [
        ([("lifestyle", "stress")], [], "tip_stress"),
        ([("lifestyle", "Stress")], [], "tip_stress"),
        ([("lifestyle", "nutrition")], ["tip_calcium"], "tip_protein"),
        # A named nutrient asks for a nutrition tip.
        ([("nutrient", "iron")], [], "tip_calcium"),
        # A lifestyle value with no tips of its own means no focus.
        ([("lifestyle", "sleep")], ["tip_calcium"], "tip_protein"),
    ],
)
def test_a_tip_follows_the_focus_named_in_the_message(
    knowledge: KnowledgeBase,
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    entities: list[tuple[str, str]],
    given: list[str],
    tip_id: str,
) -> None:
    tracker = make_tracker("A tip?", "ask_tip", entities, tips_given=given, disclaimer_shown=True)

    events = run(ActionGiveTip(), dispatcher, tracker, domain)

    tip = next(t for t in knowledge.tips if t.id == tip_id)
    assert responses(dispatcher.messages) == ["utter_tip"]
    assert dispatcher.messages[-1]["tip"] == tip.tip
    # The tip's sentence becomes what "where does it say that?" cites.
    assert events == [
        SlotSet("last_entry", None),
        SlotSet("last_quotes", [tip.quote.text]),
        SlotSet("more_shown", False),
        SlotSet("tips_given", [*given, tip_id]),
    ]


def test_when_a_focus_has_no_tips_left_the_user_hears_so_and_may_ask_for_others(
    domain: dict[str, Any], dispatcher: CollectingDispatcher, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "Another exercise tip", "ask_tip", [("lifestyle", "exercise")], tips_given=["tip_exercise"]
    )

    events = run(ActionGiveTip(), dispatcher, tracker, domain)

    [message] = dispatcher.messages
    assert message["response"] == "utter_no_more_tips_focus"
    assert message["focus"] == "exercise"
    assert events == []


def test_when_every_tip_is_given_a_focus_gets_no_more_tips_at_all(
    domain: dict[str, Any], dispatcher: CollectingDispatcher, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "A stress tip", "ask_tip", [("lifestyle", "stress")], tips_given=ALL_TIPS
    )

    events = run(ActionGiveTip(), dispatcher, tracker, domain)

    assert responses(dispatcher.messages) == ["utter_no_more_tips"]
    assert events == []


# --- ActionRetrieveOrDecline -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entities", "says", "heading", "entry_id"),
    [
        (
            "Which foods give me calcium, like dairy or leafy greens?",
            [],
            CALCIUM,
            NUTRITION,
            "calcium",
        ),
        ("What are osteoclasts and osteoblasts?", [], REMODELING, CAUSAL, "bone_remodeling"),
        # Too vague alone; the entity says what it is about.
        (
            "Is it a side effect?",
            [("medication", "bisphosphonates")],
            FOSAMAX,
            MEDICATION,
            "bisphosphonates",
        ),
        # Word forms meet: "cause" finds "cause", "alopecia" the Fosamax sentence.
        ("does fosamax cause alopecia", [], FOSAMAX, MEDICATION, "bisphosphonates"),
        # A `more` sentence: the context is the entry that has it.
        ("skeletal disease dermatological conditions", [], SKELETAL, CAUSAL, "causal_link"),
        # A sentence no entry quotes: answered, but it is no entry's context.
        (
            "why is targeted supplementation necessary",
            [],
            UNQUOTED,
            NUTRITION,
            None,
        ),
    ],
)
def test_an_unsure_question_is_answered_with_the_closest_passage_and_its_section(
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    text: str,
    entities: list[tuple[str, str]],
    says: str,
    heading: str,
    entry_id: str | None,
) -> None:
    tracker = make_tracker(
        text, "nlu_fallback", entities, confidence=0.3, last_entry="exercise", disclaimer_shown=True
    )

    events = run(ActionRetrieveOrDecline(), dispatcher, tracker, domain)

    [message] = dispatcher.messages
    assert message["response"] == "utter_retrieved_answer"
    assert message["quote"] == says
    assert message["section"] == cited(heading)
    assert message["title"] == TITLE
    # The sentence shown, not its entry's quotes, is what a follow-up refers to.
    assert events == answered_events(entry_id, [says])


@pytest.mark.parametrize(
    "text",
    [
        "asdfgh qwerty zxcvb",
        "what is the weather in paris",
        "",
        "   ",
        "😀😀",
        "骨粗鬆症と脱毛",
        "x" * 100_000,
    ],
    ids=["gibberish", "off-topic", "empty", "blank", "emoji", "japanese", "100-kb"],
)
def test_a_question_the_article_does_not_cover_is_declined(
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    text: str,
) -> None:
    tracker = make_tracker(text, "nlu_fallback", confidence=0.2, last_entry="calcium")

    events = run(ActionRetrieveOrDecline(), dispatcher, tracker, domain)

    assert responses(dispatcher.messages) == ["utter_decline"]
    assert events == []


def _best_hit(text: str) -> Hit:
    index, _ = load_index()
    hit = index.search(text)
    assert hit is not None
    return hit


def test_an_unsure_question_the_classifiers_guess_agrees_with_gets_that_answer(
    knowledge: KnowledgeBase,
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
) -> None:
    text = "Is osteoporosis a skin disease?"
    # Too weak alone, but the passage found is the causal-link entry's, as guessed.
    _, settings = load_index()
    hit = _best_hit(text)
    assert hit.passage.quote.text == SKELETAL
    assert not hit.clears(settings)
    assert hit.coverage >= settings.agreement_min_coverage
    tracker = make_tracker(
        text, "nlu_fallback", confidence=0.3, guess="ask_causal_link", disclaimer_shown=True
    )

    events = run(ActionRetrieveOrDecline(), dispatcher, tracker, domain)

    [message] = dispatcher.messages
    assert message["response"] == "utter_grounded_answer"
    assert message["answer"] == knowledge.entries["causal_link"].answer
    assert message["section"] == cited(CAUSAL)
    assert events == answered_events("causal_link", quotes_of("causal_link"))


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        # The passage found is not one the guessed entry has: the two do not agree.
        ("Is osteoporosis a skin disease?", "ask_calcium"),
        # No guess at all.
        ("Is osteoporosis a skin disease?", None),
        # The guess has the passage, but too few of the message's words are in it.
        ("Could my teeth, nails or eyes suffer from Fosamax?", "ask_bisphosphonates"),
    ],
    ids=["another-entry", "no-guess", "too-few-words"],
)
def test_an_unsure_question_without_agreement_must_clear_the_thresholds_alone(
    knowledge: KnowledgeBase,
    domain: dict[str, Any],
    dispatcher: CollectingDispatcher,
    make_tracker: TrackerFactory,
    text: str,
    guess: str | None,
) -> None:
    _, settings = load_index()
    hit = _best_hit(text)
    assert not hit.clears(settings)
    guessed = knowledge.by_intent.get(guess or "")
    if guessed is not None and guessed.id in hit.passage.entry_ids:
        assert hit.coverage < settings.agreement_min_coverage
    tracker = make_tracker(text, "nlu_fallback", confidence=0.3, guess=guess)

    events = run(ActionRetrieveOrDecline(), dispatcher, tracker, domain)

    assert responses(dispatcher.messages) == ["utter_decline"]
    assert events == []


def test_a_clear_passage_is_quoted_whatever_the_classifier_guessed(
    domain: dict[str, Any], dispatcher: CollectingDispatcher, make_tracker: TrackerFactory
) -> None:
    tracker = make_tracker(
        "calcium dairy leafy greens", "nlu_fallback", confidence=0.3, guess="ask_exercise"
    )

    events = run(ActionRetrieveOrDecline(), dispatcher, tracker, domain)

    assert responses(dispatcher.messages) == ["utter_disclaimer", "utter_retrieved_answer"]
    assert dispatcher.messages[1]["quote"] == CALCIUM
    assert events[1:] == answered_events("calcium", [CALCIUM])


# --- Every reply exists in the domain and gets every variable it needs --------------------

SCENARIOS = [
    pytest.param(
        ActionAnswer(), "Can Fosamax cause hair loss?", "ask_bisphosphonates", [], {}, id="answer"
    ),
    pytest.param(
        ActionAnswer(), "How much?", "ask_how_much", [], {"last_entry": "protein"}, id="no-amount"
    ),
    pytest.param(ActionAnswer(), "How much?", "ask_how_much", [], {}, id="unclear"),
    pytest.param(
        ActionAnswer(),
        "Is it permanent?",
        "ask_followup",
        [],
        after_answer("calcium"),
        id="decline",
    ),
    pytest.param(ActionTellMore(), "More", "ask_more", [], after_answer("causal_link"), id="more"),
    pytest.param(ActionTellMore(), "More", "ask_more", [], after_answer("protein"), id="no-more"),
    pytest.param(ActionTellMore(), "More", "ask_more", [], {}, id="nothing-yet"),
    pytest.param(
        ActionCiteSource(), "Source?", "ask_source", [], after_answer("calcium"), id="source"
    ),
    pytest.param(
        ActionPersonalAdvice(),
        "Should I stop my steroids?",
        "personal_advice",
        [("medication", "glucocorticoids")],
        {},
        id="personal-advice",
    ),
    pytest.param(ActionListTopics(), "What can you do?", "ask_capabilities", [], {}, id="topics"),
    pytest.param(ActionGiveTip(), "A tip", "ask_tip", [], {}, id="tip"),
    pytest.param(
        ActionGiveTip(),
        "An exercise tip",
        "ask_tip",
        [("lifestyle", "exercise")],
        {"tips_given": ["tip_exercise"]},
        id="no-more-tips-focus",
    ),
    pytest.param(
        ActionGiveTip(), "A tip", "ask_tip", [], {"tips_given": ALL_TIPS}, id="no-more-tips"
    ),
    pytest.param(
        ActionRetrieveOrDecline(),
        "calcium dairy leafy greens",
        "nlu_fallback",
        [],
        {},
        id="retrieved",
    ),
    pytest.param(
        ActionRetrieveOrDecline(), "asdfgh", "nlu_fallback", [], {}, id="retrieve-declined"
    ),
]


def _scenario_messages(
    make_tracker: TrackerFactory,
    domain: dict[str, Any],
    action: Action,
    text: str,
    intent: str,
    entities: list[tuple[str, str]],
    slots: dict[str, Any],
) -> list[Message]:
    dispatcher = CollectingDispatcher()
    run(action, dispatcher, make_tracker(text, intent, entities, **slots), domain)
    return dispatcher.messages


@pytest.mark.parametrize(("action", "text", "intent", "entities", "slots"), SCENARIOS)
def test_every_reply_is_a_domain_response_whose_variables_the_action_supplies(
    domain: dict[str, Any],
    make_tracker: TrackerFactory,
    action: Action,
    text: str,
    intent: str,
    entities: list[tuple[str, str]],
    slots: dict[str, Any],
) -> None:
    messages = _scenario_messages(make_tracker, domain, action, text, intent, entities, slots)

    assert messages
    for message in messages:
        assert message["response"] in domain["responses"]
        assert message["text"] is None  # the words come from the domain, not from Python
        for variant in domain["responses"][message["response"]]:
            template = variant["text"]
            fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
            for field in fields:
                assert isinstance(message.get(field), str), f"{message['response']}: {field}"
                assert message[field].strip(), f"{message['response']}: empty {field}"
            rendered = template.format(**message)
            assert "{" not in rendered
            assert "}" not in rendered


def test_the_scenarios_cover_every_response_the_actions_can_send(
    domain: dict[str, Any], make_tracker: TrackerFactory
) -> None:
    sent = {
        message["response"]
        for param in SCENARIOS
        for message in _scenario_messages(make_tracker, domain, *param.values)
    }

    assert sent == UTTER_NAMES


def test_every_slot_the_actions_set_is_declared_in_the_domain(domain: dict[str, Any]) -> None:
    slots = {v for k, v in vars(constants).items() if k.startswith("SLOT_")}

    assert "last_quotes" in slots
    assert sorted(slots - set(domain["slots"])) == []
    # The sentences shown: a list, empty in a new conversation, never steering the policy.
    last_quotes = domain["slots"]["last_quotes"]
    assert last_quotes["type"] == "list"
    assert last_quotes["initial_value"] == []
    assert last_quotes["influence_conversation"] is False


def test_every_response_name_in_the_actions_is_in_the_domain(domain: dict[str, Any]) -> None:
    assert len(UTTER_NAMES) == 15
    assert sorted(UTTER_NAMES - set(domain["responses"])) == []


@pytest.mark.parametrize(
    "action",
    [
        ActionAnswer(),
        ActionTellMore(),
        ActionCiteSource(),
        ActionPersonalAdvice(),
        ActionListTopics(),
        ActionGiveTip(),
        ActionRetrieveOrDecline(),
    ],
    ids=lambda action: action.name(),
)
def test_every_action_is_declared_in_the_domain(domain: dict[str, Any], action: Action) -> None:
    assert action.name() in domain["actions"]
