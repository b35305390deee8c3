"""The custom actions as a user meets them: this message, in this state, gets a reply that
says X and cites section Y, and leaves the conversation in this state."""

from __future__ import annotations

import asyncio
import json
import string
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import answering, constants
from actions.answerability import ANSWER, Decision
from actions.answering import (
    ActionAnswer,
    ActionCiteSource,
    ActionGiveTip,
    ActionListTopics,
    ActionPersonalAdvice,
    ActionSmallTalk,
    ActionTellMore,
)
from actions.feedback import feedback_buttons
from actions.knowledge import load_knowledge
from actions.messages import preface, quoted_list, send_decision
from tests.unit.article import CALCIUM, EXERCISE, FOSAMAX, STEROIDS, TELOGEN

TrackerFactory = Callable[..., Tracker]
Message = dict[str, Any]

TITLE = "Osteoporosis and Hair Loss"
MECHANICAL = (
    "There is no direct mechanical relationship between the skeletal structure and the hair "
    "follicles, but understanding the shared underlying factors is key to addressing both "
    "conditions effectively."
)
CAUSAL = "Is There a Direct Causal Link?"
MEDICATION = "Medication Side Effects and Hair Loss"
NUTRITION = "Nutritional Strategies for Bone and Hair Resilience"
ALL_TIPS = [t.id for t in load_knowledge().tips]
UTTER_NAMES = {v for k, v in vars(constants).items() if k.startswith("UTTER_")}
VERDICT_OPENINGS = ("Yes", "No", "They can", "Possibly")


def run(
    action: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
) -> list[dict[str, Any]]:
    return asyncio.run(action.run(dispatcher, tracker, domain))


def responses(messages: Iterable[Message]) -> list[str]:
    return [m["response"] for m in messages]


def quotes_of(entry_id: str, field: str = "quotes") -> list[str]:
    return [q.text for q in getattr(load_knowledge().entries[entry_id], field)]


def after_answer(entry_id: str, question: list[str] | None = None) -> dict[str, Any]:
    """The slots an answer with this entry leaves behind."""
    entry = load_knowledge().entries[entry_id]
    return {
        "last_entry": entry_id,
        "last_quotes": quotes_of(entry_id),
        "more_shown": False,
        "last_question": {"concepts": question or list(entry.subjects), "yes_no": True},
        "answerability": {
            "outcome": "answer",
            "reason": "covered",
            "entry": entry_id,
            "uncovered": [],
        },
    }


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
        confidence: float = 0.9,
    ) -> list[Message]:
        dispatcher = CollectingDispatcher()
        tracker = self.make_tracker(text, intent, confidence=confidence, **self.slots)
        for event in run(action, dispatcher, tracker, self.domain):
            assert event["event"] == "slot", event
            self.slots[event["name"]] = event["value"]
        return dispatcher.messages


@pytest.fixture
def conversation(make_tracker: TrackerFactory, domain: dict[str, Any]) -> Conversation:
    return Conversation(make_tracker, domain)


def answer(conversation: Conversation, text: str, intent: str | None = None) -> Message:
    """The one reply `action_answer` gives to `text`."""
    messages = conversation.turn(ActionAnswer(), text, intent)
    assert len(messages) == 1, messages
    return messages[0]


# --- ActionAnswer: answers, partial answers and declines -----------------------------------


def test_a_yes_no_question_its_entry_answers_gets_the_verdict_quote_and_section(
    conversation: Conversation,
) -> None:
    message = answer(conversation, "Can Fosamax cause hair loss?", "ask_bisphosphonates")

    assert message["response"] == "utter_grounded_answer"
    assert message["answer"].startswith("Possibly, but rarely.")
    assert message["quote"] == FOSAMAX
    assert message["section"] == f"“{MEDICATION}”"
    assert message["title"] == TITLE
    assert [b["payload"] for b in message["buttons"]] == [
        "/ask_glucocorticoids",
        "/ask_hrt_antiestrogen",
        "/feedback_helpful",
        "/feedback_not_helpful",
    ]
    assert conversation.slots["last_entry"] == "bisphosphonates"
    assert conversation.slots["answerability"]["outcome"] == "answer"


def test_a_question_about_something_the_article_does_not_say_gets_a_partial_answer(
    conversation: Conversation,
) -> None:
    message = answer(conversation, "Can prednisone make you gain weight?", "ask_glucocorticoids")

    assert message["response"] == "utter_partial_answer"
    assert message["uncovered"] == "“gain weight”"
    assert message["topic"] == "steroids (glucocorticoids)"
    assert STEROIDS in message["quote"]
    assert conversation.slots["answerability"] == {
        "outcome": "partial",
        "reason": conversation.slots["answerability"]["reason"],
        "entry": "glucocorticoids",
        "uncovered": ["gain weight"],
    }


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Does HRT cause breast cancer?", "ask_hrt_antiestrogen"),
        ("Which exercise is best for hair growth?", "ask_exercise"),
        ("Is too much calcium bad for the heart?", "ask_calcium"),
        ("How do I get tested for vitamin D deficiency?", "ask_vitamin_d_link"),
    ],
)
def test_no_reply_to_a_near_miss_starts_with_a_verdict(
    conversation: Conversation, text: str, intent: str
) -> None:
    message = answer(conversation, text, intent)

    assert message["response"] == "utter_partial_answer"
    rendered = message.get("answer") or ""
    assert not rendered.startswith(VERDICT_OPENINGS)


def test_a_question_with_no_subject_the_article_covers_is_declined(
    conversation: Conversation,
) -> None:
    message = answer(conversation, "does minoxidil work", "out_of_scope")

    assert message["response"] == "utter_decline"
    assert conversation.slots["answerability"]["outcome"] == "decline"
    assert "last_entry" not in conversation.slots


@pytest.mark.parametrize(
    "text", ["who won the football game last night", "can you give me a recipe for banana bread"]
)
def test_an_off_topic_request_is_told_what_the_bot_covers(
    conversation: Conversation, text: str
) -> None:
    message = answer(conversation, text, "off_topic")

    assert message["response"] == "utter_off_topic"
    assert "Osteoporosis and Hair Loss" in message["titles"]
    assert conversation.slots["answerability"]["reason"] == "off_topic"


def test_a_follow_up_about_a_group_classified_as_what_can_you_do_is_answered(
    conversation: Conversation,
) -> None:
    conversation.turn(
        ActionAnswer(), "could alendronate make my hair fall out?", "ask_bisphosphonates"
    )
    messages = conversation.turn(ActionListTopics(), "what about for men", "ask_capabilities")

    assert responses(messages) == ["utter_partial_answer"]
    assert "men" in messages[0]["uncovered"]


def test_an_off_topic_guess_that_names_a_covered_subject_is_not_off_topic(
    conversation: Conversation,
) -> None:
    message = answer(conversation, "best recipe for strong bones and hair", "off_topic")

    assert message["response"] != "utter_off_topic"


def test_an_unsure_classifier_does_not_stop_a_covered_answer(conversation: Conversation) -> None:
    message = answer(conversation, "calcium dairy leafy greens", "nlu_fallback")

    assert message["quote"].startswith(CALCIUM)


def _send_lone_sentence(tracker: Tracker) -> list[Message]:
    """What the user gets when the decision answers with a sentence no entry quotes."""
    quote = load_knowledge().quote_for(MECHANICAL)
    assert quote is not None
    dispatcher = CollectingDispatcher()
    decision = Decision(ANSWER, "covered:retrieval", None, (quote,))
    send_decision(dispatcher, tracker, load_knowledge(), decision)
    return dispatcher.messages


def test_a_sentence_no_entry_quotes_is_quoted_on_its_own(make_tracker: TrackerFactory) -> None:
    messages = _send_lone_sentence(make_tracker("q"))

    assert responses(messages) == ["utter_retrieved_answer"]
    assert messages[0]["quote"] == MECHANICAL


def test_a_button_payload_asks_its_entrys_own_question(conversation: Conversation) -> None:
    message = answer(conversation, "/ask_causal_link", "ask_causal_link")

    assert message["answer"].startswith("No.")
    assert message["section"] == f"“{CAUSAL}”"


def test_why_with_nothing_to_go_on_asks_for_the_whole_question(
    conversation: Conversation,
) -> None:
    message = answer(conversation, "why is that?", "ask_followup")

    assert message["response"] == "utter_unclear_subject"


# --- Follow-ups --------------------------------------------------------------------------


def test_what_about_another_subject_keeps_what_was_asked(conversation: Conversation) -> None:
    answer(conversation, "can fosamax make my hair fall out", "ask_bisphosphonates")
    message = answer(conversation, "what about steroids?", "ask_what_about")

    assert message["answer"].startswith("Yes.")
    assert STEROIDS in message["quote"]


def test_a_pronoun_follow_up_about_something_uncovered_is_a_partial_answer(
    conversation: Conversation,
) -> None:
    answer(conversation, "what is telogen effluvium", "ask_telogen_effluvium")
    permanent = answer(conversation, "is it permanent?", "ask_followup")
    sleep = answer(conversation, "does it also affect sleep?", "ask_followup")

    assert TELOGEN in permanent["quote"]
    assert sleep["response"] == "utter_partial_answer"
    assert sleep["uncovered"] == "“sleep”"


def test_two_drugs_get_each_ones_information_and_the_doctor(conversation: Conversation) -> None:
    messages = conversation.turn(
        ActionAnswer(),
        "I'm on Fosamax and prednisone and my hair is falling out, which one is it?",
        "ask_bisphosphonates",
    )

    assert responses(messages) == ["utter_attribution"]  # one message, every drug in it
    entries = messages[0]["entries"]
    assert FOSAMAX in entries and STEROIDS in entries
    assert entries.count("\n> ") == 2  # each drug's sentence set off as a quotation
    cited = messages[0]["custom"]["citations"]
    assert cited[0]["answer"] == "bisphosphonates such as Fosamax"
    assert len(cited) == 2
    assert all(c["url"].startswith("/chat/article/osteoporosis-and-hair-loss?") for c in cited)
    assert set(conversation.slots["last_quotes"]) >= {FOSAMAX, STEROIDS}


# --- Tell me more, where does it say that ---------------------------------------------------


def test_tell_me_more_quotes_the_entrys_further_sentences_once(
    conversation: Conversation,
) -> None:
    conversation.slots.update(after_answer("causal_link"))
    more = conversation.turn(ActionTellMore(), "tell me more", "ask_more")
    again = conversation.turn(ActionTellMore(), "more", "ask_more")

    assert responses(more) == ["utter_more"]
    assert more[0]["quote"] == " ".join(quotes_of("causal_link", "more"))
    assert responses(again) == ["utter_no_more"]


def all_shown(entry_id: str) -> dict[str, Any]:
    """The slots after an answer and its "tell me more": every sentence of the entry shown."""
    entry = load_knowledge().entries[entry_id]
    return {**after_answer(entry_id), "last_quotes": [q.text for q in entry.sentences]}


def test_more_after_all_of_an_entry_with_advice_gives_a_tip(conversation: Conversation) -> None:
    conversation.slots.update(all_shown("protein"))
    more = conversation.turn(ActionTellMore(), "anything else?", "ask_more")

    assert responses(more) == ["utter_tip"]
    # Not the protein sentence just shown again.
    assert more[0]["quote"] not in {q.text for q in load_knowledge().entries["protein"].sentences}


@pytest.mark.parametrize("entry_id", ["exercise", "stress"])
# "Anything else I can do?" asks for another thing to do; so does a bare "what else?"
# when the rest of the entry gives no advice.
@pytest.mark.parametrize("text", ["anything else I can do?", "what else?", "any more?"])
def test_what_else_after_an_answer_with_advice_gives_another_thing_to_do(
    conversation: Conversation, entry_id: str, text: str
) -> None:
    conversation.slots.update(after_answer(entry_id))
    more = conversation.turn(ActionTellMore(), text, "ask_more")

    assert responses(more) == ["utter_tip"]
    assert more[0]["quote"] not in {q.text for q in load_knowledge().entries[entry_id].sentences}


def test_a_bare_what_else_after_advice_with_more_advice_left_gives_that_advice(
    conversation: Conversation,
) -> None:
    conversation.slots.update(after_answer("what_can_i_do"))
    more = conversation.turn(ActionTellMore(), "what else?", "ask_more")

    assert responses(more) == ["utter_more"]
    tips = {tip.quote.text for tip in load_knowledge().tips}
    assert any(sentence in more[0]["quote"] for sentence in tips)


def test_what_are_those_factors_gives_the_rest_of_the_entry(conversation: Conversation) -> None:
    conversation.slots.update(after_answer("why_together"))
    messages = conversation.turn(ActionAnswer(), "what are those factors?", "ask_followup")

    assert responses(messages) == ["utter_more"]
    assert "Hormonal changes are a major contributor" in messages[0]["quote"]
    assert "Chronic inflammation provides a third common pathway" in messages[0]["quote"]


def test_a_comparison_by_degree_is_not_carried_to_the_next_subject(
    conversation: Conversation,
) -> None:
    answer(conversation, "can steroids cause osteoporosis", "ask_glucocorticoids")
    answer(conversation, "are the inhaler ones as bad as the tablets?", "ask_followup")
    reply = answer(conversation, "what about the bone drugs like alendronate?", "ask_followup")

    assert reply["response"] == "utter_grounded_answer"
    assert "alendronate (Fosamax)" in reply["quote"]


def test_what_else_can_i_do_about_a_named_subject_is_answered_about_it(
    conversation: Conversation,
) -> None:
    conversation.slots.update(after_answer("exercise"))
    messages = conversation.turn(ActionTellMore(), "what else can I do about calcium?", "ask_more")

    assert responses(messages) != ["utter_tip"]
    assert "answerability" in conversation.slots


def test_tell_me_more_after_a_tip_gives_the_next_tip(conversation: Conversation) -> None:
    first = conversation.turn(ActionGiveTip(), "give me a tip", "ask_tip")
    more = conversation.turn(ActionTellMore(), "more?", "ask_more")

    assert responses(first) == ["utter_tip"]
    assert responses(more) == ["utter_tip"]
    # Not the protein tip: the calcium tip quoted "Adequate intake of calcium and
    # protein is foundational.", which is the protein tip's advice.
    assert conversation.slots["tips_given"] == ["tip_calcium", "tip_vitamin_d"]


@pytest.mark.parametrize(
    ("text", "intent"), [("another", "nlu_fallback"), ("next", "ask_tip"), ("next one", "ask_tip")]
)
def test_a_bare_another_after_a_tip_gives_the_next_tip(
    conversation: Conversation, text: str, intent: str
) -> None:
    conversation.turn(ActionGiveTip(), "give me a tip", "ask_tip")
    action = ActionAnswer() if intent == "nlu_fallback" else ActionGiveTip()
    another = conversation.turn(action, text, intent, confidence=0.2)

    assert responses(another) == ["utter_tip"]
    assert len(set(conversation.slots["tips_given"])) == 2


def test_a_bare_any_others_after_an_answer_gives_more_of_that_answer(
    conversation: Conversation,
) -> None:
    conversation.slots.update(after_answer("causal_link"))
    others = conversation.turn(ActionGiveTip(), "any others?", "ask_tip")

    assert responses(others) == ["utter_more"]
    assert others[0]["quote"] == " ".join(quotes_of("causal_link", "more"))


@pytest.mark.parametrize(
    ("before", "intent", "named"),
    [
        ("Why do women lose bone after menopause?", "ask_estrogen_menopause", "androgenetic"),
        ("Can chronic inflammation affect bones?", "ask_inflammation", "telogen effluvium"),
    ],
)
def test_that_kind_of_hair_loss_is_the_one_the_last_answer_spoke_of(
    conversation: Conversation, before: str, intent: str, named: str
) -> None:
    answer(conversation, before, intent)
    # The classifier takes it for "what is hair loss?".
    reply = answer(conversation, "what's that kind of hair loss called?", "ask_what_is_hair_loss")

    assert named in reply["quote"]
    assert "Hair loss, or alopecia" not in reply["quote"]


def test_a_bare_which_ones_asks_which_of_what_was_just_answered(
    conversation: Conversation,
) -> None:
    answer(conversation, "Do osteoporosis drugs cause hair loss?", "ask_bisphosphonates")
    reply = conversation.turn(ActionGiveTip(), "which ones?", "ask_tip")

    assert responses(reply) != ["utter_tip"]
    assert "alendronate (Fosamax)" in reply[0]["quote"]


def test_a_question_the_classifier_took_for_a_tip_request_is_answered(
    conversation: Conversation,
) -> None:
    answer(conversation, "what do osteoclasts do?", "ask_bone_remodeling")
    reply = conversation.turn(ActionGiveTip(), "what makes them more active?", "ask_tip")

    assert responses(reply) != ["utter_tip"]
    assert "tips_given" not in conversation.slots


@pytest.mark.parametrize("text", ["what dose", "how dose?", "dose"])
def test_a_short_message_with_dose_gets_a_reply(conversation: Conversation, text: str) -> None:
    messages = conversation.turn(ActionAnswer(), text, "nlu_fallback", confidence=0.2)

    assert responses(messages)


def test_a_subject_no_tip_is_about_is_answered_not_given_a_tip(
    conversation: Conversation,
) -> None:
    answer(conversation, "can fosamax thin my hair?", "ask_bisphosphonates")
    reply = conversation.turn(ActionGiveTip(), "other medicines?", "ask_tip")

    assert responses(reply) != ["utter_tip"]
    assert "tips_given" not in conversation.slots
    assert "Other medications" in " ".join(str(m.get("quote")) for m in reply)


def test_a_story_that_ends_in_any_tips_gets_a_tip(conversation: Conversation) -> None:
    messages = conversation.turn(
        ActionAnswer(), "I've got thinning bones and thinning hair. Any tips?", "ask_why_together"
    )

    assert responses(messages) == ["utter_tip"]


def test_asking_for_tips_after_an_answer_gives_one_it_did_not_just_quote(
    conversation: Conversation,
) -> None:
    answer(conversation, "how much calcium do adults need?", "ask_calcium")
    shown = conversation.slots["last_quotes"]
    assert load_knowledge().tips[0].quote.text in shown  # the first tip's sentence
    tip = conversation.turn(ActionGiveTip(), "any other tips?", "ask_tip")

    assert responses(tip) == ["utter_tip"]
    assert tip[0]["quote"] not in shown


def test_what_else_for_hair_after_an_answer_gives_a_tip_on_hair_not_the_answer_again(
    conversation: Conversation,
) -> None:
    answer(conversation, "Does biotin help hair?", "ask_biotin_iron")
    shown = conversation.slots["last_quotes"]
    # The classifier is unsure of it; the question still asks for other advice for hair.
    tip = conversation.turn(ActionAnswer(), "What else supports hair?", "nlu_fallback")

    assert responses(tip) == ["utter_tip"]
    assert tip[0]["quote"] not in shown
    assert "hair" in tip[0]["quote"]


@pytest.mark.parametrize("action", [ActionTellMore(), ActionCiteSource()], ids=["more", "source"])
def test_without_an_answer_yet_there_is_nothing_to_expand_or_cite(
    conversation: Conversation, action: Action
) -> None:
    assert responses(conversation.turn(action, "?", "ask_more")) == ["utter_nothing_yet"]


@pytest.mark.parametrize(
    "text", ["Please explain the theory of relativity.", "what about the theory?"]
)
def test_a_question_of_its_own_before_any_answer_is_declined_not_taken_for_more(
    conversation: Conversation, text: str
) -> None:
    """It names something, which the article does not cover: not "I haven't answered
    anything yet", nor "which subject do you mean?"."""
    assert responses(conversation.turn(ActionTellMore(), text, "ask_more")) == ["utter_decline"]
    assert responses(conversation.turn(ActionAnswer(), text, "ask_followup")) == ["utter_decline"]


def test_where_does_it_say_that_cites_the_sentences_shown(conversation: Conversation) -> None:
    answer(conversation, "how much calcium do adults need", "ask_calcium")
    source = conversation.turn(ActionCiteSource(), "where does it say that?", "ask_source")

    assert responses(source) == ["utter_source"]
    assert CALCIUM in source[0]["quote"]
    assert source[0]["section"] == f"“{NUTRITION}”"


# --- Personal advice, topics, tips ---------------------------------------------------------


def test_personal_advice_points_to_the_doctor_and_gives_no_verdict(
    conversation: Conversation,
) -> None:
    messages = conversation.turn(
        ActionPersonalAdvice(),
        "should I stop my fosamax, my hair is falling out",
        "personal_advice",
    )

    assert responses(messages) == ["utter_neutral_answer"]  # one message
    assert messages[0]["preface"] == preface("utter_personal_advice")
    assert messages[0]["quote"].startswith(FOSAMAX)


def test_personal_advice_on_what_the_article_does_not_cover_promises_nothing(
    conversation: Conversation,
) -> None:
    messages = conversation.turn(
        ActionPersonalAdvice(), "should I take melatonin for my hair?", "personal_advice"
    )

    assert responses(messages) == ["utter_personal_advice_only"]
    assert conversation.slots["answerability"]["outcome"] == "decline"


@pytest.mark.parametrize(
    ("action", "text", "intent"),
    [
        (ActionTellMore(), "Should I go on HRT then?", "ask_more"),
        (
            ActionAnswer(),
            "I'm 55 with thinning hair. Should I start taking biotin?",
            "ask_biotin_iron",
        ),
        (
            ActionAnswer(),
            "Should I take 2000 IU of vitamin D instead of 800?",
            "ask_vitamin_d_dose",
        ),
    ],
)
def test_a_request_for_personal_advice_is_refused_whatever_the_classifier_said(
    conversation: Conversation, action: Any, text: str, intent: str
) -> None:
    messages = conversation.turn(action, text, intent)

    assert messages[0]["preface"] == preface("utter_personal_advice")
    assert "utter_grounded_answer" not in responses(messages)  # no verdict, no summary


@pytest.mark.parametrize("text", ["what can you do", "/ask_capabilities"])
def test_what_can_you_do_lists_every_topic_and_names_the_article(
    conversation: Conversation, text: str
) -> None:
    messages = conversation.turn(ActionListTopics(), text, "ask_capabilities")

    assert responses(messages) == ["utter_capabilities"]
    for entry in load_knowledge().entries.values():
        assert entry.label in messages[0]["topics"]
    assert TITLE in messages[0]["titles"]


def test_a_constraint_read_as_a_goodbye_is_answered_as_a_follow_up(
    conversation: Conversation,
) -> None:
    conversation.slots.update(after_answer("calcium", ["calcium"]))
    messages = conversation.turn(ActionSmallTalk(), "I hate milk", "goodbye")

    assert responses(messages) != ["utter_goodbye"]
    assert any("plant milks" in (m.get("quote") or "") for m in messages)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hi, can steroids thin my hair?", "greet"),
        ("thanks! and what about iron?", "thank"),
        ("would these help my brittle nails too?", "ask_capabilities"),
    ],
)
def test_a_question_read_as_small_talk_is_answered_as_a_question(
    conversation: Conversation, text: str, intent: str
) -> None:
    action = ActionListTopics() if intent == "ask_capabilities" else ActionSmallTalk()
    messages = conversation.turn(action, text, intent)

    assert "answerability" in conversation.slots
    assert responses(messages)[-1] in {
        "utter_grounded_answer",
        "utter_neutral_answer",
        "utter_partial_answer",
        "utter_decline",
    }


def test_a_question_on_what_is_responsible_read_as_a_bot_challenge_is_answered(
    conversation: Conversation,
) -> None:
    """ "Which is responsible?" is not "are you a bot?", whatever the classifier says."""
    messages = conversation.turn(
        ActionSmallTalk(), "I'm on Fosamax and prednisone. Which is responsible?", "bot_challenge"
    )

    assert responses(messages) == ["utter_attribution"]
    assert FOSAMAX in messages[0]["entries"] and STEROIDS in messages[0]["entries"]


@pytest.mark.parametrize(
    ("text", "intent", "reply"),
    [
        ("hello there", "greet", "utter_greet"),
        ("thank you", "thank", "utter_you_are_welcome"),
        # A statement that names a relation is no question.
        ("ok bye, that really helped", "goodbye", "utter_goodbye"),
        ("are you a bot?", "bot_challenge", "utter_iamabot"),
    ],
)
def test_small_talk_gets_its_reply(
    conversation: Conversation, text: str, intent: str, reply: str
) -> None:
    assert responses(conversation.turn(ActionSmallTalk(), text, intent)) == [reply]


def _greeting_through(channel: str, make_tracker: TrackerFactory, domain: dict[str, Any]) -> Any:
    tracker = make_tracker("/greet", "greet")
    tracker.events.append({"event": "user", "text": "/greet", "input_channel": channel})
    dispatcher = CollectingDispatcher()
    run(ActionSmallTalk(), dispatcher, tracker, domain)
    return dispatcher.messages


def test_the_widget_greets_with_the_welcome_of_widget_json_read_at_every_greeting(
    make_tracker: TrackerFactory,
    domain: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = tmp_path / "widget.json"
    monkeypatch.setattr(answering, "WIDGET_SETTINGS", settings)
    settings.write_text(json.dumps({"welcome": "Welcome to the clinic's bone and hair helper!"}))

    (widget,) = _greeting_through("socketio", make_tracker, domain)
    assert widget["text"] == "Welcome to the clinic's bone and hair helper!"
    assert widget["buttons"] == domain["responses"]["utter_greet"][0]["buttons"]
    (telegram,) = _greeting_through("telegram", make_tracker, domain)
    assert telegram["response"] == "utter_greet"  # the widget's words are the widget's

    settings.write_text(json.dumps({"welcome": "Hi again"}))  # edited: no restart
    assert _greeting_through("socketio", make_tracker, domain)[0]["text"] == "Hi again"
    for unusable in ('{"welcome": "  "}', "{not json", "[]"):
        settings.write_text(unusable)
        assert responses(_greeting_through("socketio", make_tracker, domain)) == ["utter_greet"]
    settings.unlink()
    assert responses(_greeting_through("socketio", make_tracker, domain)) == ["utter_greet"]


def test_tips_never_repeat_and_then_run_out(conversation: Conversation) -> None:
    given = [conversation.turn(ActionGiveTip(), "tip", "ask_tip") for _ in ALL_TIPS]
    after = conversation.turn(ActionGiveTip(), "tip", "ask_tip")

    assert sorted(conversation.slots["tips_given"]) == sorted(ALL_TIPS)
    assert len({m[0]["tip"] for m in given}) == len(ALL_TIPS)
    assert responses(after) == ["utter_no_more_tips"]


def test_a_tip_skips_a_sentence_an_earlier_answer_of_the_conversation_quoted(
    make_tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    # "best food for bones?" quoted the calcium sentence, then "what about protein?".
    tracker = make_tracker(
        "any other tips?",
        "ask_tip",
        last_quotes=["Adequate intake of calcium and protein is foundational."],
    )
    tracker.events = [
        {"event": "slot", "name": "last_quotes", "value": [CALCIUM]},
        {"event": "slot", "name": "last_quotes", "value": tracker.get_slot("last_quotes")},
    ]
    dispatcher = CollectingDispatcher()
    run(ActionGiveTip(), dispatcher, tracker, domain)

    [message] = dispatcher.messages
    assert message["response"] == "utter_tip"
    assert message["quote"] != CALCIUM


@pytest.mark.parametrize("text", ["anything besides exercise?", "any tips apart from exercise?"])
def test_setting_a_subject_aside_gets_a_tip_on_something_else(
    conversation: Conversation, text: str
) -> None:
    messages = conversation.turn(ActionAnswer(), text, "ask_exercise")

    assert responses(messages) == ["utter_tip"]
    assert messages[0]["quote"] != EXERCISE


def test_an_exercise_tip_quotes_the_exercise_sentence(conversation: Conversation) -> None:
    messages = conversation.turn(ActionGiveTip(), "a tip for exercise", "ask_tip")

    assert messages[0]["quote"] == EXERCISE
    assert conversation.slots["last_quotes"] == [EXERCISE]


def test_a_protein_tip_quotes_the_articles_advice_beside_its_reason(
    conversation: Conversation,
) -> None:
    messages = conversation.turn(ActionGiveTip(), "a tip about protein", "ask_tip")

    advice = "Adequate intake of calcium and protein is foundational."
    assert messages[0]["tip"].startswith("Eat enough protein")
    assert messages[0]["quote"].startswith(advice)  # in the article's order
    assert "the hair’s keratin structure" in messages[0]["quote"]
    assert advice in conversation.slots["last_quotes"]


def test_calcium_and_vitamin_d_tips_quote_why_the_article_says_they_matter(
    conversation: Conversation,
) -> None:
    calcium = conversation.turn(ActionGiveTip(), "a tip about calcium", "ask_tip")
    vitamin_d = conversation.turn(ActionGiveTip(), "a vitamin D tip", "ask_tip")

    # The article's own reason beside each amount, in its order.
    assert calcium[0]["quote"].startswith("Adequate intake of calcium and protein is foundational.")
    assert "1,000 to 1,200 mg of calcium daily" in calcium[0]["quote"]
    assert vitamin_d[0]["quote"].startswith("Optimizing Vitamin D levels is particularly important")
    assert "600–800 International Units (IU) daily" in vitamin_d[0]["quote"]


def test_a_tip_request_the_article_has_no_tip_for_says_so_first(
    conversation: Conversation,
) -> None:
    messages = conversation.turn(ActionGiveTip(), "a tip for better sleep", "ask_tip")

    assert responses(messages) == ["utter_tip"]  # one message, the "no tip" words first
    assert messages[0]["preface"].startswith("The article has no tip about “")
    assert "sleep" in messages[0]["preface"]
    assert messages[0]["buttons"][-2:] == list(feedback_buttons())


def test_when_a_focus_has_no_tips_left_the_user_hears_so(conversation: Conversation) -> None:
    conversation.slots["tips_given"] = ["tip_exercise"]
    messages = conversation.turn(ActionGiveTip(), "an exercise tip", "ask_tip")

    assert responses(messages) == ["utter_no_more_tips_focus"]


def test_the_disclaimer_goes_with_the_first_answer_only(
    make_tracker: TrackerFactory, domain: dict[str, Any]
) -> None:
    conversation = Conversation(make_tracker, domain)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("what is osteoporosis", "ask_what_is_osteoporosis")
    for event in run(ActionAnswer(), dispatcher, tracker, domain):
        conversation.slots[event["name"]] = event["value"]
    second = CollectingDispatcher()
    tracker = make_tracker("what is alopecia", "ask_what_is_hair_loss", **conversation.slots)
    run(ActionAnswer(), second, tracker, domain)

    # One message each; the note is the response's default variation, and the slot set
    # with the first answer selects the variation without it (domain.yml).
    assert responses(dispatcher.messages) == ["utter_grounded_answer"]
    assert responses(second.messages) == ["utter_grounded_answer"]
    assert conversation.slots["disclaimer_shown"] is True


@pytest.mark.parametrize(
    "text",
    [
        "¿Qué es la osteoporosis?",
        "Kann Prednison Haarausfall verursachen?",
        "Le calcium est-il bon pour les os?",
        "Остеопороз и выпадение волос",
        "骨粗鬆症とは何ですか",
    ],
)
def test_a_question_in_another_language_is_told_the_bot_answers_in_english(
    make_tracker: TrackerFactory, domain: dict[str, Any], text: str
) -> None:
    dispatcher = CollectingDispatcher()
    events = run(ActionAnswer(), dispatcher, make_tracker(text, "nlu_fallback"), domain)

    assert responses(dispatcher.messages) == ["utter_english_only"]
    assert {
        "name": "answerability",
        "value": {"outcome": "decline", "reason": "other_language"},
    } in [
        {"name": e["name"], "value": {k: e["value"][k] for k in ("outcome", "reason")}}
        for e in events
        if e.get("name") == "answerability"
    ]


@pytest.mark.parametrize(
    "text",
    ["fosomax hair loss??", "calsium foods non dairy", "wat shud i eat 4 strong bonez n hair"],
)
def test_english_with_typos_and_brand_names_is_still_answered(
    make_tracker: TrackerFactory, domain: dict[str, Any], text: str
) -> None:
    dispatcher = CollectingDispatcher()
    run(ActionAnswer(), dispatcher, make_tracker(text, "nlu_fallback"), domain)

    assert "utter_english_only" not in responses(dispatcher.messages)


# --- Every reply exists in the domain and gets every variable it needs --------------------

SCENARIOS = [
    pytest.param(
        ActionAnswer(), "Can Fosamax cause hair loss?", "ask_bisphosphonates", {}, id="answer"
    ),
    pytest.param(
        ActionAnswer(), "¿Qué es la osteoporosis?", "nlu_fallback", {}, id="other-language"
    ),
    pytest.param(ActionAnswer(), "what's on tv tonight", "off_topic", {}, id="off-topic"),
    pytest.param(
        ActionAnswer(),
        "What are bisphosphonates used for?",
        "ask_bisphosphonates",
        {},
        id="neutral",
    ),
    pytest.param(
        ActionAnswer(),
        "Can prednisone make you gain weight?",
        "ask_glucocorticoids",
        {},
        id="partial",
    ),
    pytest.param(ActionAnswer(), "does minoxidil work", "out_of_scope", {}, id="decline"),
    pytest.param(ActionAnswer(), "why?", "ask_followup", {}, id="unclear"),
    pytest.param(
        ActionAnswer(),
        "fosamax and prednisone, which one is it?",
        "ask_bisphosphonates",
        {},
        id="attribution",
    ),
    pytest.param(ActionTellMore(), "More", "ask_more", after_answer("causal_link"), id="more"),
    pytest.param(ActionTellMore(), "More", "ask_more", all_shown("glucocorticoids"), id="no-more"),
    pytest.param(ActionTellMore(), "More", "ask_more", {}, id="nothing-yet"),
    pytest.param(ActionCiteSource(), "Source?", "ask_source", after_answer("calcium"), id="source"),
    pytest.param(
        ActionPersonalAdvice(),
        "Should I stop my steroids?",
        "personal_advice",
        {},
        id="personal-advice",
    ),
    pytest.param(
        ActionPersonalAdvice(),
        "Should I take melatonin?",
        "personal_advice",
        {},
        id="personal-advice-nothing-covered",
    ),
    pytest.param(ActionListTopics(), "What can you do?", "ask_capabilities", {}, id="topics"),
    pytest.param(ActionSmallTalk(), "hello", "greet", {}, id="greet"),
    pytest.param(ActionSmallTalk(), "bye", "goodbye", {}, id="goodbye"),
    pytest.param(ActionSmallTalk(), "thanks", "thank", {}, id="thank"),
    pytest.param(ActionSmallTalk(), "are you a bot?", "bot_challenge", {}, id="bot"),
    pytest.param(ActionGiveTip(), "A tip", "ask_tip", {}, id="tip"),
    pytest.param(ActionGiveTip(), "A tip for sleep", "ask_tip", {}, id="no-tip-for"),
    pytest.param(
        ActionGiveTip(),
        "An exercise tip",
        "ask_tip",
        {"tips_given": ["tip_exercise"]},
        id="no-more-tips-focus",
    ),
    pytest.param(ActionGiveTip(), "A tip", "ask_tip", {"tips_given": ALL_TIPS}, id="no-more-tips"),
]


def _scenario_messages(
    make_tracker: TrackerFactory,
    domain: dict[str, Any],
    action: Action,
    text: str,
    intent: str,
    slots: dict[str, Any],
) -> list[Message]:
    dispatcher = CollectingDispatcher()
    run(action, dispatcher, make_tracker(text, intent, **slots), domain)
    return dispatcher.messages


@pytest.mark.parametrize(("action", "text", "intent", "slots"), SCENARIOS)
def test_every_reply_is_a_domain_response_whose_variables_the_action_supplies(
    domain: dict[str, Any],
    make_tracker: TrackerFactory,
    action: Action,
    text: str,
    intent: str,
    slots: dict[str, Any],
) -> None:
    messages = _scenario_messages(make_tracker, domain, action, text, intent, slots)

    assert messages
    for message in messages:
        assert message["response"] in domain["responses"]
        assert message["text"] is None  # the words come from the domain, not from Python
        for variant in domain["responses"][message["response"]]:
            template = variant["text"]
            fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
            for field in fields:
                assert isinstance(message.get(field), str), f"{message['response']}: {field}"
                if field != "preface":  # an opening, often none
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
    sent |= set(responses(_send_lone_sentence(make_tracker("q"))))
    # Responses whose words open another message (messages.preface).
    openings = {name: domain["responses"][name][0]["text"].split("{")[0] for name in UTTER_NAMES}
    prefaced = {
        name
        for param in SCENARIOS
        for message in _scenario_messages(make_tracker, domain, *param.values)
        for name, opening in openings.items()
        if opening and message.get("preface", "").startswith(opening)
    }

    assert sent | prefaced == UTTER_NAMES


def test_every_slot_the_actions_set_is_declared_in_the_domain(domain: dict[str, Any]) -> None:
    slots = {v for k, v in vars(constants).items() if k.startswith("SLOT_")}

    assert {"last_quotes", "last_question", "answerability"} <= slots
    assert sorted(slots - set(domain["slots"])) == []
    for name in slots:
        assert domain["slots"][name]["influence_conversation"] is False


def test_every_response_name_in_the_actions_is_in_the_domain(domain: dict[str, Any]) -> None:
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
        ActionSmallTalk(),
    ],
    ids=lambda action: action.name(),
)
def test_every_action_is_declared_in_the_domain(domain: dict[str, Any], action: Action) -> None:
    assert action.name() in domain["actions"]


def test_other_supplement_tips_after_the_vitamin_d_answer_give_another_tip(
    conversation: Conversation,
) -> None:
    """The one tip on supplements is the vitamin D one just quoted: "other" asks for a
    different one, not that one again."""
    answer(conversation, "How much vitamin D do people usually take?", "ask_vitamin_d_dose")
    tip = conversation.turn(ActionGiveTip(), "any other supplement tips?", "ask_tip")

    assert responses(tip) == ["utter_tip"]
    assert "Vitamin D" not in tip[0]["quote"]


def test_supplement_tips_after_the_vitamin_d_answer_may_give_the_vitamin_d_tip(
    conversation: Conversation,
) -> None:
    answer(conversation, "How much vitamin D do people usually take?", "ask_vitamin_d_dose")
    tip = conversation.turn(ActionGiveTip(), "supplement tips?", "ask_tip")

    assert responses(tip) == ["utter_tip"]
    assert "Vitamin D" in tip[0]["quote"]


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (["first"], "“first”"),
        (["cost", "insurance"], "“cost” or “insurance”"),
        ([], "what you asked"),
        (["x" * 5000], f"“{'x' * 39}…”"),
        (
            ["a", "b", "c", "d", "e", "f", "g"],
            "“a”, “b”, “c”, “d”, “e” or other words",
        ),
    ],
)
def test_the_users_words_are_quoted_and_none_never_fails(words: list[str], said: str) -> None:
    assert quoted_list(words) == said


def test_a_pasted_wall_of_one_word_after_an_answer_gets_a_reply_of_usual_length(
    conversation: Conversation,
) -> None:
    """A follow-up that is one 5,000-letter word: the reply says the article does not
    cover it without repeating all of it (Telegram takes at most 4,096 characters)."""
    answer(conversation, "Does osteoporosis cause hair loss?", "ask_causal_link")
    reply = answer(conversation, "x" * 5000, "ask_followup")

    assert reply["response"] == "utter_partial_answer"
    assert reply["uncovered"] == f"“{'x' * 39}…”"
    assert all(len(str(value)) < 1000 for value in reply.values())


@pytest.mark.parametrize(
    "text",
    [
        "Is it common for osteoporosis drugs to thin your hair?",
        "Is hair loss from osteoporosis drugs rare?",
        "how common is hair loss in women",
    ],
)
def test_how_common_questions_about_a_drug_class_get_one_reply(
    conversation: Conversation, text: str
) -> None:
    """They once crashed the action (a partial answer with nothing left uncovered)."""
    reply = answer(conversation, text, "ask_bisphosphonates")

    assert reply["response"] in ("utter_grounded_answer", "utter_partial_answer")
