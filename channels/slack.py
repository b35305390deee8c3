"""Slack channel: the Events API and button presses at POST /webhooks/slack/webhook.

Written on Rasa's InputChannel rather than by subclassing Rasa's SlackInput, whose
webhook would have to be replaced whole: stock Rasa answers bad signatures with 400,
the url_verification challenge with a quoted string, processes retries twice unless
their reason is `http_timeout`, never checks `event_id`, and keeps threads only with
`use_threads`. Here:

- Every request must carry Slack's signature (HMAC-SHA256 of `v0:<timestamp>:<body>`
  with the signing secret, timestamp within 5 minutes, checked by slack_sdk's
  `SignatureVerifier`): otherwise 401, nothing done.
- Slack gets its 200 at once, after the event is written down; the bot answers in a
  background task on the server's loop, one message after another per conversation. An
  event is answered once, whatever Slack retries (`event_id`s and message timestamps
  remembered for two hours), and one left unanswered by a killed process is answered at
  the next start (both: channels/delivery.py).
- Conversations (Rasa's sender id): `<user>:<channel>` for top-level messages of a
  direct message (DM) conversation, `<user>:<channel>:<thread ts>` in a thread. A DM
  is a chat, so top-level DMs are answered top-level; a message in a thread is answered
  in that thread; a top-level message in a channel (an @-mention, or any message in
  SLACK_CHANNEL) is answered in a thread under it, which keeps channels readable and
  makes each such thread its own conversation.
- Buttons become Block Kit buttons; a press is answered like the typed payload. Files
  without text are forwarded as "/non_text_message" (the domain has the words).
- With no bot token the channel is off: its endpoint answers 503 and the rest of the
  bot runs. A bot token without a signing secret stops start-up with an error.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from channels.delivery import Inbox, Update, Work, inbox_for
from channels.failures import answer_failures
from channels.text import (
    as_slack_mrkdwn,
    citation_parts,
    clean_text,
    escape_mrkdwn,
    public_base_url,
    request_base_url,
)

logger = logging.getLogger(__name__)

CHANNEL_NAME = "slack"
DEFAULT_API_URL = "https://slack.com/api/"
# What the journal holds of an update (channels/delivery.py): Slack's JSON, under its kind.
EVENT, BLOCK_ACTIONS = "event_callback", "block_actions"
MAX_REQUEST_AGE_SECONDS = 5 * 60
NON_TEXT_MESSAGE = "/non_text_message"
SECTION_MAX_CHARS = 3000  # Block Kit limits
BUTTON_TITLE_MAX_CHARS = 75
BUTTON_VALUE_MAX_CHARS = 2000
BUTTONS_PER_ACTIONS_BLOCK = 25
# Plain user messages; anything else (edits, deletions, joins, bot posts) is not a question.
ANSWERED_SUBTYPES = {None, "file_share", "thread_broadcast"}


# --- Requests from Slack ------------------------------------------------------------------


class _At(Clock):
    """slack_sdk's clock, at the time given (the channel's clock, or a test's)."""

    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def signature_error(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> str | None:
    """Why a request is not proven to come from Slack now, or None if it is.

    slack_sdk's `SignatureVerifier` decides; the reason is worked out only for the log."""
    if not timestamp or not signature:
        return "missing X-Slack-Request-Timestamp or X-Slack-Signature"
    try:
        if SignatureVerifier(secret, _At(now)).is_valid(body, timestamp, signature):
            return None
        age = now - int(timestamp)
    except UnicodeDecodeError:  # it signs the body as text: Slack's bodies are UTF-8
        return "the body is not UTF-8, so its signature cannot be checked"
    except ValueError:  # int(timestamp)
        return "X-Slack-Request-Timestamp is not a Unix time"
    except TypeError:  # hmac.compare_digest refuses non-ASCII text
        return "X-Slack-Signature does not match"
    if abs(age) > MAX_REQUEST_AGE_SECONDS:
        return "X-Slack-Request-Timestamp is more than 5 minutes from now"
    return "X-Slack-Signature does not match"


@dataclass(frozen=True)
class Incoming:
    """A user's message (or button press) the bot answers."""

    text: str
    user: str
    channel: str
    thread_ts: str | None  # the thread to answer in; None: top-level
    keys: tuple[str, ...]  # identify it among Slack's retries and duplicate events

    @property
    def sender_id(self) -> str:
        return conversation_id(self.user, self.channel, self.thread_ts)


def conversation_id(user: str, channel: str, thread_ts: str | None) -> str:
    parts = [user, channel] + ([thread_ts] if thread_ts else [])
    return ":".join(parts)


_LINK = re.compile(r"<((?:https?|mailto):[^|>]*)(?:\|([^>]*))?>")
_CHANNEL_LINK = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")


def user_text(text: str, bot_user_ids: Iterable[str]) -> str:
    """The words a user typed, as Slack encodes them, minus mentions of this bot."""
    for user_id in bot_user_ids:
        text = re.sub(rf"<@{re.escape(user_id)}(?:\|[^>]*)?>", " ", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1).removeprefix("mailto:"), text)
    text = _CHANNEL_LINK.sub(r"#\1", text)
    # Slack escapes these three in what users type; `&amp;` last so `&amp;lt;` stays "&lt;".
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def _str(mapping: dict[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    return value if isinstance(value, str) and value else None


def _dict(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    value = mapping.get(key)
    return value if isinstance(value, dict) else {}


def bot_user_ids(envelope: dict[str, Any]) -> list[str]:
    """This bot's user ids, from the authorizations Slack sends with every event."""
    authorizations = envelope.get("authorizations")
    if not isinstance(authorizations, list):
        return []
    return [a["user_id"] for a in authorizations if isinstance(a, dict) and _str(a, "user_id")]


def incoming_from_event(envelope: dict[str, Any], answer_all_in: str | None) -> Incoming | None:
    """The message an `event_callback` carries, if the bot should answer it."""
    event = _dict(envelope, "event")
    kind, subtype = event.get("type"), event.get("subtype")
    if kind not in ("message", "app_mention") or subtype not in ANSWERED_SUBTYPES:
        return None
    user, channel, ts = _str(event, "user"), _str(event, "channel"), _str(event, "ts")
    own_ids = bot_user_ids(envelope)
    if not user or not channel or not ts or event.get("bot_id") or user in own_ids:
        return None
    # DM channel ids start with D; app_mention events carry no channel_type.
    is_dm = event.get("channel_type") == "im" or channel.startswith("D")
    if not (is_dm or kind == "app_mention" or channel == answer_all_in):
        return None
    text = clean_text(user_text(_str(event, "text") or "", own_ids))
    if not text and event.get("files"):
        text = NON_TEXT_MESSAGE
    thread_ts = _str(event, "thread_ts") or (None if is_dm else ts)
    # One message arrives twice when the bot is mentioned in SLACK_CHANNEL (as
    # `message` and as `app_mention`, different event ids): its channel and ts are one.
    keys = (f"event:{envelope['event_id']}", f"message:{channel}:{ts}")
    return Incoming(text, user, channel, thread_ts, keys)


def incoming_from_block_actions(payload: dict[str, Any]) -> Incoming | None:
    """The button press a `block_actions` payload carries, answered as typed text."""
    actions = payload.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    if not isinstance(action, dict) or action.get("type") != "button":
        return None
    value, user = _str(action, "value"), _str(_dict(payload, "user"), "id")
    channel = _str(_dict(payload, "channel"), "id")
    if value is None or not user or not channel:  # link buttons, or a modal/Home tab
        return None
    message = _dict(payload, "message")
    thread_ts = _str(message, "thread_ts")
    press = _str(payload, "trigger_id") or f"{_str(action, 'action_ts')}:{user}"
    return Incoming(value, user, channel, thread_ts, (f"action:{press}",))


class BadRequest(Exception):
    """A signed request whose body cannot be understood: HTTP 400 with the reason."""


def json_object(text: bytes | str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError) as e:
        raise BadRequest(f"{what} must be JSON") from e
    if not isinstance(value, dict):
        raise BadRequest(f"{what} must be a JSON object")
    return value


# --- Answers to Slack ---------------------------------------------------------------------


def _chunks(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line ends where possible."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*pieces, text] if text else pieces


def _button(index: int, button: dict[str, Any]) -> dict[str, Any] | None:
    title, payload = str(button.get("title", "")), str(button.get("payload", ""))
    if not title or not payload or len(payload) > BUTTON_VALUE_MAX_CHARS:
        logger.warning("Slack cannot show the button %r (payload %r); left out", title, payload)
        return None
    if len(title) > BUTTON_TITLE_MAX_CHARS:
        title = title[: BUTTON_TITLE_MAX_CHARS - 1] + "…"
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": title, "emoji": True},
        "value": payload,
        "action_id": f"button_{index}",  # unique within the message, as Slack requires
    }


def message_payload(
    text: str, buttons: Iterable[dict[str, Any]] = (), base_url: str | None = None
) -> dict[str, Any]:
    """chat.postMessage arguments: `text` in mrkdwn (quotations as `>` lines, links as
    `<url|text>` on `base_url`, the rest escaped: channels/text.py), plus Block Kit
    blocks for buttons. Links are not unfurled: the article's preview would bury the
    answer."""
    escaped = as_slack_mrkdwn(text, base_url)
    elements = [b for i, button in enumerate(buttons) if (b := _button(i, button))]
    if not elements:
        return {"text": escaped, "unfurl_links": False}
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
        for chunk in _chunks(escaped, SECTION_MAX_CHARS)
    ]
    for start in range(0, len(elements), BUTTONS_PER_ACTIONS_BLOCK):
        blocks.append(
            {"type": "actions", "elements": elements[start : start + BUTTONS_PER_ACTIONS_BLOCK]}
        )
    # `text` is what notifications and screen readers show.
    return {"text": escaped, "blocks": blocks, "unfurl_links": False}


class SlackOutput(OutputChannel):
    """Posts the bot's messages to one Slack channel (and thread)."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    def __init__(
        self,
        client: AsyncWebClient,
        channel: str,
        thread_ts: str | None,
        base_url: str | None = None,
    ) -> None:
        self.client, self.channel, self.thread_ts = client, channel, thread_ts
        self.base_url = base_url

    async def _post(self, **message: Any) -> None:
        if self.thread_ts:
            message["thread_ts"] = self.thread_ts
        await self.client.chat_postMessage(channel=self.channel, **message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._post(**message_payload(text, base_url=self.base_url))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._post(**message_payload(text, buttons, self.base_url))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        block = {"type": "image", "image_url": image, "alt_text": "image"}
        await self._post(text=escape_mrkdwn(image), blocks=[block])

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """A `custom` response is chat.postMessage arguments (e.g. `blocks`) as they are;
        an answer's parts are not sent (its text says it all)."""
        if citation_parts(json_message) is not None:
            return
        message = {k: v for k, v in json_message.items() if k not in ("channel", "thread_ts")}
        await self._post(**message)


# --- The channel --------------------------------------------------------------------------


class SlackInput(InputChannel):
    """Slack's Events API and interactivity, both at /webhooks/slack/webhook."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        settings = {k: str(v or "").strip() for k, v in (credentials or {}).items()}
        return cls(
            bot_token=settings.get("bot_token", ""),
            signing_secret=settings.get("signing_secret", ""),
            channel=settings.get("channel") or None,
            api_url=settings.get("api_url") or DEFAULT_API_URL,
        )

    def __init__(
        self,
        bot_token: str,
        signing_secret: str,
        channel: str | None = None,
        api_url: str = DEFAULT_API_URL,
        clock: Callable[[], float] = time.time,
        inbox: Inbox | None = None,
    ) -> None:
        self.bot_token, self.signing_secret = bot_token, signing_secret
        self.answer_all_in, self.api_url, self.clock = channel, api_url, clock
        # Seen event ids, the journal and the per-conversation queues (channels/delivery.py).
        self.inbox = inbox or inbox_for(CHANNEL_NAME)
        # Where links to the article point without PUBLIC_BASE_URL: the address Slack
        # last delivered to.
        self.base_url: str | None = None
        self._client: AsyncWebClient | None = None
        self._session: aiohttp.ClientSession | None = None
        if not bot_token:
            logger.info(
                "Slack channel off: SLACK_BOT_TOKEN is empty (/webhooks/slack/webhook answers 503)"
            )
            return
        if not signing_secret:
            raise InvalidConfigException(
                "SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is empty: the Slack channel "
                "cannot check that requests come from Slack. Set SLACK_SIGNING_SECRET to the "
                "Signing Secret on your Slack app's Basic Information page, or unset "
                "SLACK_BOT_TOKEN to turn the Slack channel off."
            )
        if not api_url.startswith(("http://", "https://")):
            raise InvalidConfigException(f"SLACK_API_URL must be an http(s) URL, not {api_url!r}")
        logger.info(
            "Slack channel on: events at /webhooks/slack/webhook, Web API %s, %s",
            api_url,
            f"answering every message in {channel}" if channel else "answering DMs and mentions",
        )

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token)

    def client(self) -> AsyncWebClient:
        """One Web API client with one HTTP session, made on the server's event loop."""
        if self._client is None:
            self._session = aiohttp.ClientSession()
            self._client = AsyncWebClient(
                self.bot_token,
                base_url=self.api_url,
                session=self._session,
                retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
            )
        return self._client

    async def close(self) -> None:
        """Let answers in progress finish (briefly), then close the HTTP session."""
        await self.inbox.close()
        if self._session is not None:
            await self._session.close()
        self._client = self._session = None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = answer_failures(on_new_message)
        blueprint = Blueprint("slack_webhook", __name__)

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json({"status": "off"}, status=503)
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json(
                    {"error": "the Slack channel is off: SLACK_BOT_TOKEN is not set"}, status=503
                )
            self.base_url = request_base_url(request)
            return self.handle(request, on_new_message)

        @blueprint.listener("after_server_start")
        async def answer_unanswered(app: Any, _: Any) -> None:
            if self.enabled:
                self.inbox.answer_unanswered_later(lambda u: self._work(u, on_new_message), app)

        @blueprint.listener("before_server_stop")
        async def close_client(*_: Any) -> None:
            await self.close()

        return blueprint

    def handle(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Slack's answer to one webhook request; answering the user is left to a task."""
        body = request.body or b""
        error = signature_error(
            self.signing_secret,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
            body,
            self.clock(),
        )
        if error:
            logger.warning("Slack request rejected: %s", error)
            return response.json({"error": error}, status=401)
        try:
            return self._dispatch(request, body, on_new_message)
        except BadRequest as e:
            logger.warning("Slack request not understood: %s", e)
            return response.json({"error": str(e)}, status=400)

    def _dispatch(
        self,
        request: Request,
        body: bytes,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> HTTPResponse:
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
        if content_type == "application/json":
            envelope = json_object(body, "the body")
            kind = envelope.get("type")
            if kind == "url_verification":
                challenge = envelope.get("challenge")
                if not isinstance(challenge, str):
                    raise BadRequest("url_verification needs a string 'challenge'")
                return response.json({"challenge": challenge})
            if kind != "event_callback":
                return response.empty(status=200)  # e.g. app_rate_limited: nothing to answer
            if not _str(envelope, "event_id") or not isinstance(envelope.get("event"), dict):
                raise BadRequest("an event_callback needs 'event_id' and an 'event' object")
            update = {EVENT: envelope}
        elif content_type == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode(), strict_parsing=True)
            except (ValueError, UnicodeDecodeError) as e:
                raise BadRequest("the body must be a form with a 'payload' field") from e
            if len(form.get("payload", [])) != 1:
                raise BadRequest("the body must be a form with one 'payload' field")
            payload = json_object(form["payload"][0], "'payload'")
            if payload.get("type") != "block_actions":
                return response.empty(status=200)  # shortcuts, modals: not used by this bot
            update = {BLOCK_ACTIONS: payload}
        else:
            return response.json(
                {"error": "the body must be JSON (events) or a form (interactivity)"},
                status=415,
            )
        incoming = self._incoming(update)
        if incoming is not None:
            if self.inbox.first_time(incoming.keys):
                self.inbox.take(incoming.keys[0], update, self._answer(incoming, on_new_message))
            else:
                retry = request.headers.get("X-Slack-Retry-Num")
                logger.info("Slack sent %s again (retry %s); answered once", incoming.keys, retry)
        return response.empty(status=200)

    def _incoming(self, update: Update) -> Incoming | None:
        """The message in an event or a button press (as written down), if it is answered."""
        if EVENT in update:
            return incoming_from_event(update[EVENT], self.answer_all_in)
        return incoming_from_block_actions(update[BLOCK_ACTIONS])

    def _work(
        self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Work | None:
        """A written-down update's conversation and answer; None if it gets none."""
        incoming = self._incoming(update)
        return None if incoming is None else self._answer(incoming, on_new_message)

    def _answer(
        self, incoming: Incoming, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Work:
        """The conversation of `incoming` and the job that tells the bot."""

        async def tell_bot() -> None:
            message = UserMessage(
                incoming.text,
                SlackOutput(
                    self.client(),
                    incoming.channel,
                    incoming.thread_ts,
                    public_base_url(self.base_url),
                ),
                incoming.sender_id,
                input_channel=CHANNEL_NAME,
                metadata={
                    "slack": {
                        "user": incoming.user,
                        "channel": incoming.channel,
                        "thread_ts": incoming.thread_ts,
                    }
                },
            )
            await on_new_message(message)

        return incoming.sender_id, tell_bot
