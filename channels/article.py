"""The articles the bot answers from, as pages people can open: /chat/article/<document>.

An answer's source link points at the section its quote stands in
(`/chat/article/<document>?quote=<fingerprint>#<section anchor>`); the page marks the
quoted sentence so a visitor reads it in its context. A fingerprint (a short hash of the
sentence) keeps links short; a sentence edited since the link was sent is not marked.
The link is made here and the page that answers it is rendered here, so the two cannot
disagree about anchors.

Plain Python (no Rasa, no Sanic): the chat page's blueprint (channels/webchat.py) serves
it and the actions (actions/messages.py) build their links with `article_link`. Every
`data/knowledge/<document>.md` is served; each page is rendered from its file once.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "data" / "knowledge"
ARTICLE_PATH = "/chat/article/"
# A document id is a file name without `.md`: no dots, slashes or other surprises.
DOCUMENT_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
FRONT_MATTER = re.compile(r"---\n(.*?)\n---\n", re.DOTALL)
QUOTE_PARAMETER = "quote"
MAX_QUOTES = 5
# Where a sentence may end; a quoted sentence is one or more of the pieces between.
_PIECE_END = re.compile(r"(?<=[.!?])\s+")


def anchor(heading: str) -> str:
    """The section's anchor: its heading in lower case, words joined by '-'
    ("Is There a Direct Causal Link?" -> "is-there-a-direct-causal-link")."""
    decomposed = unicodedata.normalize("NFKD", heading)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))  # é -> e
    return re.sub(r"[^a-z0-9]+", "-", bare.lower()).strip("-") or "section"


def fingerprint(sentence: str) -> str:
    """A short stand-in for `sentence` in a link."""
    return hashlib.sha256(sentence.encode("utf-8")).hexdigest()[:10]


def article_link(document: str, heading: str, quotes: Iterable[str] = ()) -> str:
    """The site-relative link to `heading` in `document`, marking `quotes` there."""
    query = "&".join(f"{QUOTE_PARAMETER}={fingerprint(q)}" for q in quotes)
    return f"{ARTICLE_PATH}{document}{'?' + query if query else ''}#{anchor(heading)}"


@dataclass(frozen=True)
class Article:
    title: str
    source: str
    # (heading, paragraphs) in order
    sections: tuple[tuple[str, tuple[str, ...]], ...]


def article_file(document: str, directory: Path = KNOWLEDGE_DIR) -> Path | None:
    """The file of `document`, if it is a document id and its file is in `directory`."""
    if not DOCUMENT_ID.fullmatch(document):
        return None
    path = directory / f"{document}.md"
    if not path.is_file() or path.resolve().parent != directory.resolve():
        return None
    return path


def parse_article(markdown: str) -> Article:
    """Front matter (title, source) and `## ` sections of paragraphs."""
    match = FRONT_MATTER.match(markdown)
    meta = yaml.safe_load(match.group(1)) if match else {}
    meta = meta if isinstance(meta, dict) else {}
    body = markdown[match.end() :] if match else markdown
    sections: list[tuple[str, list[str]]] = []
    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        if block.startswith("## "):
            sections.append((block[3:].strip(), []))
        elif block:
            if not sections:
                sections.append(("", []))
            sections[-1][1].append(" ".join(block.split("\n")))
    return Article(
        title=str(meta.get("title") or ""),
        source=str(meta.get("source") or ""),
        sections=tuple((h, tuple(p)) for h, p in sections),
    )


@lru_cache(maxsize=64)
def _article(path: Path, modified: float) -> Article:
    return parse_article(path.read_text("utf-8"))


def load_article(document: str, directory: Path = KNOWLEDGE_DIR) -> Article | None:
    """The article `document`, or None if there is none (read once per file version)."""
    path = article_file(document, directory)
    return _article(path, path.stat().st_mtime) if path else None


def _marked(paragraph: str, wanted: set[str]) -> str:
    """The paragraph as HTML, each sentence whose fingerprint is `wanted` in <mark>."""
    pieces = _PIECE_END.split(paragraph)
    out, at = [], 0
    while at < len(pieces):
        for end in range(len(pieces), at, -1):  # the longest run of pieces first
            run = " ".join(pieces[at:end])
            if fingerprint(run) in wanted:
                out.append(f'<mark class="quote">{html.escape(run, quote=False)}</mark>')
                at = end
                break
        else:
            out.append(html.escape(pieces[at], quote=False))
            at += 1
    return " ".join(out)


def render_article(article: Article, marked: Iterable[str] = ()) -> str:
    """The article as a page readable on a phone: one <section id=anchor> per heading,
    the sentences with the fingerprints `marked` (at most MAX_QUOTES) in <mark>."""
    wanted = {m for m in marked if m}
    wanted = set(sorted(wanted)[:MAX_QUOTES])
    title = html.escape(article.title or "Article")
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        '<link rel="icon" href="data:,">',
        '<link rel="stylesheet" href="/chat/article.css">',
        "</head><body>",
        '<nav><a href="/chat/">← Back to the chat</a></nav>',
        f"<main><h1>{title}</h1>",
    ]
    used: set[str] = set()
    for heading, paragraphs in article.sections:
        slug = anchor(heading)
        while slug in used:  # two sections with one heading still get two anchors
            slug += "-2"
        used.add(slug)
        parts.append(f'<section id="{slug}">')
        if heading:
            parts.append(f'<h2><a href="#{slug}">{html.escape(heading)}</a></h2>')
        parts.extend(f"<p>{_marked(p, wanted)}</p>" for p in paragraphs)
        parts.append("</section>")
    if article.source:
        parts.append(f'<p class="source">Source: {html.escape(article.source)}</p>')
    parts.append("</main></body></html>")
    return "\n".join(parts)
