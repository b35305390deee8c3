"""What a user sees over the REST webhook of the bot `make run` starts."""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from actions.knowledge import load_knowledge
from scripts.servers import Bot, running_bot
from tests.integration.conftest import texts

SOURCE = "Source: [Osteoporosis and Hair Loss, section"


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex}"


SENTENCE = (
    "The physical process of bone weakening itself does not biologically cause "
    "hair follicles to fail."
)


def test_a_question_gets_one_message_with_the_answer_quote_and_a_link_to_the_section(
    bot: Bot, note: str
) -> None:
    replies = bot.send(new_sender(), "does osteoporosis cause hair loss?")

    assert len(replies) == 1  # the answer, its quotation, its source and the note
    answer, quotation, source, shown_note = replies[0]["text"].split("\n\n")
    assert answer.startswith("No.")
    assert quotation.startswith(f"> {SENTENCE} ")
    link = f"{bot.url}/chat/article/osteoporosis-and-hair-loss?quote="
    assert source.startswith(f"{SOURCE} “Is There a Direct Causal Link?”]({link}")
    assert source.endswith("#is-there-a-direct-causal-link)")
    assert shown_note == note
    assert [b["payload"] for b in replies[0]["buttons"]] == [
        "/ask_why_together",
        "/ask_bisphosphonates",
        "/feedback_helpful",
        "/feedback_not_helpful",
    ]


def test_an_answer_carries_its_parts_as_custom_data_and_its_link_opens_the_section(
    bot: Bot,
) -> None:
    (reply,) = bot.send(new_sender(), "does osteoporosis cause hair loss?")
    parts = reply["custom"]

    assert parts["answer"].startswith("No.")
    assert parts["quote"].startswith(SENTENCE)
    assert parts["document"] == "osteoporosis-and-hair-loss"
    assert parts["title"] == "Osteoporosis and Hair Loss"
    assert parts["section"] == "“Is There a Direct Causal Link?”"
    assert parts["url"] in reply["text"]
    page = requests.get(parts["url"], timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert '<section id="is-there-a-direct-causal-link">' in page.text
    assert f'<mark class="quote">{SENTENCE}</mark>' in page.text


def test_the_general_information_note_comes_once_per_conversation(bot: Bot, note: str) -> None:
    sender = new_sender()
    first = texts(bot.send(sender, "can fosamax make my hair fall out"))
    second = texts(bot.send(sender, "how much calcium do I need?"))
    assert note in first
    assert note not in second
    assert "1,000 to 1,200 mg of calcium daily" in second


@pytest.mark.parametrize(
    ("message", "sentence_start"),
    [
        ("I'm on Fosamax and my hair is falling out", "Specifically, the class of drugs"),
        ("how much vitamin D?", "While sunlight exposure is a source"),
        ("what do osteoclasts do", "Osteoporosis is fundamentally a disease of bone"),
        ("can prednisone thin my hair", "Glucocorticoids, or steroids"),
        ("is walking good for my bones", "Weight-bearing exercise, like walking"),
    ],
)
def test_questions_are_answered_from_the_right_sentence(
    bot: Bot, message: str, sentence_start: str
) -> None:
    answer = texts(bot.send(new_sender(), message))
    assert sentence_start in answer
    assert SOURCE in answer


def test_follow_ups_use_the_conversation(bot: Bot) -> None:
    sender = new_sender()
    bot.send(sender, "can Fosamax cause hair loss?")
    steroids = texts(bot.send(sender, "what about steroids?"))
    assert "Long-term or high-dose steroid use" in steroids
    bot.send(sender, "why does vitamin d matter for hair")
    dose = texts(bot.send(sender, "how much per day?"))
    assert "600–800 International Units (IU) daily" in dose
    source = texts(bot.send(sender, "where does it say that?"))
    assert "section “Nutritional Strategies for Bone and Hair Resilience”" in source
    assert "600–800 International Units (IU) daily" in source


def test_tell_me_more_then_nothing_more(bot: Bot, responses: dict[str, str]) -> None:
    sender = new_sender()
    bot.send(sender, "does osteoporosis cause hair loss?")
    more = texts(bot.send(sender, "tell me more"))
    assert "Osteoporosis is a skeletal disease" in more
    assert responses["utter_no_more"] in texts(bot.send(sender, "tell me more"))


def test_tips_do_not_repeat_and_end(bot: Bot, responses: dict[str, str]) -> None:
    sender = new_sender()
    # The last message of each reply is the tip (the first reply also has the note first).
    tips = [bot.send(sender, "give me a tip")[-1]["text"] for _ in load_knowledge().tips]
    assert all(t.startswith("Tip: ") for t in tips)
    assert len(set(tips)) == len(tips)
    assert responses["utter_no_more_tips"] in texts(bot.send(sender, "another tip"))


def test_where_does_it_say_that_after_a_tip_cites_the_tip(bot: Bot) -> None:
    sender = new_sender()
    bot.send(sender, "a tip for exercise")
    source = texts(bot.send(sender, "where does it say that?"))
    assert "Weight-bearing exercise, like walking or strength training" in source
    assert "section “Nutritional Strategies for Bone and Hair Resilience”" in source


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("Does HRT cause breast cancer?", "“breast cancer”"),
        ("Can prednisone make you gain weight?", "“gain weight”"),
        ("Which exercise is best for hair growth?", "“hair growth”"),
        ("Is too much calcium bad for the heart?", "“heart”"),
        ("How do I get tested for vitamin D deficiency?", "“tested”"),
    ],
)
def test_a_near_miss_gets_what_the_article_says_without_a_verdict(
    bot: Bot, responses: dict[str, str], message: str, words: str
) -> None:
    replies = [r["text"] for r in bot.send(new_sender(), message)]
    opening = responses["utter_partial_answer"].split("{")[0]
    answer = replies[-1]
    assert answer.startswith(opening)
    assert words in answer
    assert SOURCE in answer
    assert not any(r.startswith(("Yes", "No", "They can", "Possibly")) for r in replies)


def test_out_of_scope_is_declined_and_points_to_a_doctor(
    bot: Bot, responses: dict[str, str]
) -> None:
    for message in ["does minoxidil work for women", "what is diabetes"]:
        reply = texts(bot.send(new_sender(), message))
        assert reply.startswith(responses["utter_decline"])
        assert "doctor" in reply


def test_an_off_topic_request_is_told_what_the_bot_covers(
    bot: Bot, responses: dict[str, str]
) -> None:
    opening = responses["utter_off_topic"].split("{")[0]
    for message in ["what's the weather tomorrow", "who won the match yesterday?"]:
        reply = texts(bot.send(new_sender(), message))
        assert reply.startswith(opening)
        assert "osteoporosis and hair loss" in reply
        assert "doctor" not in reply


def test_personal_advice_is_never_given(bot: Bot, responses: dict[str, str]) -> None:
    replies = [r["text"] for r in bot.send(new_sender(), "should I stop taking my Fosamax?")]
    assert len(replies) == 1  # the refusal opens the answer, in one message
    assert replies[0].startswith(responses["utter_personal_advice"])
    assert "rare side effect" in replies[0]
    assert not any(r.startswith(("Yes", "No", "They can", "Possibly")) for r in replies)


def test_an_emergency_gets_urgent_care_advice(bot: Bot, responses: dict[str, str]) -> None:
    reply = texts(bot.send(new_sender(), "I fell and can't stand up"))
    assert reply == responses["utter_emergency"]


def test_greeting_bot_challenge_and_capabilities(bot: Bot, responses: dict[str, str]) -> None:
    sender = new_sender()
    assert texts(bot.send(sender, "hello")) == responses["utter_greet"]
    assert texts(bot.send(sender, "are you a bot?")) == responses["utter_iamabot"]
    topics = texts(bot.send(sender, "what can you do?"))
    for entry in load_knowledge().entries.values():
        assert f"• {entry.label}" in topics


def test_button_payloads_answer_like_typed_questions(bot: Bot) -> None:
    assert "1,000 to 1,200 mg" in texts(bot.send(new_sender(), "/ask_calcium"))


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "🦴💇‍♀️🦴",
        "¿La osteoporosis causa caída del cabello?",
        "هل يسبب هشاشة العظام تساقط الشعر؟",
        "骨质疏松会导致脱发吗？",
        "<img src=x onerror=alert(1)>",
        "asdkjh qwpoeiru zxmcnv",
        "does osteoporosis cause hair loss? " * 500,
    ],
)
def test_odd_input_always_gets_a_reply(bot: Bot, message: str) -> None:
    replies = bot.send(new_sender(), message)
    assert replies
    assert all(r.get("text") for r in replies)


@pytest.mark.parametrize("command", ["/restart", "/stop", "/greet{}", "/ask_calcium_amount"])
def test_a_typed_slash_command_is_read_as_text_and_answered(
    bot: Bot, note: str, command: str
) -> None:
    sender = new_sender()
    first = texts(bot.send(sender, "how much calcium do adults need?"))
    assert note in first
    replies = bot.send(sender, command)
    assert replies and all(r.get("text") for r in replies)
    if command in ("/restart", "/stop"):
        # A command asks nothing of the article: no answer from the last question's entry.
        assert "\n> " not in texts(replies)
    # The conversation was not restarted: the once-per-conversation note does not come
    # again, and the next question is answered.
    after = texts(replies) + texts(bot.send(sender, "what about vitamin D?"))
    assert note not in after
    assert "Vitamin D" in after


def test_a_message_with_a_lone_surrogate_gets_a_reply(bot: Bot) -> None:
    # JSON allows a lone surrogate ("\\ud800"); no UTF-8 encoder does.
    body = json.dumps({"sender": new_sender(), "message": "does stress cause hair loss? \ud800"})
    assert "\\ud800" in body
    reply = requests.post(
        f"{bot.url}/webhooks/rest/webhook",
        data=body.encode(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert reply.status_code == 200
    assert "chronic stress" in texts(reply.json())


@pytest.mark.parametrize(
    "message",
    [
        "¿La osteoporosis causa caída del cabello?",
        "Остеопороз и выпадение волос",
        "骨质疏松会导致脱发吗？",
    ],
)
def test_another_language_is_told_the_bot_answers_in_english(
    bot: Bot, responses: dict[str, str], message: str
) -> None:
    assert texts(bot.send(new_sender(), message)) == responses["utter_english_only"]


def test_a_blank_message_gets_a_prompt(bot: Bot, responses: dict[str, str]) -> None:
    assert texts(bot.send(new_sender(), "  ")) == responses["utter_empty_message"]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ("{not json", 400, "the body must be JSON"),
        ('["a list"]', 400, "the body must be a JSON object"),
        ('{"sender": "a"}', 400, "'message' must be a string"),
        ('{"sender": "a", "message": 42}', 400, "'message' must be a string"),
        ('{"message": "hello"}', 400, "'sender' must be a non-empty string"),
        ('{"sender": "", "message": "hello"}', 400, "'sender' must be a non-empty string"),
        ('{"sender": "\\ud800", "message": "hello"}', 400, "without lone surrogates"),
        ('{"sender": "a", "message": "' + "x" * 20_001 + '"}', 413, "at most 20000"),
    ],
)
def test_malformed_requests_get_a_clear_error(bot: Bot, body: str, status: int, error: str) -> None:
    reply = requests.post(
        f"{bot.url}/webhooks/rest/webhook",
        data=body.encode(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert reply.status_code == status
    assert error in reply.json()["error"]


def test_links_are_on_public_base_url_when_it_is_set() -> None:
    with running_bot(env={"PUBLIC_BASE_URL": "https://faq.example.org/"}) as public:
        (reply,) = public.send(new_sender(), "can fosamax make my hair fall out?")

    article = "https://faq.example.org/chat/article/osteoporosis-and-hair-loss?quote="
    assert reply["custom"]["url"].startswith(article)
    assert f"]({article}" in reply["text"]
