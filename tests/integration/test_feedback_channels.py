"""The feedback buttons on every channel: under an answer in the web widget, Telegram
and Slack, and pressing one gets the feedback's reply in the same conversation. One bot
serves all three (Telegram and Slack against their loopback fakes)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from scripts.servers import Bot, running_bot
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration import test_slack as slack
from tests.integration import test_telegram as telegram
from tests.integration.test_webchat import WAIT_MS, Visitor, browser  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

THANKS = "glad it helped"
SORRY = "Sorry that didn't help"
FEEDBACK = ["/feedback_helpful", "/feedback_not_helpful"]


@pytest.fixture(scope="module")
def fakes() -> Iterator[tuple[FakeTelegramApi, FakeSlackApi]]:
    with (
        FakeTelegramApi(telegram.TOKEN, telegram.BOT_NAME) as telegram_api,
        FakeSlackApi(slack.TOKEN) as slack_api,
    ):
        yield telegram_api, slack_api


@pytest.fixture(scope="module")
def channels_bot(fakes: tuple[FakeTelegramApi, FakeSlackApi]) -> Iterator[Bot]:
    telegram_api, slack_api = fakes
    env = {**telegram.telegram_env(telegram_api), **slack.slack_env(slack_api)}
    with running_bot(env=env) as bot:
        yield bot


def test_telegram_shows_the_feedback_buttons_and_a_press_is_thanked(
    channels_bot: Bot, fakes: tuple[FakeTelegramApi, FakeSlackApi]
) -> None:
    api = fakes[0]
    chat_id = telegram.new_chat()
    assert telegram.post(channels_bot, telegram.message(chat_id, text=telegram.QUESTION)).ok
    answer = next(m for m in api.wait_for_text(chat_id, "Source:") if "Source:" in m.text)
    keys = [
        b["callback_data"] for row in answer.params["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert keys[-2:] == FEEDBACK

    press = telegram.press(answer, "/feedback_helpful", f"press-{uuid.uuid4().hex}")
    assert telegram.post(channels_bot, press).ok
    api.wait_for_text(chat_id, THANKS)


def test_slack_shows_the_feedback_buttons_and_a_press_gets_the_offer_to_rephrase(
    channels_bot: Bot, fakes: tuple[FakeTelegramApi, FakeSlackApi]
) -> None:
    api = fakes[1]
    user, channel = slack.new_id("U"), slack.new_id("D")
    assert slack.send_event(channels_bot, slack.dm(slack.CAUSAL_QUESTION, user, channel)).ok
    answer = api.wait_for_post(slack.says("Source:"), channel)
    buttons = [b["value"] for b in answer.params["blocks"][-1]["elements"]]
    assert buttons[-2:] == FEEDBACK

    slack.press_button(channels_bot, "/feedback_not_helpful", user, channel)
    reply = api.wait_for_post(slack.says("another way"), channel)
    assert "doctor" in reply.params["text"]


def test_the_widget_shows_the_feedback_buttons_and_a_press_is_thanked(
    browser: Browser,  # noqa: F811
    channels_bot: Bot,
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        visitor = Visitor(context.new_page(), channels_bot.url)
        visitor.open()
        visitor.ask(telegram.QUESTION)
        visitor.wait_for_answers(1)
        helpful = visitor.page.locator(".rw-reply", has_text=re.compile(r"^\s*Helpful\s*$"))
        expect(helpful).to_be_visible(timeout=WAIT_MS)
        expect(visitor.page.locator(".rw-reply", has_text="Not helpful")).to_be_visible()
        helpful.click()
        expect(visitor.bot_messages.last).to_contain_text(THANKS, timeout=WAIT_MS)
        assert visitor.errors == []
    finally:
        context.close()
