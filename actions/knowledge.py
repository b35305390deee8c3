"""The knowledge base: documents under data/knowledge/ and the answers grounded in them.

Plain Python, no Rasa. Everything is loaded once per process (`load_knowledge` is
cached) and validated on load: an answer that quotes a sentence the document does not
contain is an error, so editing an article cannot silently break grounding.

`data/knowledge/` holds any number of documents. A document is `<name>.md`: YAML front
matter (title, source), then `## Heading` sections of plain paragraphs. Its answers and
tips are in `<name>.entries.yml`, and every quote there must stand verbatim in that
document, in the section the entry names; a quote knows its document and section, so
citations name both. (Words of its own for the answerability decision are in
`<name>.vocabulary.yml`: actions/concepts.py.)
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "data" / "knowledge"
ENTRIES_SUFFIX = ".entries.yml"

# A sentence ends at . ! or ? followed by white space and a capital letter or digit.
_SENTENCE_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])")


def read_yaml(text: str) -> Any:
    """YAML, parsed by libyaml when PyYAML has it (ten times faster than pure Python)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class KnowledgeError(ValueError):
    """The knowledge files are inconsistent (bad reference, misquoted sentence...)."""


@dataclass(frozen=True)
class Section:
    heading: str
    text: str
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    source: str
    sections: tuple[Section, ...]

    def section_of(self, sentence: str) -> Section | None:
        """The section whose text contains `sentence` verbatim."""
        return next((s for s in self.sections if sentence in s.text), None)

    def quote_of(self, sentence: str) -> Quote | None:
        """`sentence` as a quote of this document, if it stands here verbatim."""
        section = self.section_of(sentence)
        return Quote(sentence, self, section) if section is not None else None


@dataclass(frozen=True)
class Quote:
    """A sentence copied verbatim from a document, with where it stands."""

    text: str
    document: Document
    section: Section


@dataclass(frozen=True)
class QuotesFor:
    name: str
    words: tuple[str, ...]
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class Entry:
    id: str
    intent: str
    label: str
    # How a neutral lead and a partial answer name it ("steroids (glucocorticoids)").
    topic: str
    subjects: tuple[str, ...]
    aspect: str
    # Our one-line statement of what the quotes say.
    summary: str
    quotes: tuple[Quote, ...]
    more: tuple[Quote, ...]
    related: tuple[str, ...]
    # "Yes." / "No." / "Possibly, but rarely.": only for a yes/no question that names one
    # concept of each `verdict_for` group (actions/answerability.py).
    verdict: str = ""
    verdict_for: tuple[tuple[str, ...], ...] = ()
    # The quotes for a question in certain words ("what lifestyle changes help?": the
    # lifestyle sentences, not the nutrition ones; "is there a direct link?": the
    # sentence on a direct relationship).
    quotes_for: tuple[QuotesFor, ...] = ()

    def quotes_about(self, words: Sequence[str], asked: Collection[str]) -> tuple[Quote, ...]:
        """The quotes of the first `quotes_for` whose words the question's `words` use;
        one named after a subject of the entry only when no other subject is `asked`.
        Else the entry's quotes."""
        text = f" {' '.join(words)} "
        for special in self.quotes_for:
            others = set(self.subjects) - {special.name} if special.name in self.subjects else set()
            if not others & set(asked) and any(f" {w} " in text for w in special.words):
                return special.quotes
        return self.quotes

    @property
    def document(self) -> Document:
        return self.quotes[0].document

    @property
    def sentences(self) -> tuple[Quote, ...]:
        """Every sentence the entry may quote: its quotes, then its further sentences."""
        return self.quotes + self.more


@dataclass(frozen=True)
class Tip:
    id: str
    focus: str
    tip: str
    # The sentence the tip stands on, then any the article sets beside it as advice
    # ("Adequate intake of calcium and protein is foundational.").
    quote: Quote
    also: tuple[Quote, ...] = ()

    @property
    def quotes(self) -> tuple[Quote, ...]:
        """Its sentences in the order the article has them."""
        sections = self.quote.document.sections
        return tuple(
            sorted(
                (self.quote, *self.also),
                key=lambda q: (sections.index(q.section), q.section.sentences.index(q.text)),
            )
        )


@dataclass(frozen=True)
class Passage:
    """One retrievable sentence and the entries that quote it (quotes first)."""

    quote: Quote
    entry_ids: tuple[str, ...]


class KnowledgeBase:
    def __init__(
        self,
        documents: dict[str, Document],
        entries: list[Entry],
        tips: list[Tip],
    ) -> None:
        self.documents = documents
        self.entries: dict[str, Entry] = {}
        self.by_intent: dict[str, Entry] = {}
        for entry in entries:
            if entry.id in self.entries:
                raise KnowledgeError(f"duplicate entry id {entry.id!r}")
            if entry.intent in self.by_intent:
                raise KnowledgeError(f"intent {entry.intent!r} answers two entries")
            self.entries[entry.id] = entry
            self.by_intent[entry.intent] = entry
        for entry in entries:
            unknown = [r for r in entry.related if r not in self.entries]
            if unknown:
                raise KnowledgeError(f"entry {entry.id!r}: unknown related {unknown}")
        self.tips = tuple(tips)

    def find(self, subject: str, aspect: str | None = None) -> Entry | None:
        """The first entry about `subject` (with `aspect`, when given)."""
        for entry in self.entries.values():
            if subject in entry.subjects and aspect in (None, entry.aspect):
                return entry
        return None

    def entry_quoting(self, quote: Quote) -> Entry | None:
        """The first entry that quotes `quote` (among its quotes, else its further ones)."""
        for sentences in ("quotes", "more"):
            for entry in self.entries.values():
                if quote in getattr(entry, sentences):
                    return entry
        return None

    def quote_for(self, sentence: str, document: str | None = None) -> Quote | None:
        """The quote of a sentence that stands verbatim in `document` (by id), or in the
        first document that has it when none is named."""
        documents = [self.documents[document]] if document in self.documents else []
        quotes = (d.quote_of(sentence) for d in documents or self.documents.values())
        return next((q for q in quotes if q is not None), None)

    def passages(self) -> Iterator[Passage]:
        """Every sentence of every document, linked to the entries quoting it."""
        # By document and sentence: two documents may share a sentence, not its entries.
        quoted: dict[tuple[str, str], list[str]] = {}
        for entry in self.entries.values():
            for quote in entry.quotes:
                quoted.setdefault((quote.document.id, quote.text), []).append(entry.id)
        for entry in self.entries.values():
            for quote in entry.more:
                quoted.setdefault((quote.document.id, quote.text), []).append(entry.id)
        for document in self.documents.values():
            for section in document.sections:
                for sentence in section.sentences:
                    yield Passage(
                        Quote(sentence, document, section),
                        tuple(dict.fromkeys(quoted.get((document.id, sentence), ()))),
                    )


def split_sentences(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in _SENTENCE_BOUNDARY.split(text) if s.strip())


def parse_document(doc_id: str, markdown: str) -> Document:
    """Parse front matter and `## ` sections; paragraphs keep their exact text."""
    match = re.match(r"---\n(.*?)\n---\n", markdown, re.DOTALL)
    if not match:
        raise KnowledgeError(f"{doc_id}: missing YAML front matter")
    meta = read_yaml(match.group(1)) or {}
    if not meta.get("title"):
        raise KnowledgeError(f"{doc_id}: front matter needs a title")
    sections: list[Section] = []
    heading: str | None = None
    paragraphs: list[str] = []

    def close() -> None:
        if heading is not None and paragraphs:
            text = "\n".join(paragraphs)
            sentences = tuple(s for paragraph in paragraphs for s in split_sentences(paragraph))
            sections.append(Section(heading, text, sentences))

    for line in markdown[match.end() :].splitlines():
        if line.startswith("## "):
            close()
            heading, paragraphs = line[3:].strip(), []
        elif line.strip():
            if heading is None:
                raise KnowledgeError(f"{doc_id}: text before the first '## ' heading")
            paragraphs.append(line.strip())
    close()
    if not sections:
        raise KnowledgeError(f"{doc_id}: no sections")
    return Document(doc_id, str(meta["title"]), str(meta.get("source", "")), tuple(sections))


def _quote(document: Document, sentence: str, where: str, section: str = "") -> Quote:
    """`sentence` of `document`; when `section` is given, it must stand in that section."""
    quote = document.quote_of(sentence)
    if quote is None:
        raise KnowledgeError(f"{where}: not found verbatim in {document.id}.md: {sentence!r}")
    if section and quote.section.heading != section:
        raise KnowledgeError(
            f"{where}: stands in section {quote.section.heading!r} of {document.id}.md, "
            f"not {section!r}: {sentence!r}"
        )
    return quote


def _entry(document: Document, raw: dict[str, Any]) -> Entry:
    where = f"entry {raw.get('id')!r}"
    section = str(raw.get("section") or "")
    quotes = tuple(_quote(document, s, where, section) for s in raw.get("quotes") or ())
    if not quotes:
        raise KnowledgeError(f"{where}: needs at least one quote")
    return Entry(
        id=raw["id"],
        intent=raw["intent"],
        label=raw["label"],
        topic=raw.get("topic") or raw["label"],
        subjects=tuple(raw.get("subjects") or ()),
        aspect=raw.get("aspect", ""),
        summary=raw["summary"].strip(),
        quotes=quotes,
        more=tuple(_quote(document, s, where) for s in raw.get("more") or ()),
        related=tuple(raw.get("related") or ()),
        verdict=str(raw.get("verdict") or "").strip(),
        verdict_for=tuple(tuple(str(c) for c in group) for group in raw.get("verdict_for") or ()),
        quotes_for=_quotes_for(document, raw, where),
    )


def _quotes_for(document: Document, raw: dict[str, Any], where: str) -> tuple[QuotesFor, ...]:
    found = []
    for name, special in (raw.get("quotes_for") or {}).items():
        words = tuple(str(w).lower() for w in special.get("words") or ())
        quotes = tuple(_quote(document, s, where) for s in special.get("quotes") or ())
        if not words or not quotes:
            raise KnowledgeError(f"{where}: quotes_for {name!r} needs words and quotes")
        found.append(QuotesFor(str(name), words, quotes))
    return tuple(found)


def _tip(document: Document, raw: dict[str, Any]) -> Tip:
    where, section = f"tip {raw.get('id')!r}", str(raw.get("section") or "")
    quote = _quote(document, raw["quote"], where, section)
    also = tuple(_quote(document, s, where, section) for s in raw.get("also") or ())
    return Tip(raw["id"], raw["focus"], raw["tip"].strip(), quote, also)


def load_directory(directory: Path) -> KnowledgeBase:
    documents: dict[str, Document] = {}
    entries: list[Entry] = []
    tips: list[Tip] = []
    for path in sorted(directory.glob("*.md")):
        documents[path.stem] = parse_document(path.stem, path.read_text("utf-8"))
    for path in sorted(directory.glob("*" + ENTRIES_SUFFIX)):
        raw = read_yaml(path.read_text("utf-8")) or {}
        doc_id = raw.get("document") or path.name[: -len(ENTRIES_SUFFIX)]
        if doc_id not in documents:
            raise KnowledgeError(f"{path.name}: no document {doc_id}.md")
        document = documents[doc_id]
        entries += [_entry(document, e) for e in raw.get("entries") or ()]
        tips += [_tip(document, t) for t in raw.get("tips") or ()]
    if not documents:
        raise KnowledgeError(f"no documents in {directory}")
    return KnowledgeBase(documents, entries, tips)


@cache
def load_knowledge() -> KnowledgeBase:
    """The knowledge base, parsed and validated once per process."""
    return load_directory(KNOWLEDGE_DIR)
