"""Text between users and the bot, whichever channel carries it.

In: the user's text as the bot can handle it (`clean_text`).

Out: the bot's responses (domain.yml) are written in a small Markdown subset, the same
for every channel:
- a line starting with `> ` is a quotation (consecutive ones are one quotation),
- `[text](url)` is a link, its url absolute (`https://…`) or site-relative (`/chat/…`),
- `**text**` is bold.
Everything else is plain text. Each channel turns that into what its client shows:
Markdown for the widget and REST (`as_markdown`: links made absolute where the client
needs it), HTML for Telegram (`as_telegram_html`, everything else escaped) and mrkdwn for
Slack (`as_slack_mrkdwn`). A link whose url is neither is shown as its text only.

An answer also carries its parts as `custom` data (`citation_parts`), so that a REST
client can lay it out itself; the chat channels show the text and drop those parts.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

# A surrogate code point left alone ("\ud800" in a JSON body): JSON allows it, but no
# UTF-8 encoder does, and the message would get no reply.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"

QUOTE_MARK = "> "
_LINK = re.compile(r"\[([^\[\]\n]+)\]\(([^()\s]+)\)")
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")
_INLINE = re.compile(f"{_LINK.pattern}|{_BOLD.pattern}")

# The public address of this server (`https://bot.example.org`), for links sent to
# clients that need an absolute url; unset: the address the request came in on.
PUBLIC_BASE_URL = "PUBLIC_BASE_URL"

# The keys of an answer's `custom` data (actions/messages.py sends them).
CITATION_KEYS = ("answer", "quote", "document", "title", "section", "url")


def clean_text(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD (the "unknown character")."""
    return _LONE_SURROGATE.sub(REPLACEMENT, text)


# --- Links ----------------------------------------------------------------------------------


def public_base_url(request_base: str | None = None) -> str | None:
    """Where links point: PUBLIC_BASE_URL if set, else the request's own address."""
    configured = os.environ.get(PUBLIC_BASE_URL, "").strip()
    base = configured or (request_base or "").strip()
    return base.rstrip("/") or None


def request_base_url(request: Any) -> str:
    """`scheme://host` of a Sanic request (behind a proxy: what it forwarded)."""
    return f"{request.scheme}://{request.host}"


def absolute_url(url: str, base: str | None) -> str | None:
    """`url` as a client can open it: absolute urls as they are, site-relative ones on
    `base` (kept relative without one); None for anything else (`javascript:`, `//x`)."""
    if url.startswith("/") and not url.startswith("//"):
        return f"{base}{url}" if base else url
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return url
    return None


def _needs_absolute(base: str | None) -> Callable[[str], str | None]:
    """A link resolver for clients that cannot open site-relative links."""

    def resolve(url: str) -> str | None:
        resolved = absolute_url(url, base)
        return resolved if resolved and not resolved.startswith("/") else None

    return resolve


# --- The Markdown subset ----------------------------------------------------------------------


def _blocks(text: str) -> list[tuple[bool, list[str]]]:
    """`text` as runs of lines: (is_quotation, lines)."""
    runs: list[tuple[bool, list[str]]] = []
    for line in text.split("\n"):
        quoted = line.startswith(QUOTE_MARK) or line == ">"
        body = line[len(QUOTE_MARK) :] if line.startswith(QUOTE_MARK) else line
        if quoted and body == ">":
            body = ""
        if runs and runs[-1][0] == quoted:
            runs[-1][1].append(body)
        else:
            runs.append((quoted, [body]))
    return runs


def _inline(
    text: str,
    plain: Callable[[str], str],
    link: Callable[[str, str], str],
    bold: Callable[[str], str],
    resolve: Callable[[str], str | None],
) -> str:
    out, at = [], 0
    for match in _INLINE.finditer(text):
        out.append(plain(text[at : match.start()]))
        label, url, strong = match.groups()
        if strong is not None:
            out.append(bold(plain(strong)))
        else:
            target = resolve(url)
            out.append(link(plain(label), target) if target else plain(label))
        at = match.end()
    out.append(plain(text[at:]))
    return "".join(out)


def as_markdown(text: str, base: str | None = None, *, absolute: bool = False) -> str:
    """The widget's and REST's text: the Markdown as written, links resolved on `base`
    (only absolute ones kept if `absolute`)."""
    resolve = _needs_absolute(base) if absolute else (lambda url: absolute_url(url, base))

    def link(label: str, url: str) -> str:
        return f"[{label}]({url})"

    lines = []
    for quoted, run in _blocks(text):
        for line in run:
            body = _inline(line, str, link, lambda s: f"**{s}**", resolve)
            lines.append(f"{QUOTE_MARK}{body}" if quoted else body)
    return "\n".join(lines)


def as_telegram_html(text: str, base: str | None) -> str:
    """Telegram's `parse_mode: HTML`: quotations in <blockquote>, links as <a href>,
    every other character escaped. Telegram opens absolute links only."""

    def link(label: str, url: str) -> str:
        return f'<a href="{html.escape(url, quote=True)}">{label}</a>'

    def escape(s: str) -> str:
        return html.escape(s, quote=False)

    out = []
    for quoted, run in _blocks(text):
        body = "\n".join(
            _inline(line, escape, link, lambda s: f"<b>{s}</b>", _needs_absolute(base))
            for line in run
        )
        out.append(f"<blockquote>{body.strip()}</blockquote>" if quoted else body)
    return "\n".join(out)


def escape_mrkdwn(text: str) -> str:
    """Text shown as typed: Slack reads `<`, `>` and `&` as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def as_slack_mrkdwn(text: str, base: str | None) -> str:
    """Slack's mrkdwn: quotations as `>` lines, links as `<url|text>`, bold as `*text*`,
    every other `<`, `>` and `&` escaped. Slack opens absolute links only."""

    def link(label: str, url: str) -> str:
        return f"<{url.replace('|', '%7C').replace('>', '%3E')}|{label.replace('|', '¦')}>"

    lines = []
    for quoted, run in _blocks(text):
        for line in run:
            body = _inline(line, escape_mrkdwn, link, lambda s: f"*{s}*", _needs_absolute(base))
            lines.append(f">{body}" if quoted and not body else f"> {body}" if quoted else body)
    return "\n".join(lines)


# --- An answer's parts --------------------------------------------------------------------


def citation_parts(custom: Any) -> dict[str, Any] | None:
    """The parts of an answer (`custom` data with every key of CITATION_KEYS), if
    `custom` is that; None for any other custom payload."""
    if isinstance(custom, Mapping) and all(key in custom for key in CITATION_KEYS):
        return dict(custom)
    return None


def citation_with_absolute_urls(parts: Mapping[str, Any], base: str | None) -> dict[str, Any]:
    """`parts` (and the citations they list) with their urls resolved on `base`."""
    resolved = dict(parts)
    if isinstance(parts.get("url"), str):
        resolved["url"] = absolute_url(parts["url"], base)
    if isinstance(parts.get("citations"), list):
        resolved["citations"] = [
            citation_with_absolute_urls(c, base) if isinstance(c, Mapping) else c
            for c in parts["citations"]
        ]
    return resolved
