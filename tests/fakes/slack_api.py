"""A fake Slack: the Web API on loopback, and requests signed as Slack signs them.

`FakeSlackApi` is an aiohttp server in a thread, answering every Web API method
(`POST /api/<method>`) as Slack does for a valid bot token, and recording each call
with its parameters, so tests assert on what the bot posted. An optional delay
makes every answer slow (to check that the bot acknowledges Slack before replying).

`signed_headers` signs a request body exactly as Slack does
(https://api.slack.com/authentication/verifying-requests-from-slack).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER_ID = "UFAKEBOT01"
BOT_ID = "BFAKEBOT01"


def signed_headers(
    secret: str, body: bytes, timestamp: int | None = None, content_type: str = "application/json"
) -> dict[str, str]:
    """The headers Slack sends with `body`: its timestamp and signature."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


@dataclass(frozen=True)
class ApiCall:
    """One Web API call the fake received."""

    method: str
    params: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)


class FakeSlackApi:
    """Slack's Web API at `self.url` (pass it as SLACK_API_URL) while started."""

    def __init__(self, token: str, delay_seconds: float = 0.0) -> None:
        self.token = token
        self.delay_seconds = delay_seconds
        self.calls: list[ApiCall] = []
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --- what tests read ----------------------------------------------------------------

    def posts(self, channel: str | None = None) -> list[ApiCall]:
        """The chat.postMessage calls so far (to `channel` if given), in order."""
        with self._changed:
            return [c for c in self.calls if _is_post(c, channel)]

    def wait_for_posts(
        self, count: int, channel: str | None = None, timeout: float = 30
    ) -> list[ApiCall]:
        """Wait until at least `count` messages were posted (to `channel`); return them all."""
        return self._wait(
            lambda: len(self.posts(channel)) >= count, timeout, lambda: self.posts(channel)
        )

    def wait_for_post(
        self, matches: Callable[[ApiCall], bool], channel: str | None = None, timeout: float = 30
    ) -> ApiCall:
        """Wait for the first post (to `channel`) that `matches`; return it."""
        found = self._wait(
            lambda: any(matches(c) for c in self.posts(channel)),
            timeout,
            lambda: self.posts(channel),
        )
        return next(c for c in found if matches(c))

    @contextmanager
    def slow(self, seconds: float) -> Iterator[None]:
        """Every Web API answer takes `seconds` while inside the block."""
        previous, self.delay_seconds = self.delay_seconds, seconds
        try:
            yield
        finally:
            self.delay_seconds = previous

    def _wait(
        self, done: Callable[[], bool], timeout: float, result: Callable[[], list[ApiCall]]
    ) -> list[ApiCall]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"not posted within {timeout} s; posts: {result()}")
                self._changed.wait(left)
            return result()

    # --- the server -----------------------------------------------------------------------

    def start(self) -> FakeSlackApi:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/api/"
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._answer)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.SockSite(self._runner, sock).start())
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._loop is None or self._runner is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> FakeSlackApi:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    async def _answer(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        with self._changed:
            self.calls.append(ApiCall(method, params, token))
            self._changed.notify_all()
        return web.json_response(self._result(method, params, token))

    def _result(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        """What Slack answers (always HTTP 200; failures say ok: false)."""
        if token != self.token:
            return {"ok": False, "error": "not_authed" if token is None else "invalid_auth"}
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER_ID, "bot_id": BOT_ID, "team_id": "TFAKE"}
        if method == "chat.postMessage":
            if not params.get("channel"):
                return {"ok": False, "error": "channel_not_found"}
            if not params.get("text") and not params.get("blocks"):
                return {"ok": False, "error": "no_text"}
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            return {"ok": True, "channel": params["channel"], "ts": ts, "message": params}
        return {"ok": True}


def _is_post(call: ApiCall, channel: str | None) -> bool:
    return call.method == "chat.postMessage" and channel in (None, call.params.get("channel"))


async def _params(request: web.Request) -> dict[str, Any]:
    """The call's parameters: slack_sdk sends JSON for methods with blocks, else a form."""
    if request.content_type == "application/json":
        body = await request.json()
        return dict(body) if isinstance(body, dict) else {"_body": body}
    form = await request.post()
    params: dict[str, Any] = {**request.query, **{k: str(v) for k, v in form.items()}}
    for key in ("blocks", "attachments"):  # JSON strings when sent as a form
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params
