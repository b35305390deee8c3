"""How one answer looks on each channel: the responses' Markdown turned into what the
widget, Telegram, Slack and REST clients show (channels/text.py), without a server."""

from __future__ import annotations

import asyncio
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from channels.text import (
    PUBLIC_BASE_URL,
    absolute_url,
    as_markdown,
    as_slack_mrkdwn,
    as_telegram_html,
    citation_parts,
    citation_with_absolute_urls,
    public_base_url,
)

ANSWER = (
    "Possibly, but rarely. Fosamax can cause hair loss.\n\n"
    "> Specifically, bisphosphonates such as alendronate (Fosamax) are <rare> & reported.\n\n"
    "Source: [Osteoporosis and Hair Loss, section “Medication”]"
    "(/chat/article/osteoporosis-and-hair-loss?quote=Specifically#medication)"
)
BASE = "https://bot.example.org"
LINK = f"{BASE}/chat/article/osteoporosis-and-hair-loss?quote=Specifically#medication"


@pytest.fixture(autouse=True)
def no_public_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PUBLIC_BASE_URL, raising=False)


# --- Telegram: HTML --------------------------------------------------------------------------


class Tags(HTMLParser):
    """The elements of an HTML fragment, with their attributes and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.found: list[tuple[str, dict[str, str | None], str]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append(tag)
        self.found.append((tag, dict(attrs), ""))

    def handle_endtag(self, tag: str) -> None:
        assert self.open.pop() == tag

    def handle_data(self, data: str) -> None:
        self.text += data
        if self.open:
            tag, attrs, text = next(f for f in reversed(self.found) if f[0] == self.open[-1])
            index = max(i for i, f in enumerate(self.found) if f[0] == self.open[-1])
            self.found[index] = (tag, attrs, text + data)


def parsed(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    tags.close()
    assert not tags.open, "every tag is closed"
    return tags


def test_telegram_gets_the_quote_as_a_blockquote_and_the_source_as_an_absolute_link() -> None:
    html = as_telegram_html(ANSWER, BASE)
    tags = parsed(html)

    assert [t for t, _, _ in tags.found] == ["blockquote", "a"]
    blockquote, link = tags.found
    assert blockquote[2] == (
        "Specifically, bisphosphonates such as alendronate (Fosamax) are <rare> & reported."
    )
    assert link[1] == {"href": LINK}
    assert link[2] == "Osteoporosis and Hair Loss, section “Medication”"
    assert html.startswith("Possibly, but rarely. Fosamax can cause hair loss.\n")
    # What the user reads: the answer, the quotation, the source (markup gone, text kept).
    assert "&lt;rare&gt; &amp; reported" in html


def test_telegram_escapes_everything_that_is_not_markup() -> None:
    html = as_telegram_html('<b>bold?</b> & "quotes" <a href="x">', BASE)

    assert html == '&lt;b&gt;bold?&lt;/b&gt; &amp; "quotes" &lt;a href="x"&gt;'
    assert parsed(html).found == []


def test_telegram_shows_a_site_relative_link_without_a_base_as_its_text_only() -> None:
    html = as_telegram_html("See [the article](/chat/article/x#y).", None)

    assert html == "See the article."


@pytest.mark.parametrize(
    "url", ["javascript:alert%281%29", "//evil.example/x", "data:text/html,hi", "ftp://x/y"]
)
def test_no_channel_links_anything_but_http_or_this_site(url: str) -> None:
    text = f"[click]({url})"

    assert as_telegram_html(text, BASE) == "click"
    assert as_slack_mrkdwn(text, BASE) == "click"
    assert as_markdown(text, BASE) == "click"


def test_bold_is_b_in_telegram_and_a_star_in_slack() -> None:
    assert as_telegram_html("**Fosamax** & co", None) == "<b>Fosamax</b> &amp; co"
    assert as_slack_mrkdwn("**Fosamax** & co", None) == "*Fosamax* &amp; co"
    assert as_markdown("**Fosamax** & co") == "**Fosamax** & co"


# --- Slack: mrkdwn ---------------------------------------------------------------------------


def test_slack_gets_the_quote_as_a_quote_line_and_the_source_as_a_url_text_link() -> None:
    mrkdwn = as_slack_mrkdwn(ANSWER, BASE)

    assert mrkdwn.split("\n") == [
        "Possibly, but rarely. Fosamax can cause hair loss.",
        "",
        "> Specifically, bisphosphonates such as alendronate (Fosamax) are &lt;rare&gt; "
        "&amp; reported.",
        "",
        f"Source: <{LINK}|Osteoporosis and Hair Loss, section “Medication”>",
    ]


def test_slack_escapes_control_characters_outside_links() -> None:
    assert as_slack_mrkdwn("<@U1> & <!channel> > x", BASE) == (
        "&lt;@U1&gt; &amp; &lt;!channel&gt; &gt; x"
    )


# --- The widget and REST: Markdown -------------------------------------------------------------


def test_the_widget_keeps_the_markdown_and_site_relative_links() -> None:
    assert as_markdown(ANSWER) == ANSWER


def test_rest_and_an_embedded_widget_get_absolute_links() -> None:
    markdown = as_markdown(ANSWER, BASE)

    assert markdown == ANSWER.replace("(/chat/article/", f"({BASE}/chat/article/")


def test_public_base_url_wins_over_the_request_and_loses_its_trailing_slash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert public_base_url("http://127.0.0.1:5005") == "http://127.0.0.1:5005"
    assert public_base_url(None) is None
    monkeypatch.setenv(PUBLIC_BASE_URL, "https://faq.example.org/")
    assert public_base_url("http://127.0.0.1:5005") == "https://faq.example.org"


def test_absolute_urls_are_kept_and_site_relative_ones_put_on_the_base() -> None:
    assert absolute_url("https://x.org/a", BASE) == "https://x.org/a"
    assert absolute_url("/chat/article/a#b", BASE) == f"{BASE}/chat/article/a#b"
    assert absolute_url("/chat/article/a#b", None) == "/chat/article/a#b"
    assert absolute_url("javascript:x", BASE) is None


def test_an_answers_custom_parts_are_recognised_and_get_absolute_urls() -> None:
    parts = {
        "answer": "Yes.",
        "quote": "Q.",
        "document": "d",
        "title": "T",
        "section": "“S”",
        "url": "/chat/article/d?quote=Q.#s",
        "citations": [{"url": "/chat/article/d#t"}],
    }

    assert citation_parts(parts) == parts
    assert citation_parts({"blocks": []}) is None
    assert citation_parts("text") is None
    resolved = citation_with_absolute_urls(parts, BASE)
    assert resolved["url"] == f"{BASE}/chat/article/d?quote=Q.#s"
    assert resolved["citations"] == [{"url": f"{BASE}/chat/article/d#t"}]


# --- The domain's answers, as Rasa renders them --------------------------------------------------


def rendered(response: str, slots: dict[str, Any], **variables: Any) -> str:
    """`response` as Rasa's own response generator fills it in, with these slots set."""
    from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))
    tracker = DialogueStateTracker.from_events(
        "u", [SlotSet(k, v) for k, v in slots.items()], slots=domain.slots
    )
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    message = asyncio.run(nlg.generate(response, tracker, "socketio", **variables))
    assert message is not None
    return str(message["text"])


CITED = {  # what actions.messages.cite sends
    "preface": "",
    "answer": "Yes.",
    "quote": "A sentence.",
    "title": "Osteoporosis and Hair Loss",
    "section": "“Medication Side Effects and Hair Loss”",
    "document": "osteoporosis-and-hair-loss",
    "link": "/chat/article/osteoporosis-and-hair-loss#medication-side-effects-and-hair-loss",
}


def test_the_first_answer_carries_the_note_and_later_ones_do_not() -> None:
    first = rendered("utter_grounded_answer", {}, **CITED)
    later = rendered("utter_grounded_answer", {"disclaimer_shown": True}, **CITED)

    assert first == (
        "Yes.\n\n> A sentence.\n\nSource: [Osteoporosis and Hair Loss, section "
        "“Medication Side Effects and Hair Loss”]"
        f"({CITED['link']})\n\n"
        "(General information from an article, not medical advice or a diagnosis.)"
    )
    assert later == first.split("\n\n(General")[0]


def test_what_goes_before_an_answer_opens_the_same_message() -> None:
    from actions.messages import preface

    refusal = preface("utter_personal_advice")
    text = rendered(
        "utter_neutral_answer",
        {"disclaimer_shown": True},
        **{**CITED, "preface": refusal, "topic": "steroids"},
    )

    assert text.startswith("I can't advise you on your own treatment")
    assert text.index("I can't advise") < text.index("Here is what the article says")
    assert text.index("Here is what the article says") < text.index("> A sentence.")
    assert "{" not in text
