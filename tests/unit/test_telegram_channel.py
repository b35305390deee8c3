"""The Telegram channel's logic, without servers: which updates reach the bot and as what
text, the secret check, keyboards within Telegram's callback_data limit, replies split
within its message limit, and when the webhook script registers (re-deliveries and
per-chat ordering: test_delivery.py)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from rasa.shared.exceptions import RasaException

from channels.telegram import (
    DEFAULT_API_URL,
    MAX_CALLBACK_DATA_BYTES,
    MAX_MESSAGE_UNITS,
    NON_TEXT_MESSAGE,
    BadUpdate,
    CallbackPayloads,
    Ignored,
    Incoming,
    TelegramApiError,
    TelegramInput,
    TelegramOutput,
    TelegramSettings,
    callback_query_id,
    classify,
    inline_keyboard,
    parse_update,
    secret_matches,
    split_text,
    utf16_units,
)
from scripts import telegram_webhook
from scripts.telegram_webhook import needs_registration, register

BOT = "osteo_faq_bot"
CHAT = 4242
GROUP = -100777
SECRET = "s3cret_Token-1"
TOKEN = "123456:ABC-def_ghi"


# --- Settings and the secret ----------------------------------------------------------------


def _settings(**overrides: Any) -> TelegramSettings:
    values = {"token": TOKEN, "secret_token": SECRET, "bot_name": BOT, "api_url": ""}
    return TelegramSettings.from_values(**{**values, **overrides})


def test_settings_are_trimmed_and_default_to_the_real_api() -> None:
    settings = _settings(bot_name=" @osteo_faq_bot ", api_url=None, webhook_url=" https://x/ ")
    assert settings.bot_name == BOT
    assert settings.api_url == DEFAULT_API_URL
    assert settings.webhook_url == "https://x/"
    assert settings.problem() is None


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        pytest.param({"secret_token": ""}, "TELEGRAM_SECRET_TOKEN is empty", id="no-secret"),
        pytest.param({"secret_token": "with space"}, "TELEGRAM_SECRET_TOKEN", id="bad-secret"),
        pytest.param({"secret_token": "x" * 257}, "TELEGRAM_SECRET_TOKEN", id="long-secret"),
        pytest.param({"token": "not-a-token"}, "TELEGRAM_TOKEN", id="bad-token"),
        pytest.param({"token": "1:abc/../x"}, "TELEGRAM_TOKEN", id="token-with-path"),
        pytest.param({"api_url": "api.telegram.org"}, "TELEGRAM_API_URL", id="url-no-scheme"),
    ],
)
def test_unusable_settings_are_named(overrides: dict[str, str], named: str) -> None:
    problem = _settings(**overrides).problem()
    assert problem is not None and named in problem


def test_without_a_token_the_channel_is_off_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="channels.telegram"):
        channel = TelegramInput.from_credentials({"access_token": "", "secret_token": ""})
    assert channel.get_output_channel() is None
    assert [r.getMessage() for r in caplog.records if "Telegram channel off" in r.getMessage()]


def test_a_token_without_a_secret_is_refused() -> None:
    with pytest.raises(RasaException, match="TELEGRAM_SECRET_TOKEN is empty"):
        TelegramInput.from_credentials({"access_token": TOKEN, "secret_token": ""})


def test_a_token_with_a_secret_turns_the_channel_on() -> None:
    channel = TelegramInput.from_credentials(
        {"access_token": TOKEN, "secret_token": SECRET, "bot_name": BOT, "api_url": None}
    )
    assert isinstance(channel.get_output_channel(), TelegramOutput)


@pytest.mark.parametrize(
    ("expected", "given", "matches"),
    [
        pytest.param(SECRET, SECRET, True, id="same"),
        pytest.param(SECRET, None, False, id="missing"),
        pytest.param(SECRET, "", False, id="empty"),
        pytest.param(SECRET, SECRET.lower(), False, id="other-case"),
        pytest.param(SECRET, SECRET[:-1], False, id="prefix"),
        pytest.param(SECRET, SECRET + "x", False, id="longer"),
        pytest.param(SECRET, "sécret", False, id="non-ascii"),
        pytest.param("", "", False, id="nothing-expected"),
    ],
)
def test_the_secret_header_must_match_exactly(
    expected: str, given: str | None, matches: bool
) -> None:
    assert secret_matches(expected, given) is matches


# --- Reading updates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"update_id": 1, "message": ', id="broken-json"),
        pytest.param(b"\xff\xfe\x00", id="not-utf8"),
        pytest.param(b"", id="empty"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested-too-deep"),
        pytest.param(b"[1, 2]", id="list"),
        pytest.param(b"null", id="null"),
        pytest.param(b'{"message": {}}', id="no-update-id"),
        pytest.param(b'{"update_id": "7"}', id="string-update-id"),
        pytest.param(b'{"update_id": true}', id="bool-update-id"),
    ],
)
def test_a_body_that_is_not_an_update_is_rejected(body: bytes) -> None:
    with pytest.raises(BadUpdate):
        parse_update(body)


def test_an_update_is_parsed() -> None:
    assert parse_update(b'{"update_id": 7, "x": {}}') == {"update_id": 7, "x": {}}


def _message(chat_id: int = CHAT, chat_type: str = "private", **content: Any) -> dict[str, Any]:
    chat = {"id": chat_id, "type": chat_type}
    return {"update_id": 1, "message": {"message_id": 5, "date": 0, "chat": chat, **content}}


def _press(data: Any, message: Any = "default", query_id: Any = "q1") -> dict[str, Any]:
    if message == "default":
        message = {"message_id": 9, "chat": {"id": CHAT, "type": "private"}}
    query = {"id": query_id, "from": {"id": CHAT}, "data": data}
    if message is not None:
        query["message"] = message
    return {"update_id": 2, "callback_query": query}


QUESTION = "does osteoporosis cause hair loss?"
REPLY_TO_BOT = {"message_id": 4, "from": {"id": 1, "is_bot": True, "username": BOT}}


@pytest.mark.parametrize(
    ("update", "text"),
    [
        pytest.param(_message(text=QUESTION), QUESTION, id="text"),
        pytest.param(_message(text="/start"), "/greet", id="start"),
        pytest.param(_message(text="/start from-a-link"), "/greet", id="start-deep-link"),
        pytest.param(_message(text="/HELP"), "/ask_capabilities", id="help"),
        pytest.param(_message(text="/ask_tip"), "/ask_tip", id="other-command-as-typed"),
        pytest.param(_message(sticker={"file_id": "x"}), NON_TEXT_MESSAGE, id="sticker"),
        pytest.param(
            _message(photo=[{"file_id": "x"}], caption="hi"), NON_TEXT_MESSAGE, id="photo"
        ),
        pytest.param(_message(document={"file_id": "x"}), NON_TEXT_MESSAGE, id="document"),
        pytest.param(_message(voice={"file_id": "x"}), NON_TEXT_MESSAGE, id="voice"),
        pytest.param(_message(location={"latitude": 1}), NON_TEXT_MESSAGE, id="location"),
        pytest.param(
            _message(GROUP, "supergroup", text=f"@{BOT} {QUESTION}"), QUESTION, id="group-mention"
        ),
        pytest.param(
            _message(GROUP, "group", text=f"/start@{BOT}"), "/greet", id="group-command-for-bot"
        ),
        pytest.param(
            _message(GROUP, "group", text=QUESTION, reply_to_message=REPLY_TO_BOT),
            QUESTION,
            id="group-reply-to-bot",
        ),
        pytest.param(_press("/ask_bisphosphonates"), "/ask_bisphosphonates", id="button"),
    ],
)
def test_what_the_bot_is_told(update: dict[str, Any], text: str) -> None:
    chat_id = update.get("message", {}).get("chat", {}).get("id", CHAT)
    assert classify(update, BOT, CallbackPayloads()) == Incoming(chat_id, text)


@pytest.mark.parametrize(
    "update",
    [
        pytest.param({"update_id": 1, "edited_message": _message(text="x")["message"]}, id="edit"),
        pytest.param(_message(new_chat_members=[{"id": 5}]), id="join"),
        pytest.param(_message(left_chat_member={"id": 5}), id="leave"),
        pytest.param(_message(pinned_message={"message_id": 1}), id="service-message"),
        pytest.param({"update_id": 1, "my_chat_member": {"chat": {"id": 1}}}, id="bot-added"),
        pytest.param({"update_id": 1, "chat_member": {"chat": {"id": 1}}}, id="member-change"),
        pytest.param({"update_id": 1, "channel_post": {"text": "news"}}, id="channel-post"),
        pytest.param({"update_id": 1, "poll": {"id": "p"}}, id="poll"),
        pytest.param({"update_id": 1, "poll_answer": {"poll_id": "p"}}, id="poll-answer"),
        pytest.param({"update_id": 1, "inline_query": {"id": "i"}}, id="inline-query"),
        pytest.param({"update_id": 1, "kind_from_the_future": {}}, id="unknown-kind"),
        pytest.param({"update_id": 1}, id="nothing"),
        pytest.param({"update_id": 1, "message": "text"}, id="message-not-an-object"),
        pytest.param({"update_id": 1, "message": {"text": "hi"}}, id="message-without-chat"),
        pytest.param(_message(chat_id="42", text="hi"), id="chat-id-not-a-number"),  # type: ignore[arg-type]
        pytest.param(_message(GROUP, "group", text=QUESTION), id="group-not-addressed"),
        pytest.param(_message(GROUP, "group", sticker={"file_id": "x"}), id="group-sticker"),
        pytest.param(_message(GROUP, "channel", text="hi"), id="channel-message"),
        pytest.param(_press("/ask_tip", message=None), id="button-without-chat"),
        pytest.param(_press(None), id="button-without-data"),
        pytest.param(_press(CallbackPayloads.KEY_PREFIX + "f00"), id="expired-key-no-keyboard"),
    ],
)
def test_what_gets_no_answer(update: dict[str, Any]) -> None:
    assert isinstance(classify(update, BOT, CallbackPayloads()), Ignored)


def test_in_groups_nothing_is_answered_without_a_bot_name() -> None:
    update = _message(GROUP, "group", text=f"@{BOT} {QUESTION}")
    assert isinstance(classify(update, "", CallbackPayloads()), Ignored)


def test_a_button_press_has_an_id_to_answer() -> None:
    assert callback_query_id(_press("/ask_tip", query_id="abc")) == "abc"
    assert callback_query_id(_press("/ask_tip", query_id=7)) is None
    assert callback_query_id(_message(text="hi")) is None


# --- Keyboards ------------------------------------------------------------------------------

LONG_PAYLOAD = '/ask_what_about{"medication": "alendronate sodium weekly tablets 70 mg"}'


def test_buttons_become_an_inline_keyboard_one_per_row() -> None:
    buttons = [
        {"title": "Steroids", "payload": "/ask_glucocorticoids"},
        {"title": "HRT", "payload": "/ask_hrt_antiestrogen"},
    ]
    assert inline_keyboard(buttons, CallbackPayloads()) == {
        "inline_keyboard": [
            [{"text": "Steroids", "callback_data": "/ask_glucocorticoids"}],
            [{"text": "HRT", "callback_data": "/ask_hrt_antiestrogen"}],
        ]
    }


def test_url_buttons_link_and_untitled_buttons_are_left_out() -> None:
    buttons = [{"title": "Article", "url": "https://example.org"}, {"payload": "/x"}]
    keyboard = inline_keyboard(buttons, CallbackPayloads())
    assert keyboard == {"inline_keyboard": [[{"text": "Article", "url": "https://example.org"}]]}
    assert inline_keyboard([{"payload": "/x"}], CallbackPayloads()) is None


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(LONG_PAYLOAD, id="long-ascii"),
        pytest.param("/x" + "é" * 32, id="66-bytes-of-34-characters"),
        pytest.param(CallbackPayloads.KEY_PREFIX + "abc", id="looks-like-a-key"),
    ],
)
def test_a_payload_telegram_would_refuse_is_sent_as_a_key_and_pressed_back(payload: str) -> None:
    payloads = CallbackPayloads()
    keyboard = inline_keyboard([{"title": "Fosamax", "payload": payload}], payloads)
    assert keyboard is not None
    data = keyboard["inline_keyboard"][0][0]["callback_data"]
    assert 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES
    message = {"chat": {"id": CHAT, "type": "private"}, "reply_markup": keyboard}
    assert classify(_press(data, message), BOT, payloads) == Incoming(CHAT, payload)


def test_a_payload_of_exactly_64_bytes_is_sent_as_it_is() -> None:
    payload = "/" + "a" * 63
    assert CallbackPayloads().encode(payload) == payload


def test_after_a_restart_a_pressed_key_falls_back_to_its_button_title() -> None:
    keyboard = inline_keyboard([{"title": "Fosamax", "payload": LONG_PAYLOAD}], CallbackPayloads())
    assert keyboard is not None
    data = keyboard["inline_keyboard"][0][0]["callback_data"]
    message = {"chat": {"id": CHAT, "type": "private"}, "reply_markup": keyboard}
    assert classify(_press(data, message), BOT, CallbackPayloads()) == Incoming(CHAT, "Fosamax")


def test_only_the_most_recent_keys_are_kept() -> None:
    payloads = CallbackPayloads(capacity=2)
    keys = [payloads.encode(f"{LONG_PAYLOAD}{n}") for n in range(3)]
    assert payloads.decode(keys[0]) is None
    assert payloads.decode(keys[2]) == f"{LONG_PAYLOAD}2"


# --- Splitting replies ----------------------------------------------------------------------


def test_a_short_reply_is_one_message_and_a_blank_one_none() -> None:
    assert split_text("  Hello.\n\nSource: x.  ") == ["Hello.\n\nSource: x."]
    assert split_text(" \n ") == []
    exact = "a" * MAX_MESSAGE_UNITS
    assert split_text(exact) == [exact]


def test_a_long_reply_is_split_at_paragraphs_within_the_limit() -> None:
    paragraphs = [f"Paragraph {n}. " + "word " * 300 for n in range(12)]
    parts = split_text("\n\n".join(paragraphs))
    assert len(parts) > 1
    assert all(utf16_units(p) <= MAX_MESSAGE_UNITS for p in parts)
    assert all(p.startswith("Paragraph") for p in parts)  # no paragraph cut in two
    assert " ".join(" ".join(parts).split()) == " ".join(" ".join(paragraphs).split())


def test_text_without_spaces_is_cut_hard() -> None:
    parts = split_text("x" * 10_000)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


def test_emoji_count_twice_as_telegram_counts_them() -> None:
    parts = split_text("🦴" * 3000)  # 6000 UTF-16 code units
    assert [len(p) for p in parts] == [2048, 952]
    assert all(utf16_units(p) <= MAX_MESSAGE_UNITS for p in parts)


# --- The output channel ---------------------------------------------------------------------


class RecordingApi:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        self.calls.append((method, params or {}))
        return {}


def _output() -> tuple[TelegramOutput, RecordingApi]:
    api = RecordingApi()
    return TelegramOutput(api, CallbackPayloads()), api  # type: ignore[arg-type]


def test_a_long_reply_with_buttons_has_its_keyboard_on_the_last_part() -> None:
    output, api = _output()
    text = "\n\n".join("word " * 500 for _ in range(4))  # 4 paragraphs of 2,500 characters
    buttons = [{"title": "Steroids", "payload": "/ask_glucocorticoids"}]
    asyncio.run(output.send_text_with_buttons("-100777", text, buttons))
    assert [m for m, _ in api.calls] == ["sendMessage"] * 4
    assert {p["chat_id"] for _, p in api.calls} == {-100777}
    assert ["reply_markup" in p for _, p in api.calls] == [False, False, False, True]
    assert json.dumps(api.calls[-1][1]["reply_markup"]).count("/ask_glucocorticoids") == 1


def test_an_empty_reply_sends_nothing() -> None:
    output, api = _output()
    asyncio.run(output.send_text_message("42", ""))
    asyncio.run(output.send_text_with_buttons("42", "", [{"title": "a", "payload": "/b"}]))
    assert api.calls == []


class RefusingApi(RecordingApi):
    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        await super().call(method, params)
        raise TelegramApiError(method, "Forbidden: bot was blocked by the user", 403)


def test_a_refused_reply_is_logged_not_raised_into_rasa(caplog: pytest.LogCaptureFixture) -> None:
    api = RefusingApi()
    output = TelegramOutput(api, CallbackPayloads())  # type: ignore[arg-type]
    asyncio.run(output.send_text_message("42", "first"))
    asyncio.run(output.send_image_url("42", "https://example.org/x.png"))
    assert [m for m, _ in api.calls] == ["sendMessage", "sendPhoto"]
    assert caplog.text.count("bot was blocked") == 2


# --- The webhook script ---------------------------------------------------------------------

URL = "https://bot.example.org/webhooks/telegram/webhook"
ALLOWED = ["message", "callback_query"]


@pytest.mark.parametrize(
    ("info", "force", "due"),
    [
        pytest.param({"url": ""}, False, True, id="none-registered"),
        pytest.param(
            {"url": "https://old.example/hook", "allowed_updates": ALLOWED},
            False,
            True,
            id="other-url",
        ),
        pytest.param({"url": URL, "allowed_updates": ALLOWED}, False, False, id="same"),
        pytest.param(
            {"url": URL, "allowed_updates": ALLOWED[::-1]}, False, False, id="same-any-order"
        ),
        pytest.param({"url": URL, "allowed_updates": ALLOWED}, True, True, id="forced"),
        pytest.param({"url": URL}, False, True, id="all-update-kinds"),
        pytest.param({"url": URL, "allowed_updates": ["message"]}, False, True, id="fewer-kinds"),
    ],
)
def test_when_the_webhook_is_registered(info: dict[str, Any], force: bool, due: bool) -> None:
    assert needs_registration(info, URL, force) is due


class WebhookApi(RecordingApi):
    def __init__(self, info: dict[str, Any]) -> None:
        super().__init__()
        self.info = info

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        await super().call(method, params)
        return self.info if method == "getWebhookInfo" else True


def test_registering_sends_the_secret_and_the_update_kinds_handled() -> None:
    api = WebhookApi({"url": "", "last_error_message": "Connection refused"})
    settings = _settings(webhook_url=URL)
    lines = asyncio.run(register(api, settings, force=False))  # type: ignore[arg-type]
    assert api.calls[1] == (
        "setWebhook",
        {
            "url": URL,
            "secret_token": SECRET,
            "allowed_updates": ALLOWED,
            "drop_pending_updates": False,
        },
    )
    assert "Connection refused" in lines[0] and "registered" in lines[1]


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("TELEGRAM_TOKEN", "TELEGRAM_TOKEN is not set"),
        ("TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_URL is not set"),
        ("TELEGRAM_SECRET_TOKEN", "TELEGRAM_SECRET_TOKEN is empty"),
    ],
)
def test_the_script_names_a_missing_setting(
    missing: str, named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"TELEGRAM_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": URL, "TELEGRAM_SECRET_TOKEN": SECRET}
    env[missing] = ""
    assert telegram_webhook.main([], env) == 2
    assert named in capsys.readouterr().err
