"""Safe by default on a public website: no HTTP API without a token, and no other site's
pages may call the bot unless their origin is configured (CORS_ORIGINS)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from scripts.servers import Bot, running_bot

TOKEN = "test-token-not-a-secret"
OTHER_SITE = "http://clinic.example.org"
# Every endpoint of Rasa's HTTP API that reads or changes a conversation or the model.
ADMIN = [
    ("GET", "/conversations/someone/tracker", None),
    ("POST", "/conversations/someone/tracker/events", {"event": "bot", "text": "stop your meds"}),
    (
        "PUT",
        "/conversations/someone/tracker/events",
        [{"event": "action", "name": "action_listen"}],
    ),
    ("GET", "/conversations/someone/story", None),
    ("POST", "/conversations/someone/execute", {"name": "utter_greet"}),
    ("POST", "/conversations/someone/trigger_intent", {"name": "greet"}),
    ("POST", "/conversations/someone/predict", None),
    ("POST", "/conversations/someone/messages", {"text": "hi", "sender": "user"}),
    ("POST", "/model/parse", {"text": "hello"}),
    ("PUT", "/model", {"model_file": "models/osteo-hair-faq.tar.gz"}),
    ("DELETE", "/model", None),
    ("GET", "/domain", None),
    ("GET", "/status", None),
]


def call(bot: Bot, method: str, path: str, body: object, token: str | None = None) -> int:
    params = {"token": token} if token else None
    headers = {"Accept": "application/json"}
    reply = requests.request(
        method, bot.url + path, json=body, params=params, headers=headers, timeout=30
    )
    return reply.status_code


@pytest.mark.parametrize(("method", "path", "body"), ADMIN, ids=[f"{m} {p}" for m, p, _ in ADMIN])
def test_by_default_there_is_no_http_api(bot: Bot, method: str, path: str, body: object) -> None:
    assert call(bot, method, path, body) in (401, 403, 404, 405)


def test_a_users_conversation_cannot_be_read_by_anyone_else(bot: Bot) -> None:
    bot.send("private-user", "does fosamax cause hair loss?")
    reply = requests.get(f"{bot.url}/conversations/private-user/tracker", timeout=30)

    assert reply.status_code in (401, 403, 404)
    assert "fosamax" not in reply.text.lower()


@pytest.fixture(scope="module")
def api_bot() -> Iterator[Bot]:
    with running_bot(env={"RASA_API_TOKEN": TOKEN, "CORS_ORIGINS": OTHER_SITE}) as running:
        yield running


@pytest.mark.parametrize(("method", "path", "body"), ADMIN[:2] + ADMIN[8:9] + ADMIN[11:])
def test_with_a_token_the_api_needs_that_token(
    api_bot: Bot, method: str, path: str, body: object
) -> None:
    assert call(api_bot, method, path, body) == 401
    assert call(api_bot, method, path, body, token="wrong") == 401
    assert call(api_bot, method, path, body, token=TOKEN) == 200


def test_with_the_token_a_conversation_can_be_read(api_bot: Bot) -> None:
    api_bot.send("operator-check", "what is osteoporosis?")
    reply = requests.get(
        f"{api_bot.url}/conversations/operator-check/tracker", params={"token": TOKEN}, timeout=30
    )

    assert reply.status_code == 200
    assert reply.json()["sender_id"] == "operator-check"


def _allowed_origin(bot: Bot, origin: str) -> str | None:
    reply = requests.options(
        f"{bot.url}/webhooks/rest/webhook",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    return reply.headers.get("Access-Control-Allow-Origin")


def test_by_default_no_other_site_may_call_the_bot(bot: Bot) -> None:
    assert _allowed_origin(bot, "http://evil.example.com") is None
    assert _allowed_origin(bot, OTHER_SITE) is None


def test_a_configured_site_may_call_the_bot_and_no_other(api_bot: Bot) -> None:
    assert _allowed_origin(api_bot, OTHER_SITE) == OTHER_SITE
    assert _allowed_origin(api_bot, "http://evil.example.com") is None
