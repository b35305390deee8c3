"""Telegram channel: POST /webhooks/telegram/webhook, replies through the Bot API.

Written on plain aiohttp instead of Rasa's TelegramInput, which (3.6.21) answers every
update with HTTP 500 ("Event loop is closed": its HTTP session is opened inside a
throw-away `asyncio.run` that registers the webhook at start-up), never checks
Telegram's secret token, answers a re-delivered update twice, calls getMe on every
update and acknowledges only after the whole reply. Here:

- every update must carry the secret registered with the webhook (else 403); the
  server never calls setWebhook (`python -m scripts.telegram_webhook` does, once);
- Telegram gets its 200 at once, after the update is written down; it is processed in
  a background task on the server's loop, one at a time per chat, so replies keep their
  order; an update left unanswered by a killed process is answered at the next start;
- recently seen update_ids are dropped, so a re-delivery is answered once (both:
  channels/delivery.py);
- the HTTP session is opened on the serving loop and closed when the server stops.

Texts go through as typed (/start and /help as the domain's greet and capabilities
intents); stickers, photos, files and the like in a private chat become
"/non_text_message" (the domain says what the bot answers); in groups only messages
that mention the bot or reply to it are answered; edits, joins and update kinds the
bot has no use for get a silent 200; malformed JSON gets 400. Buttons are an inline
keyboard; a press is acknowledged (answerCallbackQuery) and its payload given to the
bot as the user's text.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.delivery import Update, Work, inbox_for
from channels.failures import answer_failures
from channels.text import (
    as_telegram_html,
    citation_parts,
    clean_text,
    public_base_url,
    request_base_url,
)

logger = logging.getLogger(__name__)

CHANNEL_NAME = "telegram"
DEFAULT_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# The update kinds this channel acts on; the webhook script subscribes to these only.
ALLOWED_UPDATES = ("message", "callback_query")

# Telegram's limits: message text in UTF-16 code units, callback_data in bytes.
MAX_MESSAGE_UNITS = 4096
MAX_CALLBACK_DATA_BYTES = 64

# What a user sends that is not text. Anything else without text is a service message
# (member joined, chat photo changed, pinned message...) and gets no reply.
NON_TEXT_CONTENT = frozenset(
    {
        "sticker",
        "photo",
        "document",
        "voice",
        "audio",
        "video",
        "video_note",
        "animation",
        "contact",
        "location",
        "venue",
        "poll",
        "dice",
        "game",
        "story",
    }
)
# Typed on the user's behalf; the domain's rule answers it (utter_non_text_message).
NON_TEXT_MESSAGE = "/non_text_message"
# Telegram's standard commands, as the domain's intents. Every chat starts with /start,
# which the model does not know: it would be declined as out of scope.
COMMANDS = {"start": "/greet", "help": "/ask_capabilities"}
GROUP_CHATS = frozenset({"group", "supergroup"})

# A secret token as setWebhook accepts it.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
TOKEN_PATTERN = re.compile(r"\d+:[A-Za-z0-9_-]+")
COMMAND_PATTERN = re.compile(r"/(?P<command>[A-Za-z0-9_]+)(?:@\w+)?(?:\s.*)?", re.DOTALL)

MAX_RETRY_AFTER_SECONDS = 30.0  # longest "Too Many Requests" wait honoured
MAX_ATTEMPTS = 3


# --- Settings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    secret_token: str
    bot_name: str = ""
    webhook_url: str = ""
    api_url: str = DEFAULT_API_URL

    @classmethod
    def from_values(
        cls,
        token: Any,
        secret_token: Any,
        bot_name: Any = "",
        webhook_url: Any = "",
        api_url: Any = "",
    ) -> TelegramSettings:
        """Settings from credentials.yml or the environment; blank means unset."""

        def clean(value: Any) -> str:
            return "" if value is None else str(value).strip()

        return cls(
            token=clean(token),
            secret_token=clean(secret_token),
            bot_name=clean(bot_name).lstrip("@"),
            webhook_url=clean(webhook_url),
            api_url=(clean(api_url) or DEFAULT_API_URL).rstrip("/"),
        )

    def problem(self) -> str | None:
        """What makes these settings unusable for a channel that is on, or None."""
        if not TOKEN_PATTERN.fullmatch(self.token):
            return "TELEGRAM_TOKEN does not look like a bot token from @BotFather (123456:ABC-...)"
        if not self.secret_token:
            return (
                "TELEGRAM_SECRET_TOKEN is empty, so updates could not be authenticated; set "
                "it, e.g. to the output of "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        if not SECRET_PATTERN.fullmatch(self.secret_token):
            return "TELEGRAM_SECRET_TOKEN must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
        if not self.api_url.startswith(("https://", "http://")):
            return "TELEGRAM_API_URL must start with https:// (or http://)"
        return None


def secret_matches(expected: str, given: str | None) -> bool:
    """Whether the request's secret header is the registered secret (constant time)."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


# --- Reading updates ------------------------------------------------------------------------


class BadUpdate(ValueError):
    """A webhook body that is not a Telegram update."""


@dataclass(frozen=True)
class Incoming:
    """Text to give the bot on behalf of a chat."""

    chat_id: int
    text: str


@dataclass(frozen=True)
class Ignored:
    reason: str


def parse_update(body: bytes) -> dict[str, Any]:
    try:
        update = json.loads(body)
    except (ValueError, RecursionError) as error:  # RecursionError: absurdly deep nesting
        raise BadUpdate("the body must be a JSON Telegram update") from error
    if not isinstance(update, dict):
        raise BadUpdate("the body must be a JSON object (a Telegram update)")
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise BadUpdate("the update has no integer 'update_id'")
    return update


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _chat_id(message: Mapping[str, Any]) -> int | None:
    chat_id = _object(message.get("chat")).get("id")
    return chat_id if isinstance(chat_id, int) and not isinstance(chat_id, bool) else None


def as_bot_text(text: str) -> str:
    """A typed text as the bot should see it: Telegram's commands become intents."""
    match = COMMAND_PATTERN.fullmatch(text.strip())
    if match and match["command"].lower() in COMMANDS:
        return COMMANDS[match["command"].lower()]
    return clean_text(text)


def _addressed_text(message: Mapping[str, Any], text: str, bot_name: str) -> str | None:
    """In a group: the text without the @mention if it is meant for the bot, else None."""
    if not bot_name:
        return None
    mention = re.compile(rf"@{re.escape(bot_name)}\b", re.IGNORECASE)
    replied_to = _object(_object(message.get("reply_to_message")).get("from"))
    is_reply_to_bot = str(replied_to.get("username", "")).lower() == bot_name.lower()
    if not mention.search(text) and not is_reply_to_bot:
        return None
    return mention.sub("", text).strip()


def _from_message(message: Mapping[str, Any], bot_name: str) -> Incoming | Ignored:
    chat_id = _chat_id(message)
    if chat_id is None:
        return Ignored("message without a chat id")
    chat_type = _object(message.get("chat")).get("type")
    text = message.get("text")
    if chat_type == "private":
        if isinstance(text, str):
            return Incoming(chat_id, as_bot_text(text))
        if NON_TEXT_CONTENT.intersection(message):
            return Incoming(chat_id, NON_TEXT_MESSAGE)
        return Ignored("service message")
    if chat_type in GROUP_CHATS:
        # In groups only what is meant for the bot gets an answer (a mention or a reply
        # to it), else it would answer every message of a group that turned privacy off.
        addressed = _addressed_text(message, text, bot_name) if isinstance(text, str) else None
        if addressed is None:
            return Ignored("group message not addressed to the bot")
        return Incoming(chat_id, as_bot_text(addressed))
    return Ignored(f"message in a {chat_type!r} chat")


def _pressed_title(message: Mapping[str, Any], data: str) -> str | None:
    """The title of the pressed button, read from the keyboard of the message it is on."""
    keyboard = _object(message.get("reply_markup")).get("inline_keyboard")
    for row in keyboard if isinstance(keyboard, list) else []:
        for button in row if isinstance(row, list) else []:
            button = _object(button)
            if button.get("callback_data") == data and isinstance(button.get("text"), str):
                return str(button["text"])
    return None


def _from_callback(query: Mapping[str, Any], payloads: CallbackPayloads) -> Incoming | Ignored:
    message = _object(query.get("message"))
    chat_id = _chat_id(message)
    data = query.get("data")
    if chat_id is None:
        return Ignored("button press without a chat")
    if not isinstance(data, str) or not data:
        return Ignored("button press without callback data")
    # A key made before a restart is unknown: its button's title is the next best text.
    text = payloads.decode(data) or _pressed_title(message, data)
    if text is None:
        return Ignored("button press whose payload is no longer known")
    return Incoming(chat_id, text)


def classify(
    update: Mapping[str, Any], bot_name: str, payloads: CallbackPayloads
) -> Incoming | Ignored:
    """What to tell the bot for one update, or why nothing."""
    if "message" in update:
        return _from_message(_object(update["message"]), bot_name)
    if "callback_query" in update:
        return _from_callback(_object(update["callback_query"]), payloads)
    if "edited_message" in update:
        # Ignored: Telegram shows the edit in place, above the answer already given; a
        # second answer would land below later messages, out of context. A user who
        # wants a new answer asks again.
        return Ignored("edited message")
    kinds = [key for key in update if key != "update_id"]
    return Ignored(f"update kind not handled: {kinds[0] if kinds else 'none'}")


def callback_query_id(update: Mapping[str, Any]) -> str | None:
    """The id of a button press, which Telegram wants answered (its spinner stops then)."""
    query_id = _object(update.get("callback_query")).get("id")
    return query_id if isinstance(query_id, str) and query_id else None


# --- Writing replies ------------------------------------------------------------------------


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 code units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MAX_MESSAGE_UNITS) -> list[str]:
    """`text` in messages Telegram accepts, cut at paragraphs, else lines, else words."""
    rest = text.strip()
    parts = []
    while utf16_units(rest) > limit:
        window = rest[: _fitting_prefix(rest, limit)]
        cut = next(
            (at for at in (window.rfind(s) for s in ("\n\n", "\n", " ")) if at > 0), len(window)
        )
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


class CallbackPayloads:
    """Button payloads as callback_data, which Telegram limits to 64 bytes.

    A payload that fits is sent as it is. A longer one is sent as a short key derived
    from it and remembered here (the most recent few thousand) to map a press back.
    """

    KEY_PREFIX = "#p:"

    def __init__(self, capacity: int = 4096) -> None:
        self._payloads: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def encode(self, payload: str) -> str:
        size = len(payload.encode())
        if 0 < size <= MAX_CALLBACK_DATA_BYTES and not payload.startswith(self.KEY_PREFIX):
            return payload
        key = self.KEY_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:32]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self._capacity:
            self._payloads.popitem(last=False)
        return key

    def decode(self, data: str) -> str | None:
        if data.startswith(self.KEY_PREFIX):
            return self._payloads.get(data)
        return data


def inline_keyboard(
    buttons: Iterable[Mapping[str, Any]], payloads: CallbackPayloads
) -> dict[str, Any] | None:
    """Rasa buttons as an inline keyboard, one button per row: the titles are
    questions, too long to share a row on a phone."""
    rows = []
    for button in buttons:
        title = str(button.get("title") or "").strip()
        if not title:
            continue
        url = button.get("url")
        if isinstance(url, str) and url:
            rows.append([{"text": title, "url": url}])
        else:
            payload = str(button.get("payload") or title)
            rows.append([{"text": title, "callback_data": payloads.encode(payload)}])
    return {"inline_keyboard": rows} if rows else None


def origin(url: str) -> str:
    """`scheme://host` of `url` ("" if it has none)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _chat(recipient_id: str) -> int | str:
    return int(recipient_id) if recipient_id.lstrip("-").isdigit() else recipient_id


class TelegramApiError(Exception):
    def __init__(
        self,
        method: str,
        description: str,
        error_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"Telegram {method} failed: {description}")
        self.error_code = error_code
        self.retry_after = retry_after


class BotApi:
    """The Bot API over one aiohttp session, opened on first use on the caller's loop."""

    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, timeout: float = 30) -> None:
        self._token = token
        self._base = f"{api_url.rstrip('/')}/bot{token}"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def call(self, method: str, params: Mapping[str, Any] | None = None) -> Any:
        """The method's result; waits and retries when Telegram says "Too Many Requests"."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await self._call_once(method, params or {})
            except TelegramApiError as error:
                if error.retry_after is None or attempt == MAX_ATTEMPTS:
                    raise
                await asyncio.sleep(min(error.retry_after, MAX_RETRY_AFTER_SECONDS))
        raise AssertionError("unreachable")

    async def _call_once(self, method: str, params: Mapping[str, Any]) -> Any:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.post(f"{self._base}/{method}", json=params) as reply:
                body = await reply.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            # The URL holds the token: keep it out of messages and logs.
            description = f"{type(error).__name__}: {error}".replace(self._token, "<token>")
            raise TelegramApiError(method, description) from None
        body = _object(body)
        if body.get("ok") is not True:
            retry_after = _object(body.get("parameters")).get("retry_after")
            raise TelegramApiError(
                method,
                str(body.get("description") or "no description"),
                body.get("error_code") if isinstance(body.get("error_code"), int) else None,
                float(retry_after) if isinstance(retry_after, int | float) else None,
            )
        return body.get("result")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class TelegramOutput(OutputChannel):
    """Replies in Telegram's HTML (quotations as <blockquote>, links as <a>, the rest
    escaped: channels/text.py), buttons as an inline keyboard under the reply; texts
    longer than Telegram allows are split. An answer's `custom` parts are not sent: its
    text says it all."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    def __init__(self, api: BotApi, payloads: CallbackPayloads, base_url: str = "") -> None:
        self.api = api
        self.payloads = payloads
        # Where links to the article point: PUBLIC_BASE_URL, else the address Telegram
        # delivers updates to (the last webhook request's, at first the registered one).
        self.base_url = base_url

    async def _send(self, recipient_id: str, text: str, **extra: Any) -> None:
        params = {
            "chat_id": _chat(recipient_id),
            "text": as_telegram_html(text, public_base_url(self.base_url)),
            "parse_mode": "HTML",
            # The article's preview would be a second bubble under the answer.
            "link_preview_options": {"is_disabled": True},
            **extra,
        }
        await self._deliver("sendMessage", params)

    async def _deliver(self, method: str, params: dict[str, Any]) -> None:
        """Call `method`; a refusal (bot blocked, chat gone) is logged, not raised: raised
        out of Rasa's prediction loop it would leave the conversation half-recorded, and
        the chat's next messages would get wrong replies."""
        try:
            await self.api.call(method, params)
        except TelegramApiError as error:
            logger.warning("Telegram: a reply to chat %s was lost: %s", params["chat_id"], error)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in split_text(text):
            await self._send(recipient_id, part)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        parts = split_text(text or "")
        keyboard = inline_keyboard(buttons, self.payloads)
        if not parts:
            # Telegram sends no keyboard without a text to hang it on.
            logger.warning("Telegram: buttons without text to %s not sent", recipient_id)
            return
        for part in parts[:-1]:
            await self._send(recipient_id, part)
        extra = {"reply_markup": keyboard} if keyboard else {}
        await self._send(recipient_id, parts[-1], **extra)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._deliver("sendPhoto", {"chat_id": _chat(recipient_id), "photo": image})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        if citation_parts(json_message) is None:
            await super().send_custom_json(recipient_id, json_message, **kwargs)


# --- The channel ----------------------------------------------------------------------------

OFF_REASON = "the Telegram channel is off: TELEGRAM_TOKEN is not set on the server"


class TelegramInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        values = credentials or {}
        settings = TelegramSettings.from_values(
            values.get("access_token"),
            values.get("secret_token"),
            values.get("bot_name"),
            values.get("webhook_url"),
            values.get("api_url"),
        )
        if not settings.token:
            logger.info(
                "Telegram channel off: TELEGRAM_TOKEN is empty "
                "(/webhooks/telegram/webhook answers 503)."
            )
            return cls(None)
        problem = settings.problem()
        if problem:
            raise RasaException(f"Telegram channel: {problem}.")
        logger.info(
            "Telegram channel on for @%s at /webhooks/telegram/webhook "
            "(register %s once with: python -m scripts.telegram_webhook).",
            settings.bot_name or "?",
            settings.webhook_url or "TELEGRAM_WEBHOOK_URL",
        )
        return cls(settings)

    def __init__(self, settings: TelegramSettings | None) -> None:
        self.settings = settings
        self.payloads = CallbackPayloads()
        self.output = (
            TelegramOutput(
                BotApi(settings.token, settings.api_url),
                self.payloads,
                origin(settings.webhook_url),
            )
            if settings
            else None
        )
        # Seen update ids, the journal and the per-chat queues (channels/delivery.py).
        self.inbox = inbox_for(CHANNEL_NAME)

    def get_output_channel(self) -> OutputChannel | None:
        return self.output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = answer_failures(on_new_message)
        telegram = Blueprint("telegram_webhook", __name__)

        @telegram.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if self.settings is None:
                return response.json({"status": "off", "error": OFF_REASON}, status=503)
            return response.json({"status": "ok"})

        @telegram.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if self.settings is None:
                return response.json({"error": OFF_REASON}, status=503)
            if not secret_matches(self.settings.secret_token, request.headers.get(SECRET_HEADER)):
                # Also what a secret changed without re-registering the webhook looks like.
                logger.warning("Telegram: update refused: missing or wrong secret token")
                return response.json({"error": f"missing or wrong {SECRET_HEADER}"}, status=403)
            assert self.output is not None
            self.output.base_url = request_base_url(request)
            try:
                update = parse_update(request.body)
            except BadUpdate as error:
                return response.json({"error": str(error)}, status=400)
            if self.inbox.first_time([str(update["update_id"])]):
                try:
                    self._take(update, on_new_message)
                except Exception:
                    # A 500 would make Telegram re-deliver this update again and again.
                    logger.exception("Telegram: update %s could not be read", update["update_id"])
            return response.json({"status": "ok"})

        @telegram.listener("after_server_start")
        async def answer_unanswered(app: Any, _: Any) -> None:
            if self.settings is None:
                return
            self.inbox.answer_unanswered_later(lambda u: self._work(u, on_new_message), app)

        @telegram.listener("before_server_stop")
        async def finish_replies(*_: Any) -> None:
            await self.inbox.close()

        @telegram.listener("after_server_stop")
        async def close_session(*_: Any) -> None:
            if self.output is not None:
                await self.output.api.close()

        return telegram

    def _take(
        self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Acknowledge a button press at once, and queue the answer (written down first)."""
        assert self.output is not None
        query_id = callback_query_id(update)
        if query_id is not None:
            # Answered at once, not behind the chat's queue: the button's spinner stops.
            answer = self.output.api.call("answerCallbackQuery", {"callback_query_id": query_id})
            self.inbox.queues.spawn(answer, f"Telegram button press {query_id}")
        work = self._work(update, on_new_message)
        if work is not None:
            self.inbox.take(str(update["update_id"]), update, work)

    def _work(
        self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Work | None:
        """The chat of an update and the job that tells the bot; None if it gets no answer."""
        assert self.settings is not None and self.output is not None
        output = self.output
        outcome = classify(update, self.settings.bot_name, self.payloads)
        if isinstance(outcome, Ignored):
            logger.debug("Telegram: update %s ignored: %s", update["update_id"], outcome.reason)
            return None

        async def tell_bot(incoming: Incoming = outcome) -> None:
            message = UserMessage(
                incoming.text, output, str(incoming.chat_id), input_channel=CHANNEL_NAME
            )
            await on_new_message(message)

        return str(outcome.chat_id), tell_bot
