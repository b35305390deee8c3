"""The website widget, driven in headless Chromium the way a visitor uses it.

The page is the one `make run` serves (/chat/), talking to the real bot over socket.io.
Screenshots land in artifacts/ (not committed) for a human to look at.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from scripts.servers import ROOT, Bot, free_port, running_bot

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
# Chromium as root in a container, with no network beyond loopback (see FACTS.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
QUESTION = "does osteoporosis cause hair loss?"
CAUSAL_SENTENCE = "The physical process of bone weakening itself"
SOURCE = "Source: Osteoporosis and Hair Loss, section"
WAIT_MS = 15_000

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), (
        "Chromium is missing: `make test` installs it (apt-get install chromium)"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visitor:
    """One browser tab on the chat page, with what the page did behind the scenes."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.outside_requests: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", self._on_request)

    def _on_dialog(self, dialog: object) -> None:
        self.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    def _on_request(self, request: object) -> None:
        url: str = request.url  # type: ignore[attr-defined]
        if not url.startswith((self.url, "data:")):
            self.outside_requests.append(url)

    def open(self) -> None:
        self.page.goto(f"{self.url}/chat/")
        # The widget greets a new visitor; a returning one sees the conversation so far.
        expect(self.bot_messages.first).to_be_visible(timeout=WAIT_MS)

    @property
    def bot_messages(self):  # type: ignore[no-untyped-def]
        return self.page.locator(".rw-response")

    @property
    def user_messages(self):  # type: ignore[no-untyped-def]
        return self.page.locator(".rw-client")

    def ask(self, text: str) -> None:
        box = self.page.locator(".rw-new-message")
        box.fill(text)
        box.press("Enter")

    def wait_for_answers(self, count: int):  # type: ignore[no-untyped-def]
        """The bot messages that cite a source, once there are `count` of them."""
        answers = self.bot_messages.filter(has_text=SOURCE)
        expect(answers).to_have_count(count, timeout=WAIT_MS)
        return answers

    def session_id(self) -> str:
        stored = self.page.evaluate("sessionStorage.getItem('chat_session')")
        match = re.search(r'"session_id":"([^"]+)"', stored or "")
        assert match, f"no session id stored: {stored!r}"
        return match.group(1)

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def visitor(browser: Browser, bot: Bot) -> Iterator[Visitor]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield Visitor(context.new_page(), bot.url)
    context.close()


@pytest.fixture
def phone_visitor(browser: Browser, bot: Bot) -> Iterator[Visitor]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield Visitor(context.new_page(), bot.url)
    context.close()


def test_a_question_a_suggestion_and_a_reload(visitor: Visitor) -> None:
    visitor.open()
    expect(visitor.bot_messages.first).to_contain_text("Hello!")

    visitor.ask(QUESTION)
    # While the answer is on its way the widget shows that the bot is typing.
    expect(visitor.page.locator(".rw-typing-indication")).to_be_attached(timeout=WAIT_MS)
    answer = visitor.wait_for_answers(1)
    expect(answer).to_contain_text("Is There a Direct Causal Link?")
    expect(visitor.bot_messages.filter(has_text=CAUSAL_SENTENCE)).to_have_count(1)

    # The answer's follow-up suggestions are buttons; pressing one asks it.
    suggestion = visitor.page.locator(".rw-reply", has_text="Can Fosamax cause hair loss?")
    expect(suggestion).to_be_visible(timeout=WAIT_MS)
    suggestion.click()
    answers = visitor.wait_for_answers(2)
    expect(answers.nth(1)).to_contain_text("Medication Side Effects and Hair Loss")
    expect(visitor.user_messages.last).to_have_text("Can Fosamax cause hair loss?")
    visitor.screenshot("webchat-desktop")

    # A reload keeps the conversation: the same session, the history on screen, and the
    # bot still knows what was last said ("where does it say that?" cites Fosamax's section).
    session = visitor.session_id()
    visitor.page.reload()
    expect(visitor.bot_messages.filter(has_text=CAUSAL_SENTENCE)).to_have_count(1)
    visitor.wait_for_answers(2)
    assert visitor.session_id() == session
    visitor.ask("where does it say that?")
    expect(visitor.bot_messages.last).to_contain_text(
        "That comes from Osteoporosis and Hair Loss, "
        "section “Medication Side Effects and Hair Loss”",
        timeout=WAIT_MS,
    )

    assert visitor.dialogs == [] and visitor.errors == []
    assert visitor.outside_requests == [], "the page loaded something from another server"


def test_markup_in_a_message_is_shown_as_text_and_never_runs(visitor: Visitor) -> None:
    attack = "<img src=x onerror=alert(1)>"
    visitor.open()
    visitor.ask(attack)

    expect(visitor.user_messages.last).to_have_text(attack)
    # The bot has answered (it declines: the article does not cover it), so the page has
    # had every chance to run the markup.
    expect(visitor.bot_messages.last).to_contain_text("doctor", timeout=WAIT_MS)
    assert visitor.page.locator("#webchat img[src='x']").count() == 0
    assert visitor.dialogs == [], "an injected script ran"
    assert visitor.errors == []


def test_a_phone_sized_screen_and_only_the_keyboard(phone_visitor: Visitor) -> None:
    page = phone_visitor.page
    phone_visitor.open()
    chat = page.locator("#webchat").bounding_box()
    assert chat is not None and chat["width"] >= 380, "the chat does not fill the phone's width"

    # Tab to the message box, type, Enter.
    box = page.locator(".rw-new-message")
    for _ in range(20):
        if box.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("the message box cannot be reached with the Tab key")
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    phone_visitor.wait_for_answers(1)

    # The suggestion buttons are reachable and pressable by keyboard too.
    suggestion = page.locator(".rw-reply", has_text="Can Fosamax cause hair loss?")
    expect(suggestion).to_be_visible(timeout=WAIT_MS)
    box.focus()
    for _ in range(20):  # backwards from the message box to the suggestions above it
        page.keyboard.press("Shift+Tab")
        if suggestion.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the suggestion buttons cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    phone_visitor.wait_for_answers(2)
    answer_box = phone_visitor.bot_messages.last.bounding_box()
    assert answer_box is not None and answer_box["x"] + answer_box["width"] <= 390
    phone_visitor.screenshot("webchat-phone")
    assert phone_visitor.errors == []


def readme_embed_snippet() -> str:
    """The HTML the README tells other websites to paste."""
    readme = (ROOT / "README.md").read_text("utf-8")
    [snippet] = re.findall(r"```html\n(.*?)```", readme, re.S)
    return snippet


@pytest.fixture
def other_website(tmp_path: Path) -> Iterator[str]:
    """A page on another origin (another port) with the README's snippet pasted in, and a
    bot started, as the README says, with that origin in CORS_ORIGINS."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    with running_bot(env={"CORS_ORIGINS": origin}) as embedded:
        snippet = readme_embed_snippet().replace("https://bot.example.org", embedded.url)
        (tmp_path / "index.html").write_text(
            f"<!doctype html><html><body><h1>A clinic's website</h1>{snippet}</body></html>",
            "utf-8",
        )
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield origin
        server.shutdown()
        server.server_close()


def test_the_readme_snippet_embeds_the_widget_in_another_website(
    visitor: Visitor, other_website: str
) -> None:
    page = visitor.page
    page.goto(f"{other_website}/")
    page.locator(".rw-launcher").click()  # the snippet shows a chat button in the corner
    expect(visitor.bot_messages.first).to_contain_text("Hello!", timeout=WAIT_MS)
    visitor.ask(QUESTION)
    visitor.wait_for_answers(1)
    assert visitor.errors == []
