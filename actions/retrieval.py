"""BM25 ranking of the knowledge passages (plain Python, no Rasa).

Used when the NLU model is unsure: the best sentence is offered only when it clears
thresholds calibrated by `scripts/calibrate_retrieval.py` (stored in
data/knowledge/retrieval.yml); otherwise the bot declines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import snowballstemmer
import yaml
from rank_bm25 import BM25Okapi

from actions.knowledge import KNOWLEDGE_DIR, KnowledgeBase, Passage, load_knowledge

SETTINGS_FILE = "retrieval.yml"

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
# In a follow-up the last answer's subject steers the ranking, but the words the user
# typed weigh more: otherwise "is the shedding temporary?" finds the last answer again.
CONTEXT_WEIGHT = 0.25


def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def tokenize(text: str) -> list[str]:
    """Lower-cased content words, stemmed (Porter2) so that word forms match."""
    words = _WORD.findall(text.lower().replace("’", "'").replace("'", ""))
    return _STEMMER.stemWords([w for w in words if w not in STOPWORDS])


@dataclass(frozen=True)
class Settings:
    min_score: float
    min_coverage: float
    # Follow-ups ("does it hurt bones too?") borrow their subject from the last
    # answer; at least this share of their own words must be in the passage.
    followup_min_coverage: float
    # When the unsure classifier's best guess quotes the best passage, this share of
    # the message's words in the passage is enough to answer with that guess
    # (whatever the score: two weak signals that agree).
    agreement_min_coverage: float


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    # Share of the query's own distinct terms (not the added ones) in the passage;
    # 0 when the query has none.
    coverage: float

    def clears(self, settings: Settings, min_coverage: float | None = None) -> bool:
        if min_coverage is None:
            min_coverage = settings.min_coverage
        return self.score >= settings.min_score and self.coverage >= min_coverage


class PassageIndex:
    """BM25 over sentences; each sentence is indexed with its section heading."""

    def __init__(self, passages: Iterable[Passage]) -> None:
        self.passages: tuple[Passage, ...] = tuple(passages)
        self._terms = [
            tokenize(p.quote.text + " " + p.quote.section.heading) for p in self.passages
        ]
        self._bm25 = BM25Okapi(self._terms)

    def search(
        self, query: str, extra_terms: Sequence[str] = (), extra_weight: float = 1.0
    ) -> Hit | None:
        """The best passage for `query`; `extra_terms` (entity values, the subject of
        the last answer) count at `extra_weight` in the ranking and not at all
        towards coverage."""
        own = tokenize(query)
        extra = [t for x in extra_terms for t in tokenize(x)]
        if not own and not extra:
            return None
        scores = self._bm25.get_scores(own) if own else np.zeros(len(self.passages))
        if extra:
            scores = scores + extra_weight * self._bm25.get_scores(extra)
        best = int(np.argmax(scores))
        # A message with no content words of its own ("why is that?") covers nothing.
        distinct = set(own)
        coverage = len(distinct & set(self._terms[best])) / len(distinct) if own else 0.0
        return Hit(self.passages[best], float(scores[best]), coverage)


def load_settings(directory: Path = KNOWLEDGE_DIR) -> Settings:
    raw = yaml.safe_load((directory / SETTINGS_FILE).read_text("utf-8"))
    return Settings(
        float(raw["min_score"]),
        float(raw["min_coverage"]),
        float(raw["followup_min_coverage"]),
        float(raw["agreement_min_coverage"]),
    )


@cache
def load_index() -> tuple[PassageIndex, Settings]:
    """The index over the knowledge base and its thresholds, built once per process."""
    knowledge: KnowledgeBase = load_knowledge()
    return PassageIndex(knowledge.passages()), load_settings()
