"""The website widget, driven in headless Chromium the way a visitor uses it.

The page is the one `make run` serves (/chat/), talking to the real bot over socket.io.
Screenshots land in artifacts/ (not committed) for a human to look at.
"""

from __future__ import annotations

import functools
import http.client
import http.server
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

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


DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ANSWER_LINK = "Osteoporosis and Hair Loss, section “Is There a Direct Causal Link?”"
ANCHOR = "is-there-a-direct-causal-link"


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def any_visitor(request: pytest.FixtureRequest, browser: Browser, bot: Bot) -> Iterator[Visitor]:
    phone = request.param == PHONE
    context = browser.new_context(viewport=request.param, is_mobile=phone, has_touch=phone)
    yield Visitor(context.new_page(), bot.url)
    context.close()


@pytest.fixture
def visitor(browser: Browser, bot: Bot) -> Iterator[Visitor]:
    context = browser.new_context(viewport=DESKTOP)
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
    expect(visitor.bot_messages.last.locator("blockquote")).to_contain_text("Fosamax")

    assert visitor.dialogs == [] and visitor.errors == []
    assert visitor.outside_requests == [], "the page loaded something from another server"


def test_an_answer_is_one_bubble_with_its_quote_a_link_to_its_section_and_the_note(
    any_visitor: Visitor,
) -> None:
    visitor, page = any_visitor, any_visitor.page
    visitor.open()
    # The widget's own greeting (web/widget.json "welcome"), with utter_greet's suggestions.
    welcome = json.loads((ROOT / "web" / "widget.json").read_text("utf-8"))["welcome"]
    expect(visitor.bot_messages.first).to_have_text(welcome)
    # The note is on screen before anything is asked, on a phone as on a desktop.
    expect(page.locator("#note")).to_be_in_viewport()
    expect(page.locator("#note")).to_contain_text("not a diagnosis")

    visitor.ask(QUESTION)
    answer = visitor.wait_for_answers(1)
    # One bubble: the greeting, then the whole answer, nothing in between or after.
    expect(visitor.bot_messages).to_have_count(2)
    expect(answer).to_contain_text("No.")
    quotation = answer.locator("blockquote")
    expect(quotation).to_have_count(1)
    expect(quotation).to_contain_text(CAUSAL_SENTENCE)
    expect(quotation).to_be_visible()
    expect(answer).to_contain_text("General information from an article, not medical advice")
    link = answer.get_by_role("link", name=ANSWER_LINK)
    expect(link).to_be_visible()
    box = answer.bounding_box()
    assert box is not None and box["x"] + box["width"] <= page.viewport_size["width"]  # type: ignore[index]

    # The link opens the article (in a new tab, as the widget opens links) at the
    # section, with the quoted sentence marked.
    with page.context.expect_page() as opened:
        link.click()
    article = opened.value
    article.wait_for_load_state()
    assert article.url.startswith(f"{visitor.url}/chat/article/osteoporosis-and-hair-loss?")
    assert article.url.endswith(f"#{ANCHOR}")
    expect(article.locator(f"#{ANCHOR}")).to_be_in_viewport()
    expect(article.locator(f"#{ANCHOR} h2")).to_have_text("Is There a Direct Causal Link?")
    marked = article.locator("mark.quote")
    expect(marked.first).to_contain_text(CAUSAL_SENTENCE)
    expect(marked.first).to_be_in_viewport()
    width = article.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "the article scrolls sideways"  # type: ignore[index]
    name = "phone" if page.viewport_size == PHONE else "desktop"
    visitor.screenshot(f"answer-{name}")
    article.screenshot(path=str(ARTIFACTS / f"article-{name}.png"))
    assert visitor.errors == []


def test_the_widget_takes_its_title_colours_and_opening_message_from_widget_json(
    visitor: Visitor,
) -> None:
    settings = json.loads((ROOT / "web" / "widget.json").read_text("utf-8"))
    settings.update(title="Bone & hair questions", subtitle="From the clinic's article")
    settings["colors"]["botBackground"] = "#ffeedd"
    settings["greeting"] = "/ask_bisphosphonates"  # opens with an answer instead

    def edited(route: Route) -> None:  # the file as a site owner edited it, no rebuild
        route.fulfill(status=200, content_type="application/json", body=json.dumps(settings))

    visitor.page.route("**/chat/widget.json", edited)
    visitor.open()

    # The embedded widget hides its own header: the page's shows the title and subtitle.
    expect(visitor.page.locator("header h1")).to_have_text("Bone & hair questions")
    expect(visitor.page.locator("header .intro")).to_have_text("From the clinic's article")
    expect(visitor.page).to_have_title("Bone & hair questions")
    expect(visitor.bot_messages.first).to_contain_text("Fosamax")
    bubble = visitor.page.locator(".rw-response .rw-message-text, .rw-response").first
    expect(bubble).to_have_css("background-color", "rgb(255, 238, 221)")


def test_the_served_widget_json_is_the_one_in_web(bot: Bot) -> None:
    served = requests.get(f"{bot.url}/chat/widget.json", timeout=10)

    assert served.status_code == 200
    assert served.json() == json.loads((ROOT / "web" / "widget.json").read_text("utf-8"))


@pytest.mark.parametrize(
    "path",
    [
        "/chat/article/no-such-article",
        "/chat/article/..%2F..%2FREADME",
        "/chat/article/%2E%2E",
        "/chat/article/../../README.md",
        "/chat/article/osteoporosis-and-hair-loss.entries",
        "/chat/article/vocabulary",
        "/chat/article/osteoporosis-and-hair-loss.md",
    ],
)
def test_only_articles_are_served_and_unknown_ones_are_404(bot: Bot, path: str) -> None:
    host, port = bot.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path)  # sent as written: no client-side normalising
    reply = connection.getresponse()
    body = reply.read().decode("utf-8", "replace")
    connection.close()

    assert reply.status == 404
    assert "osteoporosis" not in body.lower()


def test_an_article_page_has_every_section_as_an_anchor(bot: Bot) -> None:
    page = requests.get(f"{bot.url}/chat/article/osteoporosis-and-hair-loss", timeout=10)

    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert re.findall(r'<section id="([^"]+)">', page.text) == [
        "introduction",
        ANCHOR,
        "common-systemic-factors-linking-bone-and-hair-health",
        "medication-side-effects-and-hair-loss",
        "nutritional-strategies-for-bone-and-hair-resilience",
    ]


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
