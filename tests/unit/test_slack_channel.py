"""The Slack channel's decisions, without servers: which requests are Slack's, which
messages are answered (once, in order, in which conversation and thread), and what is
posted back (escaped text, Block Kit buttons)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from rasa.core.channels.channel import UserMessage
from rasa.shared.exceptions import InvalidConfigException
from sanic.compat import Header
from sanic.request import Request

from channels.delivery import Inbox, RecentKeys, SqliteJournal
from channels.slack import (
    BUTTON_TITLE_MAX_CHARS,
    DEFAULT_API_URL,
    NON_TEXT_MESSAGE,
    SECTION_MAX_CHARS,
    SlackInput,
    SlackOutput,
    incoming_from_block_actions,
    incoming_from_event,
    message_payload,
    signature_error,
    user_text,
)
from channels.text import escape_mrkdwn
from tests.conftest import PROJECT_DIR
from tests.fakes.slack_api import signed_headers

# Slack's documented example (api.slack.com/authentication/verifying-requests-from-slack).
DOC_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
DOC_TIMESTAMP = "1531420618"
DOC_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
    b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
    b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
    b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
    b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
DOC_NOW = float(DOC_TIMESTAMP)

BOT = "UBOT"
SECRET = "test-signing-secret"
ANSWER = (
    "No. The article says: “The physical process of bone weakening itself does not "
    "biologically cause hair follicles to fail.” Source: Osteoporosis and Hair Loss."
)


# --- Signatures ---------------------------------------------------------------------------


def test_slacks_documented_example_is_valid() -> None:
    assert signature_error(DOC_SECRET, DOC_TIMESTAMP, DOC_SIGNATURE, DOC_BODY, DOC_NOW) is None


@pytest.mark.parametrize("age", [-300, 0, 299, 300])
def test_a_signature_is_valid_within_five_minutes_either_way(age: int) -> None:
    now = DOC_NOW + age
    assert signature_error(DOC_SECRET, DOC_TIMESTAMP, DOC_SIGNATURE, DOC_BODY, now) is None


@pytest.mark.parametrize(
    ("secret", "timestamp", "signature", "body", "now", "reason"),
    [
        pytest.param(
            DOC_SECRET,
            DOC_TIMESTAMP,
            DOC_SIGNATURE,
            DOC_BODY,
            DOC_NOW + 301,
            "5 minutes",
            id="stale",
        ),
        pytest.param(
            DOC_SECRET,
            DOC_TIMESTAMP,
            DOC_SIGNATURE,
            DOC_BODY,
            DOC_NOW - 301,
            "5 minutes",
            id="future",
        ),
        pytest.param(
            "another-secret",
            DOC_TIMESTAMP,
            DOC_SIGNATURE,
            DOC_BODY,
            DOC_NOW,
            "match",
            id="other-secret",
        ),
        pytest.param(
            DOC_SECRET,
            DOC_TIMESTAMP,
            DOC_SIGNATURE,
            DOC_BODY + b"&x=1",
            DOC_NOW,
            "match",
            id="body-changed",
        ),
        pytest.param(
            DOC_SECRET,
            "1531420619",
            DOC_SIGNATURE,
            DOC_BODY,
            DOC_NOW,
            "match",
            id="timestamp-changed",
        ),
        pytest.param(
            DOC_SECRET,
            DOC_TIMESTAMP,
            DOC_SIGNATURE[:-1] + "4",
            DOC_BODY,
            DOC_NOW,
            "match",
            id="signature-changed",
        ),
        pytest.param(
            DOC_SECRET,
            DOC_TIMESTAMP,
            DOC_SIGNATURE.removeprefix("v0="),
            DOC_BODY,
            DOC_NOW,
            "match",
            id="no-version",
        ),
        pytest.param(
            DOC_SECRET,
            DOC_TIMESTAMP,
            "v0=é",
            DOC_BODY,
            DOC_NOW,
            "match",
            id="non-ascii",
        ),
        pytest.param(DOC_SECRET, None, DOC_SIGNATURE, DOC_BODY, DOC_NOW, "missing", id="no-ts"),
        pytest.param(DOC_SECRET, DOC_TIMESTAMP, None, DOC_BODY, DOC_NOW, "missing", id="no-sig"),
        pytest.param(
            DOC_SECRET, "yesterday", DOC_SIGNATURE, DOC_BODY, DOC_NOW, "Unix time", id="bad-ts"
        ),
    ],
)
def test_a_request_not_signed_by_slack_now_is_refused_with_the_reason(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float, reason: str
) -> None:
    error = signature_error(secret, timestamp, signature, body, now)

    assert error is not None
    assert reason in error


def test_the_test_fake_signs_as_slack_does() -> None:
    headers = signed_headers(DOC_SECRET, DOC_BODY, int(DOC_TIMESTAMP))

    assert headers["X-Slack-Signature"] == DOC_SIGNATURE


# --- What users typed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slack_text", "typed"),
    [
        ("<@UBOT> does osteoporosis cause hair loss?", "does osteoporosis cause hair loss?"),
        ("does fosamax thin hair <@UBOT>", "does fosamax thin hair"),
        ("hey <@UBOT|osteo-bot>, what is alopecia?", "hey , what is alopecia?"),
        ("<@UBOT>", ""),
        ("ask <@UOTHER> too", "ask <@UOTHER> too"),
        ("calcium &lt; 1000 mg &amp; vitamin D &gt; 600", "calcium < 1000 mg & vitamin D > 600"),
        ("typed &amp;lt; literally", "typed &lt; literally"),
        ("see <https://example.org/a|example.org> ok", "see example.org ok"),
        ("see <https://example.org/a>", "see https://example.org/a"),
        ("mail <mailto:a@b.org|a@b.org>", "mail a@b.org"),
        ("in <#C123|health>", "in #health"),
        ("  many\n spaces  ", "many spaces"),
    ],
)
def test_user_text_is_what_was_typed_without_the_bots_mention(slack_text: str, typed: str) -> None:
    assert user_text(slack_text, [BOT]) == typed


# --- Which events are answered, in which conversation and thread -------------------------


def envelope(event_id: str = "Ev1", **event: Any) -> dict[str, Any]:
    defaults = {"type": "message", "user": "U1", "channel": "D1", "ts": "100.1"}
    return {
        "type": "event_callback",
        "event_id": event_id,
        "authorizations": [{"user_id": BOT, "is_bot": True}],
        "event": {**defaults, "channel_type": "im", "text": "hello", **event},
    }


def test_a_top_level_dm_is_answered_top_level_in_the_users_dm_conversation() -> None:
    incoming = incoming_from_event(envelope(text="does osteoporosis cause hair loss?"), None)

    assert incoming is not None
    assert incoming.text == "does osteoporosis cause hair loss?"
    assert (incoming.channel, incoming.thread_ts) == ("D1", None)
    assert incoming.sender_id == "U1:D1"


def test_a_dm_in_a_thread_is_answered_in_that_thread_as_its_own_conversation() -> None:
    incoming = incoming_from_event(envelope(ts="105.5", thread_ts="100.1"), None)

    assert incoming is not None
    assert incoming.thread_ts == "100.1"
    assert incoming.sender_id == "U1:D1:100.1"


def test_a_top_level_mention_in_a_channel_is_answered_in_a_thread_under_it() -> None:
    event = {"type": "app_mention", "channel": "C1", "ts": "200.2", "text": "<@UBOT> hi there"}
    mention = envelope(**event)
    del mention["event"]["channel_type"]  # app_mention events have none

    incoming = incoming_from_event(mention, None)

    assert incoming is not None
    assert incoming.text == "hi there"
    assert incoming.thread_ts == "200.2"
    assert incoming.sender_id == "U1:C1:200.2"


def test_a_mention_in_a_thread_stays_in_that_thread() -> None:
    event = envelope(type="app_mention", channel="C1", ts="250.0", thread_ts="200.2")

    incoming = incoming_from_event(event, None)

    assert incoming is not None
    assert incoming.thread_ts == "200.2"


def test_every_message_in_the_configured_channel_is_answered() -> None:
    event = envelope(channel="C9", channel_type="channel", ts="300.3")

    assert incoming_from_event(event, "C9") is not None
    assert incoming_from_event(event, None) is None
    assert incoming_from_event(event, "C8") is None


def test_a_mention_seen_as_message_and_as_app_mention_has_one_message_key() -> None:
    as_message = envelope("Ev1", channel="C9", channel_type="channel", ts="300.3")
    as_mention = envelope("Ev2", type="app_mention", channel="C9", ts="300.3")
    first, second = incoming_from_event(as_message, "C9"), incoming_from_event(as_mention, "C9")

    assert first is not None and second is not None
    assert set(first.keys) & set(second.keys) == {"message:C9:300.3"}


@pytest.mark.parametrize(
    "event",
    [
        pytest.param({"bot_id": "B1", "subtype": "bot_message"}, id="bot-message"),
        pytest.param({"bot_id": "B1"}, id="bot-id"),
        pytest.param({"user": BOT}, id="own-user"),
        pytest.param({"subtype": "message_changed", "hidden": True}, id="edited"),
        pytest.param({"subtype": "message_deleted"}, id="deleted"),
        pytest.param({"subtype": "channel_join"}, id="join"),
        pytest.param({"type": "reaction_added"}, id="reaction"),
        pytest.param({"user": None}, id="no-user"),
        pytest.param({"channel": 42}, id="bad-channel"),
        pytest.param({"ts": None}, id="no-ts"),
        pytest.param({"channel": "C1", "channel_type": "channel"}, id="other-channel"),
    ],
)
def test_what_is_not_a_users_message_to_the_bot_is_ignored(event: dict[str, Any]) -> None:
    assert incoming_from_event(envelope(**event), None) is None


def test_a_file_without_text_is_forwarded_as_a_non_text_message() -> None:
    event = envelope(subtype="file_share", text="", files=[{"id": "F1"}])

    incoming = incoming_from_event(event, None)

    assert incoming is not None
    assert incoming.text == NON_TEXT_MESSAGE


def test_a_file_with_a_question_is_answered_as_the_question() -> None:
    event = envelope(subtype="file_share", text="is this hair loss?", files=[{"id": "F1"}])

    incoming = incoming_from_event(event, None)

    assert incoming is not None
    assert incoming.text == "is this hair loss?"


def test_a_blank_mention_is_forwarded_blank() -> None:
    incoming = incoming_from_event(envelope(type="app_mention", text="<@UBOT>"), None)

    assert incoming is not None
    assert incoming.text == ""


# --- Button presses -----------------------------------------------------------------------


def press(value: Any = "/ask_bisphosphonates", **message: Any) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "trigger_id": "T123",
        "user": {"id": "U1"},
        "channel": {"id": "D1"},
        "message": {"ts": "101.0", **message},
        "actions": [{"type": "button", "action_id": "button_1", "value": value}],
    }


def test_a_button_press_is_the_users_message_in_the_same_conversation() -> None:
    incoming = incoming_from_block_actions(press())

    assert incoming is not None
    assert incoming.text == "/ask_bisphosphonates"
    assert (incoming.channel, incoming.thread_ts, incoming.sender_id) == ("D1", None, "U1:D1")


def test_a_button_press_in_a_thread_is_answered_in_that_thread() -> None:
    incoming = incoming_from_block_actions(press(thread_ts="100.1"))

    assert incoming is not None
    assert incoming.thread_ts == "100.1"
    assert incoming.sender_id == "U1:D1:100.1"


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(press(value=None), id="link-button"),
        pytest.param({**press(), "actions": []}, id="no-action"),
        pytest.param({**press(), "actions": [{"type": "static_select"}]}, id="select"),
        pytest.param({**press(), "channel": None}, id="modal"),
        pytest.param({**press(), "user": "U1"}, id="bad-user"),
    ],
)
def test_other_interactions_are_ignored(payload: dict[str, Any]) -> None:
    assert incoming_from_block_actions(payload) is None


# --- What is posted -----------------------------------------------------------------------


def test_mrkdwn_control_characters_are_escaped_and_quotes_kept() -> None:
    text = "Take < 4,000 IU & see “Vitamin D” > nothing <@U1> &amp;"

    assert escape_mrkdwn(text) == (
        "Take &lt; 4,000 IU &amp; see “Vitamin D” &gt; nothing &lt;@U1&gt; &amp;amp;"
    )


def test_a_text_answer_is_posted_as_escaped_text() -> None:
    assert message_payload("A & B") == {"text": "A &amp; B", "unfurl_links": False}


def test_buttons_become_block_kit_buttons_with_their_payloads() -> None:
    buttons = [
        {"title": "Why together?", "payload": "/ask_why_together"},
        {"title": "Fosamax", "payload": '/ask_bisphosphonates{"medication": "fosamax"}'},
    ]

    message = message_payload(ANSWER + " <3", buttons)

    section, actions = message["blocks"]
    assert message["text"] == escape_mrkdwn(ANSWER + " <3")
    assert section == {"type": "section", "text": {"type": "mrkdwn", "text": message["text"]}}
    assert actions["type"] == "actions"
    assert [(b["type"], b["text"]["text"], b["value"]) for b in actions["elements"]] == [
        ("button", "Why together?", "/ask_why_together"),
        ("button", "Fosamax", '/ask_bisphosphonates{"medication": "fosamax"}'),
    ]
    assert len({b["action_id"] for b in actions["elements"]}) == 2


def test_buttons_are_kept_within_slacks_limits() -> None:
    buttons = [{"title": f"Option {i} " + "x" * 100, "payload": f"/p{i}"} for i in range(30)]
    buttons.append({"title": "Too long", "payload": "/" + "x" * 3000})

    message = message_payload("y" * (SECTION_MAX_CHARS + 10), buttons)

    sections = [b for b in message["blocks"] if b["type"] == "section"]
    actions = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [len(s["text"]["text"]) for s in sections] == [SECTION_MAX_CHARS, 10]
    assert [len(a["elements"]) for a in actions] == [25, 5]
    titles = [e["text"]["text"] for a in actions for e in a["elements"]]
    assert max(len(t) for t in titles) == BUTTON_TITLE_MAX_CHARS
    assert len({e["action_id"] for a in actions for e in a["elements"]}) == 30


class RecordingClient:
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []

    async def chat_postMessage(self, **params: Any) -> None:  # slack_sdk's name
        self.posts.append(params)


@pytest.mark.parametrize("thread_ts", [None, "100.1"])
def test_the_output_posts_to_its_channel_and_thread(thread_ts: str | None) -> None:
    client = RecordingClient()
    output = SlackOutput(client, "D1", thread_ts)  # type: ignore[arg-type]

    asyncio.run(
        output.send_response(
            "U1:D1", {"text": "a < b", "buttons": [{"title": "T", "payload": "/p"}]}
        )
    )

    [post] = client.posts
    assert post["channel"] == "D1"
    assert post.get("thread_ts") == thread_ts
    assert post["text"] == "a &lt; b"
    assert post["blocks"][1]["elements"][0]["value"] == "/p"


# --- Configuration ------------------------------------------------------------------------


def test_a_bot_token_without_a_signing_secret_stops_start_up() -> None:
    with pytest.raises(InvalidConfigException, match="SLACK_SIGNING_SECRET"):
        SlackInput.from_credentials({"bot_token": "fake-bot-token", "signing_secret": ""})


@pytest.mark.parametrize(
    "credentials",
    [None, {}, {"bot_token": None}, {"bot_token": "", "signing_secret": "", "api_url": ""}],
)
def test_without_a_bot_token_the_channel_is_off(credentials: dict[str, Any] | None) -> None:
    channel = SlackInput.from_credentials(credentials)

    assert isinstance(channel, SlackInput)
    assert not channel.enabled


def test_the_channel_reads_its_settings_and_defaults_to_slacks_api() -> None:
    channel = SlackInput.from_credentials(
        {"bot_token": "fake-bot-token", "signing_secret": "s", "channel": " C9 ", "api_url": ""}
    )

    assert isinstance(channel, SlackInput)
    assert (channel.enabled, channel.answer_all_in, channel.api_url) == (
        True,
        "C9",
        DEFAULT_API_URL,
    )
    assert channel.url_prefix() == "slack"


def test_an_api_url_that_is_not_http_stops_start_up() -> None:
    with pytest.raises(InvalidConfigException, match="SLACK_API_URL"):
        SlackInput("fake-bot-token", "s", api_url="slack.com/api")


# --- The webhook, request by request (no server: Sanic requests built directly) ----------


def slack_request(body: bytes, headers: dict[str, str]) -> Request:
    # No transport or app: `handle` reads only the headers and the body.
    request = Request(b"/webhooks/slack/webhook", Header(headers), "1.1", "POST", None, None)  # type: ignore[arg-type]
    request.body = body
    return request


def event_body(event_id: str = "Ev1", text: str = "hello", user: str = "U1") -> bytes:
    """A DM event; each event id is its own message (its own ts)."""
    ts = f"100.{event_id}"
    return json.dumps(envelope(event_id, text=text, user=user, ts=ts)).encode()


class Webhook:
    """The channel's `handle`, with the messages it hands to the bot recorded."""

    def __init__(self, answer_seconds: Callable[[str], float] = lambda _: 0) -> None:
        # The journal in memory: these tests restart nothing.
        inbox = Inbox("slack", RecentKeys(), SqliteJournal(":memory:", "slack"))
        self.channel = SlackInput(
            "fake-bot-token", SECRET, api_url="http://127.0.0.1:9/api/", inbox=inbox
        )
        self.received: list[UserMessage] = []
        self.answered: list[str] = []
        self.answer_seconds = answer_seconds

    async def on_new_message(self, message: UserMessage) -> None:
        self.received.append(message)
        await asyncio.sleep(self.answer_seconds(message.text or ""))
        self.answered.append(message.text or "")

    def post(self, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        request = slack_request(body, signed_headers(SECRET, body) if headers is None else headers)
        answer = self.channel.handle(request, self.on_new_message)
        return answer.status, json.loads(answer.body) if answer.body else None


def run(scenario: Callable[[Webhook], Awaitable[None]], webhook: Webhook | None = None) -> Webhook:
    """Run `scenario` on a loop (the channel answers in tasks), then close the channel."""
    webhook = webhook or Webhook()

    async def main() -> None:
        try:
            await scenario(webhook)
        finally:
            await webhook.channel.close()

    asyncio.run(main())
    return webhook


def test_a_signed_message_is_acknowledged_at_once_and_answered_afterwards() -> None:
    async def scenario(webhook: Webhook) -> None:
        assert webhook.post(event_body(text="does osteoporosis cause hair loss?")) == (200, None)
        assert webhook.received == []  # not yet: Slack has its answer first
        await webhook.channel.close()

    webhook = run(scenario)

    [message] = webhook.received
    assert (message.text, message.sender_id, message.input_channel) == (
        "does osteoporosis cause hair loss?",
        "U1:D1",
        "slack",
    )
    assert isinstance(message.output_channel, SlackOutput)
    assert (message.output_channel.channel, message.output_channel.thread_ts) == ("D1", None)


def test_an_event_is_written_down_before_its_200_and_struck_off_once_answered() -> None:
    def unanswered(webhook: Webhook) -> list[str]:
        entries = webhook.channel.inbox.journal.claim_unanswered(float("inf"))
        return [json.loads(payload)["event_callback"]["event_id"] for _, payload in entries]

    async def before_answering(webhook: Webhook) -> None:
        assert webhook.post(event_body("EvJournal"))[0] == 200
        assert unanswered(webhook) == ["EvJournal"]  # the answer has not even started

    async def after_answering(webhook: Webhook) -> None:
        assert webhook.post(event_body("EvJournal"))[0] == 200
        await webhook.channel.close()
        assert webhook.received and unanswered(webhook) == []

    run(before_answering)
    run(after_answering)


def test_a_retried_event_is_answered_once() -> None:
    async def scenario(webhook: Webhook) -> None:
        body = event_body("EvRetry")
        assert webhook.post(body)[0] == 200
        for retry, reason in [("1", "http_timeout"), ("2", "http_error"), ("3", "unknown")]:
            headers = signed_headers(SECRET, body)
            headers |= {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": reason}
            assert webhook.post(body, headers)[0] == 200

    assert len(run(scenario).received) == 1


def test_messages_of_one_conversation_are_answered_in_order() -> None:
    # The first message takes longest: answered concurrently, it would finish last.
    slow_first = Webhook(lambda text: {"first": 0.3, "second": 0.1}.get(text, 0))

    async def scenario(webhook: Webhook) -> None:
        webhook.post(event_body("Ev1", "first"))
        webhook.post(event_body("Ev2", "second"))
        webhook.post(event_body("Ev3", "third"))
        await webhook.channel.close()  # waits for the answers

    assert run(scenario, slow_first).answered == ["first", "second", "third"]


def test_conversations_do_not_wait_for_each_other() -> None:
    slow_alice = Webhook(lambda text: 0.3 if text == "alice" else 0)

    async def scenario(webhook: Webhook) -> None:
        webhook.post(event_body("Ev1", "alice", user="UALICE"))
        webhook.post(event_body("Ev2", "bob", user="UBOB"))
        await webhook.channel.close()

    assert run(scenario, slow_alice).answered == ["bob", "alice"]


def test_url_verification_echoes_the_challenge_as_json() -> None:
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9"})

    assert Webhook().post(body.encode()) == (200, {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9"})


def form(payload: Any) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "reason"),
    [
        pytest.param(b"{not json", "application/json", 400, "JSON", id="broken-json"),
        # Slack signs text: a body that is not UTF-8 cannot be checked (slack_sdk).
        pytest.param(b"\xff\xfe", "application/json", 401, "UTF-8", id="not-utf8"),
        pytest.param(b"", "application/json", 400, "JSON", id="empty"),
        pytest.param(b'["event"]', "application/json", 400, "JSON object", id="list"),
        pytest.param(
            b'{"type": "url_verification"}', "application/json", 400, "challenge", id="no-chal"
        ),
        pytest.param(
            b'{"type": "event_callback", "event": {}}',
            "application/json",
            400,
            "event_id",
            id="no-event-id",
        ),
        pytest.param(
            b'{"type": "event_callback", "event_id": "Ev1", "event": "hi"}',
            "application/json",
            400,
            "event",
            id="event-not-object",
        ),
        pytest.param(b"text=hi", FORM, 400, "payload", id="form-without-payload"),
        pytest.param(b"payload=%7Bnope", FORM, 400, "JSON", id="payload-not-json"),
        pytest.param(b"payload=1&payload=2", FORM, 400, "payload", id="two-payloads"),
        pytest.param(form([1]), FORM, 400, "JSON object", id="payload-list"),
        pytest.param(b"<xml/>", "text/xml", 415, "JSON", id="xml"),
    ],
)
def test_a_signed_body_that_cannot_be_understood_is_a_client_error(
    body: bytes, content_type: str, status: int, reason: str
) -> None:
    webhook = Webhook()

    code, answer = webhook.post(body, signed_headers(SECRET, body, content_type=content_type))

    assert code == status
    assert reason in answer["error"]
    assert webhook.received == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'{"type": "app_rate_limited"}', id="rate-limited"),
        pytest.param(json.dumps(envelope(subtype="message_changed")).encode(), id="edited-message"),
    ],
)
def test_events_the_bot_does_not_answer_are_acknowledged_quietly(body: bytes) -> None:
    webhook = Webhook()

    assert webhook.post(body) == (200, None)
    assert webhook.received == []


def test_a_request_with_a_bad_or_stale_signature_is_refused_and_not_processed() -> None:
    webhook = Webhook()
    body = event_body()

    forged = webhook.post(body, signed_headers("not-the-secret", body))
    stale = webhook.post(body, signed_headers(SECRET, body, timestamp=1_000_000_000))
    unsigned = webhook.post(body, {"Content-Type": "application/json"})

    assert [forged[0], stale[0], unsigned[0]] == [401, 401, 401]
    assert webhook.received == []
    seen = webhook.channel.inbox.seen
    assert isinstance(seen, RecentKeys) and len(seen) == 0  # a forged event blocks nothing


# --- The Slack app manifest ---------------------------------------------------------------


def test_the_manifest_sends_events_and_button_presses_to_the_webhook() -> None:
    manifest = yaml.safe_load((PROJECT_DIR / "slack" / "manifest.yml").read_text("utf-8"))
    settings = manifest["settings"]

    urls = {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert urls == {"https://YOUR-PUBLIC-HOST/webhooks/slack/webhook"}
    assert settings["interactivity"]["is_enabled"] is True
    assert {"app_mention", "message.im", "message.channels"} <= set(
        settings["event_subscriptions"]["bot_events"]
    )
    assert {"chat:write", "app_mentions:read", "im:history", "im:read", "im:write"} <= set(
        manifest["oauth_config"]["scopes"]["bot"]
    )
    assert manifest["features"]["bot_user"]["display_name"]
