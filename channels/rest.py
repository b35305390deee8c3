"""Rasa's REST channel with request validation.

Stock Rasa answers a body without a string `message` with an empty list (the user
hears nothing), files messages without `sender` under one shared "default"
conversation, and fails with HTTP 500 on a JSON body that is not an object. This
channel answers all of those with HTTP 400 and a JSON error saying what is wrong;
valid requests behave exactly as before, at the same URL /webhooks/rest/webhook.

Each response is one message: its text in the responses' Markdown (channels/text.py)
with links made absolute (on PUBLIC_BASE_URL, else the address the request came in on),
its buttons, and for an answer its parts as `custom` data (answer, quote, document,
title, section, url), all in the one JSON object.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.failures import answer_failures
from channels.text import (
    as_markdown,
    citation_parts,
    citation_with_absolute_urls,
    clean_text,
    public_base_url,
    request_base_url,
)

MAX_MESSAGE_CHARS = 20_000
MAX_SENDER_CHARS = 256


def request_error(request: Request) -> tuple[int, str] | None:
    """Why a webhook request cannot be handled (status, reason), or None."""
    try:
        body = request.json
    except InvalidUsage:
        return 400, "the body must be JSON"
    if not isinstance(body, dict):
        return 400, 'the body must be a JSON object like {"sender": "...", "message": "..."}'
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip():
        return 400, "'sender' must be a non-empty string identifying the conversation"
    if len(sender) > MAX_SENDER_CHARS:
        return 400, f"'sender' must be at most {MAX_SENDER_CHARS} characters"
    if clean_text(sender) != sender:
        return 400, "'sender' must be text without lone surrogates (\\ud800-\\udfff)"
    if not isinstance(message, str):
        return 400, "'message' must be a string"
    if len(message) > MAX_MESSAGE_CHARS:
        return 413, f"'message' must be at most {MAX_MESSAGE_CHARS} characters"
    return None


# The address of the request being answered (set before its handler runs, same task).
_REQUEST_BASE: ContextVar[str | None] = ContextVar("rest_request_base", default=None)


class AnswerCollector(CollectingOutputChannel):
    """Rasa's collector of a REST reply, one JSON object per response, links absolute."""

    def __init__(self, messages: list[dict[str, Any]], base_url: str | None) -> None:
        super().__init__()
        self.messages = messages  # the list the REST handler returns
        self.base_url = base_url

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        message = dict(message)
        if isinstance(message.get("text"), str):
            message["text"] = as_markdown(message["text"], self.base_url)
        parts = citation_parts(message.get("custom"))
        if parts is None or not message.get("text"):
            await super().send_response(recipient_id, message)
            return
        one = self._message(
            recipient_id,
            text=message["text"],
            buttons=message.get("buttons") or None,
            custom=citation_with_absolute_urls(parts, self.base_url),
        )
        await self._persist_message(one)


def answer_collected(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Any:
    """`on_new_message`, with Rasa's plain collector swapped for an AnswerCollector."""

    async def handle(message: UserMessage) -> Any:
        collector = message.output_channel
        if type(collector) is CollectingOutputChannel:  # not the streaming one
            message.output_channel = AnswerCollector(
                collector.messages, public_base_url(_REQUEST_BASE.get())
            )
        return await on_new_message(message)

    return handle


class ValidatedRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def _extract_message(self, req: Request) -> str | None:
        message = super()._extract_message(req)
        return clean_text(message) if isinstance(message, str) else message

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(answer_failures(answer_collected(on_new_message)))

        @blueprint.listener("before_server_stop")
        async def close_action_server_connections(*_: Any) -> None:
            # rasa_patches.action_calls keeps them open while the server runs.
            from rasa_patches.action_calls import close_sessions

            await close_sessions()

        @blueprint.middleware("request")
        async def validate(request: Request) -> HTTPResponse | None:
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            _REQUEST_BASE.set(request_base_url(request))
            error = request_error(request)
            if error is None:
                return None
            status, reason = error
            return response.json({"error": reason}, status=status)

        return blueprint
