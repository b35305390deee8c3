"""The REST channel refuses what stock Rasa gets wrong (no sender, no string message, a body
that is not a JSON object, an oversized message) with a status and a reason, and passes
valid requests on to the bot unchanged."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sanic.compat import Header
from sanic.request import Request

from channels.rest import MAX_MESSAGE_CHARS, MAX_SENDER_CHARS, ValidatedRestInput, request_error

WEBHOOK = "/webhooks/rest/webhook"


def _request(body: bytes) -> Request:
    """A real Sanic request as the server builds it, with `body` as received."""
    request = Request(WEBHOOK.encode(), Header(), "1.1", "POST", None, None)
    request.body = body
    return request


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


# --- request_error: what is wrong with a request ----------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"sender": "alice", "message": "Does Fosamax thin hair?"}, id="question"),
        pytest.param({"sender": "alice", "message": ""}, id="blank-message"),
        pytest.param({"sender": "alice", "message": "hi", "metadata": {"a": 1}}, id="metadata"),
        pytest.param({"sender": "a" * MAX_SENDER_CHARS, "message": "hi"}, id="longest-sender"),
        pytest.param({"sender": "alice", "message": "x" * MAX_MESSAGE_CHARS}, id="longest-msg"),
    ],
)
def test_a_valid_request_has_no_error(body: dict[str, Any]) -> None:
    assert request_error(_request(_json(body))) is None


@pytest.mark.parametrize(
    ("body", "status", "reason_mentions"),
    [
        pytest.param(b'{"sender": "alice", "message": "hi"', 400, "JSON", id="broken-json"),
        pytest.param(b"sender=alice&message=hi", 400, "JSON", id="form-encoded"),
        pytest.param(b"", 400, "JSON object", id="empty-body"),
        pytest.param(_json([{"sender": "alice", "message": "hi"}]), 400, "JSON object", id="list"),
        pytest.param(_json("hi"), 400, "JSON object", id="string"),
        pytest.param(_json(None), 400, "JSON object", id="null"),
        pytest.param(_json({"message": "hi"}), 400, "'sender'", id="no-sender"),
        pytest.param(_json({"sender": "", "message": "hi"}), 400, "'sender'", id="empty-sender"),
        pytest.param(_json({"sender": "  ", "message": "hi"}), 400, "'sender'", id="blank-sender"),
        pytest.param(_json({"sender": 42, "message": "hi"}), 400, "'sender'", id="number-sender"),
        pytest.param(_json({"sender": None, "message": "hi"}), 400, "'sender'", id="null-sender"),
        pytest.param(
            _json({"sender": "a" * (MAX_SENDER_CHARS + 1), "message": "hi"}),
            400,
            f"at most {MAX_SENDER_CHARS}",
            id="sender-too-long",
        ),
        pytest.param(_json({"sender": "alice"}), 400, "'message'", id="no-message"),
        pytest.param(_json({"sender": "alice", "message": None}), 400, "'message'", id="null-msg"),
        pytest.param(_json({"sender": "alice", "message": 42}), 400, "'message'", id="number-msg"),
        pytest.param(
            _json({"sender": "alice", "message": ["hi"]}), 400, "'message'", id="list-msg"
        ),
        pytest.param(
            _json({"sender": "alice", "message": "x" * (MAX_MESSAGE_CHARS + 1)}),
            413,
            f"at most {MAX_MESSAGE_CHARS}",
            id="message-too-long",
        ),
    ],
)
def test_an_invalid_request_gets_a_status_and_a_reason(
    body: bytes, status: int, reason_mentions: str
) -> None:
    error = request_error(_request(body))

    assert error is not None
    assert error[0] == status
    assert reason_mentions in error[1]


# --- The channel: the check sits in front of Rasa's webhook -----------------------------


class Webhook:
    """The channel's blueprint in a Sanic app, driven through ASGI: no server, no port."""

    def __init__(self) -> None:
        self.received: list[UserMessage] = []
        self.app = Sanic(f"rest-channel-test-{uuid.uuid4().hex}")
        self.app.blueprint(
            ValidatedRestInput().blueprint(self._on_new_message), url_prefix="/webhooks/rest"
        )

    async def _on_new_message(self, message: UserMessage) -> None:
        self.received.append(message)
        await message.output_channel.send_text_message(message.sender_id, f"echo {message.text}")

    def exchange(self, method: str, path: str, body: bytes = b"") -> tuple[int, Any]:
        """(status, decoded JSON body) of one request, the app started and stopped around it."""
        return asyncio.run(self._exchange(method, path, body))

    async def _exchange(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        lifespan: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        await lifespan.put({"type": "lifespan.startup"})
        started = asyncio.Event()

        async def reported(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                started.set()

        scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
        running = asyncio.create_task(self.app(scope, lifespan.get, reported))
        await asyncio.wait_for(started.wait(), timeout=5)
        try:
            return await self._request(method, path, body)
        finally:
            # No shutdown message: Sanic 21.12's ASGI lifespan fails after shutting down
            # (it then handles the lifespan as a request); nothing here needs a shutdown.
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running

    async def _request(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"localhost"), (b"content-type", b"application/json")],
            "server": ("127.0.0.1", 5005),
            "client": ("127.0.0.1", 40000),
        }
        incoming = [{"type": "http.request", "body": body, "more_body": False}]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return incoming.pop(0) if incoming else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        [start] = [m for m in sent if m["type"] == "http.response.start"]
        payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return start["status"], json.loads(payload)


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Webhook:
    # As sanic-testing does: Sanic's start-up rewrites its protocol class once per
    # process unless in test mode, so a second app could not start otherwise.
    monkeypatch.setattr(Sanic, "test_mode", True)
    return Webhook()


def test_a_valid_message_reaches_the_bot_and_gets_its_reply(webhook: Webhook) -> None:
    body = _json({"sender": "alice", "message": "Does Fosamax thin hair?"})

    status, reply = webhook.exchange("POST", WEBHOOK, body)

    assert status == 200
    assert reply == [{"recipient_id": "alice", "text": "echo Does Fosamax thin hair?"}]
    assert [(m.sender_id, m.text) for m in webhook.received] == [
        ("alice", "Does Fosamax thin hair?")
    ]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param(b"{not json", 400, id="not-json"),
        pytest.param(_json(["hi"]), 400, id="list"),
        pytest.param(_json({"message": "hi"}), 400, id="no-sender"),
        pytest.param(_json({"sender": "alice"}), 400, id="no-message"),
        pytest.param(
            _json({"sender": "alice", "message": "x" * (MAX_MESSAGE_CHARS + 1)}),
            413,
            id="message-too-long",
        ),
    ],
)
def test_an_invalid_request_is_answered_with_its_reason_and_never_reaches_the_bot(
    webhook: Webhook, body: bytes, status: int
) -> None:
    answered = webhook.exchange("POST", WEBHOOK, body)

    assert answered == (status, {"error": request_error(_request(body))[1]})
    assert webhook.received == []


def test_the_health_check_is_not_validated(webhook: Webhook) -> None:
    assert webhook.exchange("GET", "/webhooks/rest/") == (200, {"status": "ok"})
