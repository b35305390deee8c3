"""The website chat widget: Rasa's socket.io channel, mended, and the page that hosts it.

`WebChatInput` is Rasa's socket.io channel with three changes:
- With `session_persistence: true`, stock Rasa 3.6 calls python-socketio 5's coroutine
  `enter_room` without awaiting it, so the browser never joins its session's room and
  no reply ever reaches it. Here it is awaited: replies arrive, and a reloaded page keeps
  its conversation (the widget sends the same session id again).
- Incoming events are checked: a session id that is not a short token gets a fresh one,
  a message that is not a string is dropped with a warning, and an oversize message is
  answered by the bot's `message_too_long` reply instead of being classified.
- Metadata that is not a JSON object is ignored instead of failing the handler.

`WebChatOutput` sends each response as one message (stock Rasa cuts a text at every
blank line into separate bubbles), in the Markdown the widget renders (channels/text.py),
and leaves out an answer's `custom` parts, which the widget would show as a second,
empty bubble.

`WebChatPage` serves the demo page (web/), its settings (web/widget.json), the widget
bundle that scripts/build_webchat.sh installs under build/webchat/, at /chat/, and the
articles the answers quote at /chat/article/<document> (channels/article.py). Same origin
as the socket.io endpoint, so the page needs no CORS; other sites embed the widget as the
README shows.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels.article import QUOTE_PARAMETER, load_article, render_article
from channels.failures import answer_failures
from channels.rest import MAX_MESSAGE_CHARS
from channels.text import as_markdown, citation_parts, clean_text, public_base_url

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
PAGE_DIR = ROOT / "web"
WIDGET_BUNDLE = ROOT / "build" / "webchat" / "webchat.js"

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,128}")
TOO_LONG_MESSAGE = "/message_too_long"

# The page and its script may only load from this server and talk to its socket.io
# endpoint: even if some text slipped through the widget's escaping, no injected
# script or third-party resource would run.
PAGE_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; "
        "frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def session_id_from(data: Any) -> str:
    """The session id the widget asked for, or a fresh one if it is missing or odd."""
    requested = data.get("session_id") if isinstance(data, dict) else None
    if isinstance(requested, str) and SESSION_ID.fullmatch(requested):
        return requested
    return uuid.uuid4().hex


def text_from(data: Any) -> str | None:
    """The user's text to hand to the bot, or None if the event carries none."""
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, str):
        return None
    if len(message) > MAX_MESSAGE_CHARS:
        return TOO_LONG_MESSAGE
    return clean_text(message)


def metadata_from(data: Any, key: str) -> dict[str, Any]:
    metadata = data.get(key) if isinstance(data, dict) else None
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return {}
    return metadata if isinstance(metadata, dict) else {}


class WebChatOutput(SocketIOOutput):
    """One bubble per response, links on PUBLIC_BASE_URL when it is set (for a widget
    embedded in another site), else site-relative (the page is on this server)."""

    def _text(self, text: str) -> str:
        return as_markdown(text.strip(), public_base_url())

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": self._text(text)})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        replies = [
            {"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons
        ]
        await self._send_message(recipient_id, {"text": self._text(text), "quick_replies": replies})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        if citation_parts(json_message) is not None:
            return  # an answer's parts: its text says it all
        await super().send_custom_json(recipient_id, json_message, **kwargs)


class WebChatInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = answer_failures(on_new_message)
        # cors_allowed_origins=[] leaves CORS to Rasa's --cors option, as stock Rasa does.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            session_id = session_id_from(data)
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            text = text_from(data)
            if text is None:
                logger.warning("socket.io: ignored a message event without string text")
                return
            if self.session_persistence:
                session = data.get("session_id")
                if not (isinstance(session, str) and SESSION_ID.fullmatch(session)):
                    logger.warning("socket.io: ignored a message without a valid session_id")
                    return
                sender_id = session
            else:
                sender_id = sid
            await on_new_message(
                UserMessage(
                    text,
                    WebChatOutput(sio, self.bot_message_evt),
                    sender_id,
                    input_channel=self.name(),
                    metadata=metadata_from(data, self.metadata_key or "metadata"),
                )
            )

        return socketio_webhook


class WebChatPage(InputChannel):
    """Serves the demo page with the chat widget at /chat/ (no messages come in here)."""

    @classmethod
    def name(cls) -> str:
        return "chat"

    def url_prefix(self) -> str:
        return "/chat"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        page = Blueprint("webchat_page", __name__)

        async def send(path: Path, content_type: str) -> HTTPResponse:
            if not path.is_file():
                return response.text(
                    f"{path.name} is missing: run `make install` to build the chat widget.",
                    status=503,
                )
            return await response.file(
                path, mime_type=content_type, headers={**PAGE_SECURITY_HEADERS}
            )

        @page.route("/", methods=["GET", "HEAD"])
        async def index(_: Request) -> HTTPResponse:
            return await send(PAGE_DIR / "index.html", "text/html; charset=utf-8")

        @page.route("/<name:str>", methods=["GET", "HEAD"])
        async def asset(request: Request, name: str) -> HTTPResponse:
            if name == "":  # Sanic routes /chat/ here, /chat to index
                return await index(request)
            if name == "webchat.js":
                return await send(WIDGET_BUNDLE, "text/javascript; charset=utf-8")
            assets = {
                "page.js": "text/javascript; charset=utf-8",
                "page.css": "text/css; charset=utf-8",
                "article.css": "text/css; charset=utf-8",
                "widget.json": "application/json; charset=utf-8",
            }
            if name not in assets:
                return response.text("not found", status=404)
            return await send(PAGE_DIR / name, assets[name])

        @page.route("/article/<document:str>", methods=["GET", "HEAD"])
        async def article(request: Request, document: str) -> HTTPResponse:
            found = load_article(document)
            if found is None:
                return response.text("There is no such article.", status=404)
            quotes = request.args.getlist(QUOTE_PARAMETER) or []
            return response.html(render_article(found, quotes), headers={**PAGE_SECURITY_HEADERS})

        return page
