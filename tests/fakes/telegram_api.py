"""A fake Telegram Bot API on loopback, for tests that run the real bot against it.

It serves `/bot<token>/<method>` as Telegram does (JSON, form or query parameters;
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": ..., "description": ...}`)
from an aiohttp server in a thread of its own, checks what Telegram checks and the bot
could get wrong (the token, empty texts, texts over 4096 characters, callback_data over
64 bytes, a malformed secret token), and records every call with its parameters.

    with FakeTelegramApi(TOKEN) as api:
        ... point the bot at api.url ...
        api.wait_for_messages(1, chat_id=42)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import TracebackType
from typing import Any

from aiohttp import web

MAX_TEXT_UNITS = 4096
MAX_CALLBACK_DATA_BYTES = 64
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    ok: bool  # False when the fake answered with an error

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def shown(self) -> str:
        """The text as the user reads it (markup gone, for `parse_mode: HTML`)."""
        if self.params.get("parse_mode") == "HTML":
            return telegram_html_text(self.text)
        return self.text


@dataclass
class Webhook:
    url: str = ""
    secret_token: str = ""
    allowed_updates: list[str] | None = None


@dataclass
class _Failure:
    method: str
    chat_id: Any  # None: any chat
    error_code: int
    description: str
    retry_after: int | None = None


class ApiError(Exception):
    def __init__(self, error_code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.error_code, self.description, self.retry_after = error_code, description, retry_after


@dataclass
class FakeTelegramApi:
    token: str
    bot_username: str = "fake_test_bot"
    webhook: Webhook = field(default_factory=Webhook)
    delays: dict[str, float] = field(default_factory=dict)  # method -> seconds before answering

    def __post_init__(self) -> None:
        self._calls: list[Call] = []
        self._changed = threading.Condition()
        self._failures: list[_Failure] = []
        self._message_ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --- Life cycle ---------------------------------------------------------------------

    def __enter__(self) -> FakeTelegramApi:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        started = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self.url = loop.run_until_complete(self._start_server())
            except BaseException as error:  # reported to the starting thread
                failure.append(error)
                started.set()
                loop.close()
                return
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._stop_server())
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-telegram-api", daemon=True)
        self._thread.start()
        if not started.wait(10) or failure:
            raise RuntimeError(f"the fake Telegram API did not start: {failure}")

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop = self._thread = None

    async def _start_server(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    async def _stop_server(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- What tests look at -------------------------------------------------------------

    def calls(self, method: str | None = None, chat_id: Any = None) -> list[Call]:
        with self._changed:
            return [
                c
                for c in self._calls
                if (method is None or c.method == method)
                and (chat_id is None or c.chat_id == chat_id)
            ]

    def wait_for(
        self, condition: Callable[[], bool], timeout: float = 30, what: str = "calls"
    ) -> None:
        """Block until `condition()` holds (checked on every recorded call)."""
        with self._changed:
            if not self._changed.wait_for(condition, timeout):
                recorded = [(c.method, c.params) for c in self._calls][-10:]
                raise TimeoutError(f"no {what} within {timeout} s; last calls: {recorded}")

    def wait_for_calls(
        self, method: str, count: int, chat_id: Any = None, timeout: float = 30
    ) -> list[Call]:
        """The first `count` successful `method` calls (to `chat_id`), waiting for them."""

        def matching() -> list[Call]:
            return [
                c
                for c in self._calls
                if c.method == method and c.ok and (chat_id is None or c.chat_id == chat_id)
            ]

        self.wait_for(lambda: len(matching()) >= count, timeout, f"{count} {method} calls")
        with self._changed:
            return matching()[:count]

    def wait_for_messages(self, count: int, chat_id: Any = None, timeout: float = 30) -> list[Call]:
        return self.wait_for_calls("sendMessage", count, chat_id, timeout)

    def wait_for_text(self, chat_id: Any, fragment: str, timeout: float = 30) -> list[Call]:
        """All messages to `chat_id` once one of them contains `fragment`."""
        self.wait_for(
            lambda: any(
                fragment in c.text
                for c in self._calls
                if c.method == "sendMessage" and c.ok and c.chat_id == chat_id
            ),
            timeout,
            f"message containing {fragment!r} to chat {chat_id}",
        )
        return self.calls("sendMessage", chat_id)

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        chat_id: Any = None,
    ) -> None:
        """Answer the next `method` call (to `chat_id`) with this error, e.g. 429."""
        with self._changed:
            self._failures.append(_Failure(method, chat_id, error_code, description, retry_after))

    # --- The API ------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        await asyncio.sleep(self.delays.get(method, 0))
        with self._changed:
            failure = next(
                (
                    f
                    for f in self._failures
                    if f.method == method and f.chat_id in (None, params.get("chat_id"))
                ),
                None,
            )
            if failure is not None:
                self._failures.remove(failure)
        try:
            if failure is not None:
                raise ApiError(failure.error_code, failure.description, failure.retry_after)
            result = self._answer(method, params)
        except ApiError as error:
            self._record(Call(method, params, ok=False))
            return _error(error.error_code, error.description, error.retry_after)
        self._record(Call(method, params, ok=True))
        return web.json_response({"ok": True, "result": result})

    def _record(self, call: Call) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {
                "id": int(self.token.split(":")[0]),
                "is_bot": True,
                "first_name": "Fake bot",
                "username": self.bot_username,
            }
        if method == "sendMessage":
            return self._message(params)
        if method == "sendPhoto":
            _require(params, "chat_id", "photo")
            return self._message({**params, "text": None})
        if method == "answerCallbackQuery":
            _require(params, "callback_query_id")
            return True
        if method == "getWebhookInfo":
            info: dict[str, Any] = {
                "url": self.webhook.url,
                "has_custom_certificate": False,
                "pending_update_count": 0,
            }
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
            return info
        if method == "setWebhook":
            return self._set_webhook(params)
        if method == "deleteWebhook":
            self.webhook = Webhook()
            return True
        raise ApiError(404, "Not Found")

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        _require(params, "chat_id")
        text = params.get("text")
        if text is not None and params.get("parse_mode") == "HTML":
            text = telegram_html_text(str(text))  # what the user reads
        elif params.get("parse_mode") is not None:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {params['parse_mode']}")
        if text is not None:
            if not str(text).strip():
                raise ApiError(400, "Bad Request: message text is empty")
            if len(str(text).encode("utf-16-le")) // 2 > MAX_TEXT_UNITS:
                raise ApiError(400, "Bad Request: message is too long")
        markup = _json_field(params.get("reply_markup"))
        for row in (markup or {}).get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": params["chat_id"], "type": "private"},
            "from": {"id": 1, "is_bot": True, "username": self.bot_username},
        }
        if text is not None:
            message["text"] = text
        if markup:
            message["reply_markup"] = markup
        return message

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url", ""))
        secret = params.get("secret_token")
        if secret is not None and not SECRET_PATTERN.fullmatch(str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        allowed = _json_field(params.get("allowed_updates"))
        self.webhook = Webhook(url, str(secret or ""), allowed if url else None)
        return True


# The tags Telegram's HTML parse mode accepts (https://core.telegram.org/bots/api#html-style).
TELEGRAM_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    ]
)


class _TelegramHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported tag <{tag}>")
        if tag == "a" and not str(dict(attrs).get("href") or "").startswith(("http", "tg:")):
            raise ApiError(400, "Bad Request: can't parse entities: wrong href")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: unexpected </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text += data


def telegram_html_text(html: str) -> str:
    """The text of a `parse_mode: HTML` message, refused as Telegram refuses it when a
    tag is not allowed or not closed, or a `<`, `>` or `&` is not escaped."""
    if re.search(r"&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", html):
        raise ApiError(400, "Bad Request: can't parse entities: unescaped &")
    parser = _TelegramHtml()
    parser.feed(html)
    parser.close()
    if parser.open or re.search(r"<(?![a-z/-])", html):
        raise ApiError(400, "Bad Request: can't parse entities: unclosed or stray <")
    return parser.text


async def _params(request: web.Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        body = await request.json()
        params.update(body if isinstance(body, dict) else {})
    elif request.can_read_body:
        params.update(await request.post())
    return params


def _json_field(value: Any) -> Any:
    """A structured parameter, sent as JSON itself or as a JSON-serialized string."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON field") from None
    return value


def _require(params: dict[str, Any], *names: str) -> None:
    for name in names:
        if params.get(name) in (None, ""):
            raise ApiError(400, f"Bad Request: {name} is empty")


def _error(error_code: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": error_code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=error_code)
