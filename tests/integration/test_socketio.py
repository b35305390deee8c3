"""The widget's socket.io channel, spoken to directly as the widget (or a bad client) would."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import socketio

from channels.rest import MAX_MESSAGE_CHARS
from scripts.servers import Bot

QUESTION = "does osteoporosis cause hair loss?"
CAUSAL_SENTENCE = "The physical process of bone weakening itself"
SOURCE = "Source: [Osteoporosis and Hair Loss, section"


class Widget:
    """A socket.io client doing what rasa-webchat does, over a websocket."""

    def __init__(self, url: str) -> None:
        self.client = socketio.SimpleClient()
        self.client.connect(url, socketio_path="/socket.io/", transports=["websocket"])
        self.received: list[dict] = []  # every bot_uttered event, as the widget gets it

    def request_session(self, session_id: object = None) -> str:
        self.client.emit("session_request", {"session_id": session_id})
        event, confirmed = self.client.receive(timeout=10)
        assert event == "session_confirm"
        return str(confirmed)

    def say(self, data: object) -> None:
        self.client.emit("user_uttered", data)

    def replies_until(self, last: str, timeout: float = 10) -> list[str]:
        """The bot's messages up to and including the first that contains `last`."""
        texts: list[str] = []
        while not texts or last not in texts[-1]:
            event, data = self.client.receive(timeout=timeout)
            if event == "bot_uttered":
                self.received.append(data)
                texts.append(data.get("text", ""))
        return texts

    def hears_nothing(self, seconds: float) -> bool:
        try:
            self.client.receive(timeout=seconds)
        except socketio.exceptions.TimeoutError:
            return True
        return False

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def widget(bot: Bot) -> Iterator[Widget]:
    client = Widget(bot.url)
    yield client
    client.close()


def test_a_session_keeps_its_conversation_on_a_new_connection(bot: Bot, widget: Widget) -> None:
    session = widget.request_session()
    widget.say({"message": QUESTION, "session_id": session})
    assert any(CAUSAL_SENTENCE in text for text in widget.replies_until(SOURCE))
    widget.close()

    again = Widget(bot.url)  # a reloaded page: a new socket, the stored session id
    try:
        assert again.request_session(session) == session
        again.say({"message": "where does it say that?", "session_id": session})
        [cited] = again.replies_until("That comes from")
        assert "Is There a Direct Causal Link?" in cited
    finally:
        again.close()


@pytest.mark.parametrize("odd", ["", "x", "../../etc/passwd", 42, {"a": 1}, "a" * 500])
def test_an_odd_session_id_gets_a_fresh_one(widget: Widget, odd: object) -> None:
    session = widget.request_session(odd)
    assert session != odd
    assert len(session) == 32 and session.isalnum()


def test_an_oversize_message_is_answered_not_classified(widget: Widget, responses: dict) -> None:
    session = widget.request_session()
    widget.say({"message": "bones " * (MAX_MESSAGE_CHARS // 6 + 1), "session_id": session})
    too_long = responses["utter_message_too_long"]
    assert widget.replies_until(too_long) == [too_long]


@pytest.mark.parametrize(
    "bad",
    [
        {"message": 42},
        {"message": None},
        ["not", "an", "object"],
        "just a string",
        {"message": "hello"},  # no session id
        {"message": "hello", "session_id": "short"},
    ],
    ids=["number", "null", "list", "string", "no-session", "bad-session"],
)
def test_malformed_events_are_ignored_and_the_channel_keeps_working(
    widget: Widget, bad: object, responses: dict
) -> None:
    session = widget.request_session()
    widget.say(bad)
    widget.say({"message": QUESTION, "session_id": session, "customData": "not json"})
    # Events are handled in order: had the bad one been answered, that reply would come
    # first. The first reply is the answer.
    replies = widget.replies_until(SOURCE)
    assert len(replies) == 1
    assert CAUSAL_SENTENCE in replies[0]


def test_an_answer_is_one_event_in_markdown_with_its_buttons_and_no_custom_payload(
    widget: Widget, note: str
) -> None:
    session = widget.request_session()
    widget.say({"message": QUESTION, "session_id": session})

    [answer] = widget.replies_until(SOURCE)
    assert widget.hears_nothing(seconds=0.5)  # no second event (e.g. the custom parts)
    (event,) = widget.received
    assert set(event) == {"text", "quick_replies"}
    paragraphs = answer.split("\n\n")
    assert paragraphs[0].startswith("No.")
    assert paragraphs[1].startswith(f"> {CAUSAL_SENTENCE}")
    # Site-relative: the page is on this server (PUBLIC_BASE_URL unset).
    assert "(/chat/article/osteoporosis-and-hair-loss?quote=" in paragraphs[2]
    assert paragraphs[2].endswith("#is-there-a-direct-causal-link)")
    assert paragraphs[3] == note
    assert [r["payload"] for r in event["quick_replies"]] == [
        "/ask_why_together",
        "/ask_bisphosphonates",
        "/feedback_helpful",
        "/feedback_not_helpful",
    ]


def test_two_sessions_do_not_hear_each_other(bot: Bot) -> None:
    first, second = Widget(bot.url), Widget(bot.url)
    try:
        one = first.request_session()
        second.request_session(uuid.uuid4().hex)
        first.say({"message": QUESTION, "session_id": one})
        assert any(CAUSAL_SENTENCE in text for text in first.replies_until(SOURCE))
        assert second.hears_nothing(seconds=0.5)
    finally:
        first.close()
        second.close()
