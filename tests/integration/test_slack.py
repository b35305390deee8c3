"""Slack end to end: the bot `make run` starts, Slack's requests signed as Slack signs
them, and what the bot posts recorded by a fake Slack Web API on loopback."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import redis
import requests

from channels.text import escape_mrkdwn
from scripts.servers import ROOT, Bot, free_port, running_bot
from tests.fakes.slack_api import BOT_USER_ID, ApiCall, FakeSlackApi, signed_headers

TOKEN = "fake-slack-bot-token"
SECRET = "test-signing-secret"
ANSWER_ALL_IN = "CANSWERALL"  # SLACK_CHANNEL
WEBHOOK = "/webhooks/slack/webhook"

CAUSAL_QUESTION = "does osteoporosis cause hair loss?"
CAUSAL_ANSWER = "The physical process of bone weakening itself"
CALCIUM_QUESTION = "how much calcium do I need?"
CALCIUM_ANSWER = "1,000 to 1,200 mg of calcium daily"


@pytest.fixture(scope="module")
def slack_api() -> Iterator[FakeSlackApi]:
    with FakeSlackApi(TOKEN) as api:
        yield api


def slack_env(api: FakeSlackApi) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_CHANNEL": ANSWER_ALL_IN,
        "SLACK_API_URL": api.url,
    }


@pytest.fixture(scope="module")
def slack_bot(slack_api: FakeSlackApi) -> Iterator[Bot]:
    with running_bot(env=slack_env(slack_api)) as bot:
        yield bot


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A Redis key prefix of this test's own (the local Redis, db 1), emptied afterwards."""
    prefix = f"osteotest{uuid.uuid4().hex[:8]}"  # Rasa takes only letters and digits
    yield prefix
    client = redis.Redis(host="127.0.0.1", port=6379, db=1)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


# --- Slack's side -------------------------------------------------------------------------


def new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:10].upper()


def new_ts() -> str:
    return f"{time.time():.6f}"


def post(
    bot: Bot, body: bytes, headers: dict[str, str] | None = None, **sign: Any
) -> requests.Response:
    headers = signed_headers(SECRET, body, **sign) if headers is None else headers
    return requests.post(bot.url + WEBHOOK, data=body, headers=headers, timeout=10)


def send_event(bot: Bot, event: dict[str, Any], **headers: str) -> requests.Response:
    """An Events API delivery of `event`, as Slack sends it."""
    envelope = {
        "token": "deprecated-verification-token",
        "team_id": "TFAKE",
        "api_app_id": "AFAKE",
        "type": "event_callback",
        "event_id": new_id("Ev"),
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "TFAKE", "user_id": BOT_USER_ID, "is_bot": True}],
        "event": event,
    }
    body = json.dumps(envelope).encode()
    return post(bot, body, signed_headers(SECRET, body) | headers)


def dm(text: str, user: str, channel: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "channel": channel,
        "text": text,
        "ts": new_ts(),
        **fields,
    }


def mention(text: str, user: str, channel: str, **fields: Any) -> dict[str, Any]:
    text = f"<@{BOT_USER_ID}> {text}"
    return {
        "type": "app_mention",
        "user": user,
        "channel": channel,
        "text": text,
        "ts": new_ts(),
        **fields,
    }


def press_button(bot: Bot, value: str, user: str, channel: str, **message: str) -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "tester", "team_id": "TFAKE"},
        "api_app_id": "AFAKE",
        "trigger_id": new_id("trigger."),
        "container": {"type": "message", "channel_id": channel, "message_ts": new_ts()},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "bot_id": "BFAKEBOT01", "ts": new_ts(), **message},
        "actions": [
            {
                "type": "button",
                "action_id": "button_1",
                "block_id": "b1",
                "value": value,
                "text": {"type": "plain_text", "text": "Fosamax"},
                "action_ts": new_ts(),
            }
        ],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    answer = post(bot, body, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200


def says(words: str) -> Any:
    return lambda call: words in call.params.get("text", "")


def texts(posts: list[ApiCall]) -> list[str]:
    return [p.params.get("text", "") for p in posts]


def wait_for_calcium_answer(
    bot: Bot, api: FakeSlackApi, user: str, channel: str, **fields: Any
) -> list[ApiCall]:
    """Ask in the same conversation and wait for the answer; the posts to `channel` then.

    Messages of one conversation are answered in order, so anything an earlier request
    made the bot post to this conversation has been posted by then."""
    assert send_event(bot, dm(CALCIUM_QUESTION, user, channel, **fields)).status_code == 200
    api.wait_for_post(says(CALCIUM_ANSWER), channel)
    return api.posts(channel)


# --- Tests --------------------------------------------------------------------------------


def test_url_verification_is_answered_with_the_challenge(slack_bot: Bot) -> None:
    body = json.dumps({"token": "t", "challenge": "3eZbrw1aBm2rZg", "type": "url_verification"})

    answer = post(slack_bot, body.encode())

    assert answer.status_code == 200
    assert answer.json() == {"challenge": "3eZbrw1aBm2rZg"}


def test_a_dm_gets_a_grounded_answer_with_block_kit_buttons(
    slack_bot: Bot, slack_api: FakeSlackApi
) -> None:
    user, channel = new_id("U"), new_id("D")

    assert send_event(slack_bot, dm(CAUSAL_QUESTION, user, channel)).status_code == 200

    answer = slack_api.wait_for_post(says("Source:"), channel)
    assert CAUSAL_ANSWER in answer.params["text"]
    assert answer.token == TOKEN
    assert "thread_ts" not in answer.params  # a top-level DM is answered top-level
    section, actions = answer.params["blocks"]
    assert section["type"] == "section"
    assert CAUSAL_ANSWER in section["text"]["text"]
    assert actions["type"] == "actions"
    assert [(b["type"], b["value"]) for b in actions["elements"]] == [
        ("button", "/ask_why_together"),
        ("button", "/ask_bisphosphonates"),
        ("button", "/feedback_helpful"),
        ("button", "/feedback_not_helpful"),
    ]
    assert len({b["action_id"] for b in actions["elements"]}) == 4


def test_an_answer_is_one_mrkdwn_message_with_a_quote_line_and_a_link_to_the_section(
    slack_bot: Bot, slack_api: FakeSlackApi, note: str
) -> None:
    user, channel = new_id("U"), new_id("D")

    send_event(slack_bot, dm(CAUSAL_QUESTION, user, channel))

    answer = slack_api.wait_for_post(says("Source:"), channel)
    lines = answer.params["text"].split("\n\n")
    assert lines[0].startswith("No.")
    assert lines[1].startswith(f"> {CAUSAL_ANSWER}")
    link = re.fullmatch(r"Source: <([^|>]+)\|([^>]+)>", lines[2])
    assert link is not None, lines[2]
    url, label = link.groups()
    # No PUBLIC_BASE_URL here: the address Slack's request came in on.
    assert url.startswith(f"{slack_bot.url}/chat/article/osteoporosis-and-hair-loss?quote=")
    assert url.endswith("#is-there-a-direct-causal-link")
    assert label == "Osteoporosis and Hair Loss, section “Is There a Direct Causal Link?”"
    assert lines[3] == note
    assert answer.params["unfurl_links"] is False
    assert answer.params["blocks"][0]["text"]["text"] == answer.params["text"]
    assert slack_api.wait_for_posts(1, channel) == [answer]  # one message, nothing after it
    page = requests.get(url, timeout=10)
    assert '<section id="is-there-a-direct-causal-link">' in page.text


def test_a_button_press_gets_a_grounded_answer_in_the_same_channel(
    slack_bot: Bot, slack_api: FakeSlackApi
) -> None:
    user, channel = new_id("U"), new_id("D")

    press_button(slack_bot, "/ask_bisphosphonates", user, channel)

    answer = slack_api.wait_for_post(says("Source:"), channel)
    assert "Specifically, the class of drugs known as bisphosphonates" in answer.params["text"]
    assert "thread_ts" not in answer.params


def test_a_button_press_in_a_thread_is_answered_in_that_thread(
    slack_bot: Bot, slack_api: FakeSlackApi
) -> None:
    user, channel, thread = new_id("U"), new_id("C"), new_ts()

    press_button(slack_bot, "/ask_bisphosphonates", user, channel, thread_ts=thread)

    answer = slack_api.wait_for_post(says("Source:"), channel)
    assert answer.params["thread_ts"] == thread


def test_a_message_in_a_thread_is_answered_in_that_thread(
    slack_bot: Bot, slack_api: FakeSlackApi
) -> None:
    user, channel, thread = new_id("U"), new_id("D"), new_ts()

    send_event(slack_bot, dm(CAUSAL_QUESTION, user, channel, thread_ts=thread))

    slack_api.wait_for_post(says("Source:"), channel)
    posts = slack_api.wait_for_posts(1, channel)  # one message: answer, quote, source, note
    assert [p.params.get("thread_ts") for p in posts] == [thread]


def test_a_mention_in_a_channel_is_answered_in_a_thread_under_it(
    slack_bot: Bot, slack_api: FakeSlackApi
) -> None:
    user, channel = new_id("U"), new_id("C")
    event = mention(CAUSAL_QUESTION, user, channel)

    send_event(slack_bot, event)

    answer = slack_api.wait_for_post(says("Source:"), channel)
    assert CAUSAL_ANSWER in answer.params["text"]
    assert answer.params["thread_ts"] == event["ts"]


def test_every_message_in_slack_channel_is_answered_but_not_elsewhere(
    slack_bot: Bot, slack_api: FakeSlackApi
) -> None:
    user, elsewhere = new_id("U"), new_id("C")
    in_channel = dm(CAUSAL_QUESTION, user, ANSWER_ALL_IN, channel_type="channel")
    not_for_the_bot = dm(CAUSAL_QUESTION, user, elsewhere, channel_type="channel")

    send_event(slack_bot, in_channel)
    send_event(slack_bot, not_for_the_bot)

    answer = slack_api.wait_for_post(
        lambda c: c.params.get("thread_ts") == in_channel["ts"] and says("Source:")(c),
        ANSWER_ALL_IN,
    )
    assert CAUSAL_ANSWER in answer.params["text"]
    # The conversation the ignored message would have started: a thread under it.
    after = wait_for_calcium_answer(
        slack_bot,
        slack_api,
        user,
        elsewhere,
        channel_type="channel",
        thread_ts=not_for_the_bot["ts"],
        type="app_mention",
    )
    assert not any(CAUSAL_ANSWER in t for t in texts(after))


@pytest.mark.parametrize(
    ("signing", "why"),
    [
        pytest.param({"secret": "not-the-secret"}, "match", id="forged"),
        pytest.param({"age": 6 * 60}, "5 minutes", id="stale"),
        pytest.param({"age": -6 * 60}, "5 minutes", id="future"),
        pytest.param({"unsigned": True}, "missing", id="unsigned"),
    ],
)
def test_a_request_not_signed_by_slack_is_refused_and_not_answered(
    slack_bot: Bot, slack_api: FakeSlackApi, signing: dict[str, Any], why: str
) -> None:
    user, channel = new_id("U"), new_id("D")
    event = dm(CAUSAL_QUESTION, user, channel)
    body = json.dumps({"type": "event_callback", "event_id": new_id("Ev"), "event": event}).encode()
    if signing.get("unsigned"):
        headers = {"Content-Type": "application/json"}
    else:
        stamp = int(time.time()) - signing.get("age", 0)
        headers = signed_headers(signing.get("secret", SECRET), body, stamp)

    answer = post(slack_bot, body, headers)

    assert answer.status_code == 401
    assert why in answer.json()["error"]
    after = wait_for_calcium_answer(slack_bot, slack_api, user, channel)
    assert not any(CAUSAL_ANSWER in t for t in texts(after))


def test_a_retried_event_is_answered_once_whatever_the_reason(
    slack_bot: Bot, slack_api: FakeSlackApi
) -> None:
    user, channel = new_id("U"), new_id("D")
    envelope = {
        "type": "event_callback",
        "event_id": new_id("Ev"),
        "authorizations": [{"user_id": BOT_USER_ID, "is_bot": True}],
        "event": dm(CAUSAL_QUESTION, user, channel),
    }
    body = json.dumps(envelope).encode()

    assert post(slack_bot, body).status_code == 200
    for retry, reason in [("1", "http_timeout"), ("2", "http_error"), ("3", "unknown_error")]:
        headers = signed_headers(SECRET, body)
        headers |= {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": reason}
        assert post(slack_bot, body, headers).status_code == 200

    after = wait_for_calcium_answer(slack_bot, slack_api, user, channel)
    assert sum(CAUSAL_ANSWER in t for t in texts(after)) == 1


def test_slack_gets_its_200_at_once_while_the_answer_is_slow(
    slack_bot: Bot, slack_api: FakeSlackApi
) -> None:
    user, channel = new_id("U"), new_id("D")

    # Each Web API call takes longer than Slack waits for its 200.
    with slack_api.slow(3.5):
        started = time.monotonic()
        answer = send_event(slack_bot, dm(CAUSAL_QUESTION, user, channel))
        acknowledged = time.monotonic() - started
        first_post = slack_api.wait_for_posts(1, channel)[0]

    assert answer.status_code == 200
    assert acknowledged < 1.0  # well before Slack gives up (and retries) at 3 s
    assert first_post.at - started >= 3.5  # the answer was still on its way


def test_an_event_acknowledged_just_before_a_crash_is_answered_once_after_the_restart(
    slack_api: FakeSlackApi, tmp_path: Path, redis_prefix: str
) -> None:
    """As with several processes: the journal in Redis (LOCK_STORE=redis)."""
    user, channel = new_id("U"), new_id("D")
    shared = slack_env(slack_api) | {"LOCK_STORE": "redis", "REDIS_KEY_PREFIX": redis_prefix}
    store = tmp_path / "tracker.db"
    # The answer waits 5 s (a test-only setting): time to kill the server before it.
    slow = shared | {"CHANNEL_REPLY_DELAY_SECONDS": "5"}
    with running_bot(env=slow, sqlite_path=store) as crashing:
        assert send_event(crashing, dm(CAUSAL_QUESTION, user, channel)).status_code == 200
        crashing.kill_rasa()
    assert slack_api.posts(channel) == []

    with running_bot(env=shared, sqlite_path=store) as restarted:
        slack_api.wait_for_post(says(CAUSAL_ANSWER), channel, timeout=60)
        after = wait_for_calcium_answer(restarted, slack_api, user, channel)
        assert "answering 1 update(s) left unanswered" in restarted.log()
    assert sum(CAUSAL_ANSWER in t for t in texts(after)) == 1


def test_bot_messages_and_edits_are_not_answered(slack_bot: Bot, slack_api: FakeSlackApi) -> None:
    user, channel = new_id("U"), new_id("D")
    own = dm(CAUSAL_QUESTION, BOT_USER_ID, channel, bot_id="BFAKEBOT01")
    other_bot = dm(CAUSAL_QUESTION, user, channel, subtype="bot_message", bot_id="BOTHER")
    edited = dm("", user, channel, subtype="message_changed", hidden=True)
    edited["message"] = {"type": "message", "user": user, "text": CAUSAL_QUESTION}
    deleted = dm("", user, channel, subtype="message_deleted", hidden=True)

    for event in (own, other_bot, edited, deleted):
        assert send_event(slack_bot, event).status_code == 200

    after = wait_for_calcium_answer(slack_bot, slack_api, user, channel)
    assert not any(CAUSAL_ANSWER in t for t in texts(after))


def test_a_file_without_text_gets_the_non_text_reply(
    slack_bot: Bot, slack_api: FakeSlackApi, responses: dict[str, str]
) -> None:
    user, channel = new_id("U"), new_id("D")
    photo = dm(
        "", user, channel, subtype="file_share", files=[{"id": "F1", "mimetype": "image/png"}]
    )

    send_event(slack_bot, photo)

    reply = escape_mrkdwn(responses["utter_non_text_message"])
    assert slack_api.wait_for_post(says(reply), channel)


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        pytest.param(b'{"type": "event_callback", "event"', "application/json", 400, id="cut-json"),
        pytest.param(b"[1, 2]", "application/json", 400, id="json-list"),
        pytest.param(b"", "application/json", 400, id="empty"),
        pytest.param(b'{"type": "url_verification"}', "application/json", 400, id="no-challenge"),
        pytest.param(
            b'{"type": "event_callback", "event": {"type": "message"}}',
            "application/json",
            400,
            id="no-event-id",
        ),
        pytest.param(
            b"payload=%7B%22type", "application/x-www-form-urlencoded", 400, id="bad-form"
        ),
        pytest.param(b"nothing=here", "application/x-www-form-urlencoded", 400, id="no-payload"),
        pytest.param(b"<event/>", "text/xml", 415, id="xml"),
    ],
)
def test_a_malformed_request_gets_a_client_error_never_a_server_error(
    slack_bot: Bot, body: bytes, content_type: str, status: int
) -> None:
    answer = post(slack_bot, body, content_type=content_type)

    assert answer.status_code == status
    assert "error" in answer.json()


def test_without_a_bot_token_the_bot_runs_and_the_slack_endpoint_answers_503(bot: Bot) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c"}).encode()

    answer = post(bot, body)

    assert answer.status_code == 503
    assert "SLACK_BOT_TOKEN" in answer.json()["error"]
    assert "Slack channel off: SLACK_BOT_TOKEN is empty" in bot.log()
    assert any("Source:" in m.get("text", "") for m in bot.send("slack-off", CAUSAL_QUESTION))


def test_a_bot_token_without_a_signing_secret_stops_start_up_with_a_clear_error() -> None:
    env = {
        **os.environ,
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "",
    }
    process = subprocess.Popen(
        [str(ROOT / "scripts" / "run.sh")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    assert process.returncode != 0
    assert "SLACK_SIGNING_SECRET is empty" in output
