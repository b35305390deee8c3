"""BM25 ranking of the knowledge passages (plain Python, no Rasa).

The answerability decision (`actions/answerability.py`) takes the best-ranked sentences
as candidates beside the classifier's entries; whether one of them answers is decided
there, by what it covers, not by its score.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache, wraps
from typing import Any, TypeVar

import numpy as np
import snowballstemmer
from rank_bm25 import BM25Okapi

from actions.knowledge import Passage, load_knowledge

_WORD = re.compile(r"[a-z0-9]+")
# Function words and question frames that say nothing about the topic.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because
    been before being below between both but by can could did do does doing down during
    each few for from further had has have having he her here hers herself him himself
    his how i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours out over own same she should so some such than
    that the their theirs them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would
    you your yours yourself yourselves im ive dont doesnt cant isnt thing things get
    got really much many tell know please thanks hi hey help anything something lot
    way make made one ok okay well even still instead just""".split()  # noqa: SIM905
)
_STEMMER = snowballstemmer.stemmer("english")

# Texts up to this long are remembered (the article's sentences and the parts of a
# message are read again and again while one message is decided); at most this many.
CACHED_CHARS = 1000
CACHED_TEXTS = 4096

_Result = TypeVar("_Result")


def remembered(function: Callable[..., _Result]) -> Callable[..., _Result]:
    """`function`, whose last argument is a text, with its results for texts up to
    CACHED_CHARS long remembered (CACHED_TEXTS at most, least recently used first out).
    Its results must not be changed by callers: return tuples."""
    cached = lru_cache(maxsize=CACHED_TEXTS)(function)

    @wraps(function)
    def short_texts_remembered(*args: Any) -> _Result:
        if len(args[-1]) > CACHED_CHARS:
            return function(*args)
        return cached(*args)

    short_texts_remembered.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return short_texts_remembered


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Porter2 stem of a lower-case word (cached: the same words come back)."""
    return str(_STEMMER.stemWord(word))


def tokenize(text: str) -> list[str]:
    """Lower-cased content words, stemmed (Porter2) so that word forms match."""
    return list(_tokens(text))


@remembered
def _tokens(text: str) -> tuple[str, ...]:
    words = _WORD.findall(text.lower().replace("’", "'").replace("'", ""))
    return tuple(stem(w) for w in words if w not in STOPWORDS)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    # Share of the query's distinct terms in the passage.
    coverage: float


class PassageIndex:
    """BM25 over sentences; each sentence is indexed with its section heading."""

    def __init__(self, passages: Iterable[Passage]) -> None:
        self.passages: tuple[Passage, ...] = tuple(passages)
        self._terms = [
            tokenize(p.quote.text + " " + p.quote.section.heading) for p in self.passages
        ]
        self._bm25 = BM25Okapi(self._terms)
        # Runs of three content words that only one sentence has, with two words that at
        # most two have ("third common pathway"; not "bone loss and hair", nor "linking
        # osteoporosis and hair", which any question about a link may say).
        owners: dict[tuple[str, ...], set[str]] = {}
        spread: dict[str, int] = {}
        for passage in self.passages:
            tokens = tokenize(passage.quote.text)
            for token in set(tokens):
                spread[token] = spread.get(token, 0) + 1
            for run in _runs(tokens):
                owners.setdefault(run, set()).add(passage.quote.text)
        self._unique_runs = {
            run: next(iter(texts))
            for run, texts in owners.items()
            if len(texts) == 1 and sum(spread[t] <= 2 for t in run) >= 2
        }

    @remembered  # keyed by the index too: one per process
    def _term_scores(self, term: str) -> np.ndarray:
        """One query term's part of every passage's BM25 score: summed over the query's
        terms in order, the same floats as `BM25Okapi.get_scores` of the whole query."""
        return self._bm25.get_scores([term])

    def ranked(self, query: str, limit: int = 3) -> list[Hit]:
        """The `limit` best passages for `query`, best first (none without content words)."""
        own = tokenize(query)
        if not own:
            return []
        scores = np.zeros(len(self.passages))
        for term in own:
            scores += self._term_scores(term)
        distinct = set(own)
        order = np.argsort(-scores, kind="stable")[:limit]
        return [
            Hit(
                self.passages[i],
                float(scores[i]),
                len(distinct & set(self._terms[i])) / len(distinct),
            )
            for i in order
            if scores[i] > 0
        ]

    def echoed(self, query: str) -> frozenset[str]:
        """The sentences `query` echoes: each has a run of three content words with it
        that no other sentence has ("is osteoporosis a skeletal disease?")."""
        runs = (self._unique_runs.get(run) for run in _runs(tokenize(query)))
        return frozenset(r for r in runs if r)


def _runs(tokens: list[str]) -> Iterator[tuple[str, ...]]:
    return (tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2))


@cache
def load_index() -> PassageIndex:
    """The index over the knowledge base, built once per process."""
    return PassageIndex(load_knowledge().passages())
