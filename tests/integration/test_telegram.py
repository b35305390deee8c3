"""The Telegram channel end to end: the bot `make run` starts, Telegram-shaped updates
posted to /webhooks/telegram/webhook, and what the bot sent to a fake Bot API.

Silence is checked with a question asked last in the same chat: replies to one chat
are sent in order, so once its answer is there, anything an earlier update would
have caused has been sent too.
"""

from __future__ import annotations

import html
import itertools
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from scripts.servers import ROOT, Bot, running_bot
from tests.fakes.telegram_api import Call, FakeTelegramApi

TOKEN = "123456:TEST-fake_token"
SECRET = f"test-secret-{uuid.uuid4().hex}"
BOT_NAME = "osteo_faq_test_bot"
WEBHOOK_URL = "https://bot.example.org/webhooks/telegram/webhook"
WEBHOOK = "/webhooks/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

QUESTION = "does osteoporosis cause hair loss?"
ANSWER = "The physical process of bone weakening itself"
LAST_QUESTION = "how much calcium do I need?"
LAST_ANSWER = "1,000 to 1,200 mg of calcium daily"

_update_ids = itertools.count(int(time.time()) % 1_000_000 * 1000)
_chat_ids = itertools.count(700_000_000 + uuid.uuid4().int % 1_000_000 * 100)


# --- Fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def telegram_api() -> Iterator[FakeTelegramApi]:
    with FakeTelegramApi(TOKEN, BOT_NAME) as api:
        yield api


def telegram_env(api: FakeTelegramApi) -> dict[str, str]:
    return {
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_API_URL": api.url,
        "TELEGRAM_BOT_NAME": BOT_NAME,
        "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
    }


@pytest.fixture(scope="module")
def telegram_bot(telegram_api: FakeTelegramApi) -> Iterator[Bot]:
    with running_bot(env=telegram_env(telegram_api)) as bot:
        yield bot


def new_chat() -> int:
    return next(_chat_ids)


def message(chat_id: int, chat_type: str = "private", **content: Any) -> dict[str, Any]:
    """An update with a message as Telegram sends it."""
    person = {"id": chat_id, "is_bot": False, "first_name": "Test", "language_code": "en"}
    chat = {"id": chat_id, "type": chat_type, "first_name": "Test"}
    if chat_type != "private":
        chat = {"id": chat_id, "type": chat_type, "title": "Test group"}
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": next(_update_ids) % 100_000,
            "from": person,
            "chat": chat,
            "date": int(time.time()),
            **content,
        },
    }


def press(bot_message: Call, data: str, query_id: str) -> dict[str, Any]:
    """A button press on a message the bot sent, as Telegram sends it."""
    chat_id = bot_message.chat_id
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": query_id,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Test"},
            "chat_instance": "-123",
            "data": data,
            "message": {
                "message_id": 1,
                "from": {"id": 1, "is_bot": True, "username": BOT_NAME},
                "chat": {"id": chat_id, "type": "private"},
                "date": int(time.time()),
                "text": bot_message.text,
                "reply_markup": bot_message.params["reply_markup"],
            },
        },
    }


def post(
    bot: Bot, update: dict[str, Any] | bytes, secret: str | None = SECRET
) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    body = update if isinstance(update, bytes) else None
    return requests.post(
        f"{bot.url}{WEBHOOK}",
        data=body,
        json=None if body is not None else update,
        headers=headers,
        timeout=10,
    )


def ask_last(bot: Bot, api: FakeTelegramApi, chat_id: int) -> list[Call]:
    """Everything the chat received, once a question asked now has been answered."""
    assert post(bot, message(chat_id, text=LAST_QUESTION)).status_code == 200
    return api.wait_for_text(chat_id, LAST_ANSWER)


def only_last_answer(sent: list[Call]) -> bool:
    return all(LAST_ANSWER in m.text for m in sent)


@pytest.fixture(scope="module")
def answered(telegram_bot: Bot, telegram_api: FakeTelegramApi) -> Call:
    """The bot's answer to QUESTION in a new chat."""
    chat_id = new_chat()
    reply = post(telegram_bot, message(chat_id, text=QUESTION))
    assert reply.status_code == 200
    sent = telegram_api.wait_for_text(chat_id, "Source:")
    return next(m for m in sent if "Source:" in m.text)


# --- Questions, answers and buttons ---------------------------------------------------------


def test_a_question_gets_one_message_with_a_blockquote_and_a_link_to_the_section(
    telegram_bot: Bot, telegram_api: FakeTelegramApi, answered: Call, note: str
) -> None:
    assert answered.params["parse_mode"] == "HTML"
    assert answered.params["link_preview_options"] == {"is_disabled": True}
    lines = answered.text.split("\n\n")
    assert lines[0].startswith("No.")
    assert lines[1].startswith(f"<blockquote>{ANSWER}") and lines[1].endswith("</blockquote>")
    link = re.fullmatch(r'Source: <a href="([^"]+)">([^<]+)</a>', lines[2])
    assert link is not None, lines[2]
    url, label = html.unescape(link.group(1)), link.group(2)
    # No PUBLIC_BASE_URL here: the address the update came in on.
    assert url.startswith(f"{telegram_bot.url}/chat/article/osteoporosis-and-hair-loss?quote=")
    assert url.endswith("#is-there-a-direct-causal-link")
    assert label == "Osteoporosis and Hair Loss, section “Is There a Direct Causal Link?”"
    assert lines[3] == html.escape(note, quote=False)
    # The answer is one message: nothing else reached the chat.
    assert telegram_api.calls("sendMessage", answered.chat_id) == [answered]
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    assert '<section id="is-there-a-direct-causal-link">' in page.text


def test_the_answer_buttons_arrive_as_an_inline_keyboard(answered: Call) -> None:
    rows = answered.params["reply_markup"]["inline_keyboard"]
    assert [[b["callback_data"] for b in row] for row in rows] == [
        ["/ask_why_together"],
        ["/ask_bisphosphonates"],
        ["/feedback_helpful"],
        ["/feedback_not_helpful"],
    ]
    assert all(b["text"] for row in rows for b in row)


def test_pressing_a_button_answers_the_press_and_the_question(
    telegram_bot: Bot, telegram_api: FakeTelegramApi, answered: Call
) -> None:
    chat_id = answered.chat_id
    before = len(telegram_api.calls("sendMessage", chat_id))
    query_id = f"press-{uuid.uuid4().hex}"
    reply = post(telegram_bot, press(answered, "/ask_bisphosphonates", query_id))
    assert reply.status_code == 200
    telegram_api.wait_for(
        lambda: any(
            c.params.get("callback_query_id") == query_id
            for c in telegram_api.calls("answerCallbackQuery")
        ),
        what="answerCallbackQuery",
    )
    telegram_api.wait_for(
        lambda: len(telegram_api.calls("sendMessage", chat_id)) > before, what="an answer"
    )
    answer = telegram_api.calls("sendMessage", chat_id)[before]
    assert "Fosamax" in answer.text and "Source:" in answer.text


def test_start_greets_with_the_domain_greeting(
    telegram_bot: Bot, telegram_api: FakeTelegramApi, responses: dict[str, str]
) -> None:
    chat_id = new_chat()
    assert post(telegram_bot, message(chat_id, text="/start")).status_code == 200
    greeting = telegram_api.wait_for_messages(1, chat_id)[0]
    assert greeting.text == responses["utter_greet"]
    assert len(greeting.params["reply_markup"]["inline_keyboard"]) == 3


def test_a_group_message_mentioning_the_bot_is_answered_in_the_group(
    telegram_bot: Bot, telegram_api: FakeTelegramApi
) -> None:
    group = -new_chat()
    update = message(group, "supergroup", text=f"@{BOT_NAME} {QUESTION}")
    assert post(telegram_bot, update).status_code == 200
    assert any(ANSWER in m.text for m in telegram_api.wait_for_text(group, "Source:"))


# --- Authentication and bad input -----------------------------------------------------------


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("forged-secret", id="forged"),
        pytest.param(SECRET.upper(), id="other-case"),
    ],
)
def test_an_update_without_the_secret_is_refused_and_nothing_is_sent(
    telegram_bot: Bot,
    telegram_api: FakeTelegramApi,
    responses: dict[str, str],
    secret: str | None,
) -> None:
    chat_id = new_chat()
    reply = post(telegram_bot, message(chat_id, text=QUESTION), secret=secret)
    assert reply.status_code == 403
    assert SECRET_HEADER in reply.json()["error"]
    assert "update refused: missing or wrong secret token" in telegram_bot.log()
    assert only_last_answer(ask_last(telegram_bot, telegram_api, chat_id))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param(b'{"update_id": 1, "message": {', "JSON", id="broken-json"),
        pytest.param(b"[]", "JSON object", id="a-list"),
        pytest.param(b'{"message": {"text": "hi"}}', "update_id", id="no-update-id"),
    ],
)
def test_a_malformed_update_gets_400(telegram_bot: Bot, body: bytes, reason: str) -> None:
    reply = post(telegram_bot, body)
    assert reply.status_code == 400
    assert reason in reply.json()["error"]


def test_a_malformed_update_without_the_secret_gets_403(telegram_bot: Bot) -> None:
    assert post(telegram_bot, b"{", secret="forged").status_code == 403


# --- What is not a question -----------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            {"sticker": {"file_id": "CAAC", "emoji": "👍", "is_animated": False}}, id="sticker"
        ),
        pytest.param(
            {"photo": [{"file_id": "AgAC", "width": 90, "height": 90}], "caption": "?"}, id="photo"
        ),
        pytest.param({"document": {"file_id": "BQAC", "file_name": "scan.pdf"}}, id="document"),
        pytest.param({"voice": {"file_id": "AwAC", "duration": 3}}, id="voice"),
    ],
)
def test_a_sticker_or_file_gets_the_polite_reply_and_questions_still_work(
    telegram_bot: Bot,
    telegram_api: FakeTelegramApi,
    responses: dict[str, str],
    content: dict[str, Any],
) -> None:
    chat_id = new_chat()
    assert post(telegram_bot, message(chat_id, **content)).status_code == 200
    assert telegram_api.wait_for_messages(1, chat_id)[0].text == responses["utter_non_text_message"]
    assert post(telegram_bot, message(chat_id, text=QUESTION)).status_code == 200
    assert any(ANSWER in m.text for m in telegram_api.wait_for_text(chat_id, "Source:"))


def _edited(chat_id: int) -> dict[str, Any]:
    update = message(chat_id, text=QUESTION, edit_date=int(time.time()))
    update["edited_message"] = update.pop("message")
    return update


def _member_update(kind: str, chat_id: int) -> dict[str, Any]:
    chat = {"id": chat_id, "type": "private", "first_name": "Test"}
    member = {"user": {"id": 1, "is_bot": True, "first_name": "Bot"}, "status": "member"}
    change = {"chat": chat, "from": {"id": chat_id}, "date": 0}
    change |= {"old_chat_member": {**member, "status": "left"}, "new_chat_member": member}
    return {"update_id": next(_update_ids), kind: change}


@pytest.mark.parametrize(
    "make_update",
    [
        pytest.param(_edited, id="edited-message"),
        pytest.param(
            lambda chat: message(chat, new_chat_members=[{"id": 9, "is_bot": False}]), id="join"
        ),
        pytest.param(lambda chat: message(chat, left_chat_member={"id": 9}), id="leave"),
        pytest.param(lambda chat: _member_update("my_chat_member", chat), id="my-chat-member"),
        pytest.param(lambda chat: _member_update("chat_member", chat), id="chat-member"),
        pytest.param(
            lambda chat: {
                "update_id": next(_update_ids),
                "channel_post": {
                    "message_id": 1,
                    "chat": {"id": chat, "type": "channel"},
                    "text": QUESTION,
                },
            },
            id="channel-post",
        ),
        pytest.param(
            lambda chat: {"update_id": next(_update_ids), "poll": {"id": "1", "question": "?"}},
            id="poll",
        ),
        pytest.param(
            lambda chat: {"update_id": next(_update_ids), "kind_from_the_future": {"chat": chat}},
            id="unknown-kind",
        ),
    ],
)
def test_edits_joins_and_other_updates_get_a_silent_200(
    telegram_bot: Bot,
    telegram_api: FakeTelegramApi,
    responses: dict[str, str],
    make_update: Any,
) -> None:
    chat_id = new_chat()
    reply = post(telegram_bot, make_update(chat_id))
    assert reply.status_code == 200
    assert only_last_answer(ask_last(telegram_bot, telegram_api, chat_id))


def test_a_group_message_not_for_the_bot_gets_no_answer(
    telegram_bot: Bot, telegram_api: FakeTelegramApi
) -> None:
    group = -new_chat()
    assert post(telegram_bot, message(group, "group", text=QUESTION)).status_code == 200
    reply_to_bot = {"message_id": 3, "from": {"id": 1, "is_bot": True, "username": BOT_NAME}}
    update = message(group, "group", text=LAST_QUESTION, reply_to_message=reply_to_bot)
    assert post(telegram_bot, update).status_code == 200
    sent = telegram_api.wait_for_text(group, LAST_ANSWER)
    assert not any(ANSWER in m.text for m in sent)


# --- Delivery -------------------------------------------------------------------------------


def test_a_redelivered_update_is_answered_once(
    telegram_bot: Bot, telegram_api: FakeTelegramApi
) -> None:
    chat_id = new_chat()
    update = message(chat_id, text=QUESTION)
    assert [post(telegram_bot, update).status_code for _ in range(2)] == [200, 200]
    sent = ask_last(telegram_bot, telegram_api, chat_id)
    assert sum(ANSWER in m.text for m in sent) == 1


def test_telegram_gets_its_200_before_a_slow_reply_is_sent(
    telegram_bot: Bot, telegram_api: FakeTelegramApi
) -> None:
    chat_id = new_chat()
    telegram_api.delays["sendMessage"] = 2.0
    try:
        started = time.monotonic()
        reply = post(telegram_bot, message(chat_id, text=QUESTION))
        acknowledged = time.monotonic() - started
        sent = telegram_api.wait_for_text(chat_id, "Source:")
        replied = time.monotonic() - started
    finally:
        telegram_api.delays.pop("sendMessage")
    assert reply.status_code == 200
    assert acknowledged < 1.0 < 2.0 <= replied
    assert any(ANSWER in m.text for m in sent)


def test_replies_in_one_chat_keep_the_order_of_the_questions(
    telegram_bot: Bot, telegram_api: FakeTelegramApi
) -> None:
    chat_id = new_chat()
    telegram_api.delays["sendMessage"] = 0.3
    try:
        for text in (QUESTION, LAST_QUESTION):
            assert post(telegram_bot, message(chat_id, text=text)).status_code == 200
        sent = telegram_api.wait_for_text(chat_id, LAST_ANSWER)
    finally:
        telegram_api.delays.pop("sendMessage")
    first = next(i for i, m in enumerate(sent) if ANSWER in m.text)
    second = next(i for i, m in enumerate(sent) if LAST_ANSWER in m.text)
    assert first < second


def test_a_reply_refused_with_too_many_requests_is_sent_after_the_wait(
    telegram_bot: Bot, telegram_api: FakeTelegramApi
) -> None:
    chat_id = new_chat()
    telegram_api.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=chat_id
    )
    assert post(telegram_bot, message(chat_id, text=QUESTION)).status_code == 200
    sent = telegram_api.wait_for_text(chat_id, "Source:")
    refused = [c for c in telegram_api.calls("sendMessage", chat_id) if not c.ok]
    assert len(refused) == 1
    assert any(ANSWER in m.text for m in sent if m.ok)


def test_a_reply_telegram_refuses_does_not_derail_the_chat(
    telegram_bot: Bot, telegram_api: FakeTelegramApi, responses: dict[str, str]
) -> None:
    chat_id = new_chat()
    telegram_api.fail_next("sendMessage", 403, "Forbidden: bot was blocked", chat_id=chat_id)
    assert post(telegram_bot, message(chat_id, text="/start")).status_code == 200
    assert post(telegram_bot, message(chat_id, sticker={"file_id": "CAAC"})).status_code == 200
    sent = telegram_api.wait_for_messages(1, chat_id)
    assert sent[0].text == responses["utter_non_text_message"]
    assert "a reply to chat" in telegram_bot.log()


def test_an_update_acknowledged_just_before_a_crash_is_answered_once_after_the_restart(
    telegram_api: FakeTelegramApi, tmp_path: Path
) -> None:
    chat_id, store = new_chat(), tmp_path / "tracker.db"  # the journal is written beside it
    # The answer waits 5 s (a test-only setting): time to kill the server before it.
    slow = telegram_env(telegram_api) | {"CHANNEL_REPLY_DELAY_SECONDS": "5"}
    with running_bot(env=slow, sqlite_path=store) as crashing:
        assert post(crashing, message(chat_id, text=QUESTION)).status_code == 200
        crashing.kill_rasa()
    assert telegram_api.calls("sendMessage", chat_id) == []

    with running_bot(env=telegram_env(telegram_api), sqlite_path=store) as restarted:
        telegram_api.wait_for_text(chat_id, "Source:", timeout=60)
        sent = ask_last(restarted, telegram_api, chat_id)
        assert "answering 1 update(s) left unanswered" in restarted.log()
    assert sum(ANSWER in m.text for m in sent) == 1


def test_the_server_never_registers_the_webhook_or_asks_who_it_is(
    telegram_bot: Bot, telegram_api: FakeTelegramApi, answered: Call
) -> None:
    # Runs after the module's other updates: none of them led to these calls.
    methods = {c.method for c in telegram_api.calls()}
    assert "sendMessage" in methods
    assert not methods & {"setWebhook", "getMe", "deleteWebhook", "getWebhookInfo"}
    assert "Telegram channel on" in telegram_bot.log()


# --- The webhook script ---------------------------------------------------------------------


def run_webhook_script(api: FakeTelegramApi, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
        "TELEGRAM_API_URL": api.url,
    }
    return subprocess.run(
        [sys.executable, "-m", "scripts.telegram_webhook", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_webhook_script_registers_once_and_then_does_nothing() -> None:
    with FakeTelegramApi(TOKEN, BOT_NAME) as api:
        first = run_webhook_script(api)
        assert first.returncode == 0, first.stderr
        assert "registered" in first.stdout
        assert [c.params for c in api.calls("setWebhook")] == [
            {
                "url": WEBHOOK_URL,
                "secret_token": SECRET,
                "allowed_updates": ["message", "callback_query"],
                "drop_pending_updates": False,
            }
        ]

        second = run_webhook_script(api)
        assert second.returncode == 0, second.stderr
        assert "nothing to do" in second.stdout
        assert len(api.calls("setWebhook")) == 1

        forced = run_webhook_script(api, "--force")
        assert forced.returncode == 0, forced.stderr
        assert len(api.calls("setWebhook")) == 2


def test_the_webhook_script_reports_a_refusal_from_telegram() -> None:
    with FakeTelegramApi("999:another-bots-token") as api:
        refused = run_webhook_script(api)
    assert refused.returncode == 1
    assert "Unauthorized" in refused.stderr
    assert TOKEN not in refused.stderr + refused.stdout


# --- Without a token, and with a token but no secret ----------------------------------------


def test_without_a_token_the_bot_serves_and_the_telegram_webhook_answers_503(bot: Bot) -> None:
    reply = post(bot, message(new_chat(), text=QUESTION))
    assert reply.status_code == 503
    assert "TELEGRAM_TOKEN" in reply.json()["error"]
    assert bot.log().count("Telegram channel off") == 1
    assert any(ANSWER in m.get("text", "") for m in bot.send(f"test-{uuid.uuid4().hex}", QUESTION))


def test_a_token_without_a_secret_stops_the_start_up_with_a_clear_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = {
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_SECRET_TOKEN": "",
        "TELEGRAM_API_URL": "http://127.0.0.1:9",
    }
    with (
        pytest.raises(RuntimeError, match="exited during start-up"),
        running_bot(env=env, timeout=90),
    ):
        pass
    assert "TELEGRAM_SECRET_TOKEN is empty" in capsys.readouterr().out
