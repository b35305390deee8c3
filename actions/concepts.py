"""Reading text as concepts (plain Python, no Rasa).

The answerability decision (`actions/answerability.py`) asks one question of every
answer: does the sentence it would quote say what the user asked? To compare the two,
a question and an article sentence are both read as *concepts*: "prednisone",
"steroids" and "glucocorticoids" are one concept; "going bald", "shedding" and
"alopecia" are another; "how much" and "600–800 IU" both mean an amount.

The data is in two files, so that one fact lives in one place:
- `data/lookups.yml`: the entity synonyms the NLU model also uses (prednisone →
  glucocorticoids); each synonym group is a concept named by its value;
- `data/knowledge/vocabulary.yml`: every other concept (lay words, relations such as
  "cause", kinds of question such as "amount" or "time"), and the *neutral* words that
  never need to be found in the article (question frames, words of a personal story).
  A document that needs words of its own brings them in `<document>.vocabulary.yml`
  beside it (same format), merged at load time: a concept named in two files is one
  concept with the words of both.

A word in no concept is its own concept, by its stem. A word the vocabulary has never
seen (not in the documents, a concept or the neutral list) is marked `known=False`:
a typo within one edit of a known word is read as that word first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from actions.knowledge import (
    KNOWLEDGE_DIR,
    KnowledgeBase,
    KnowledgeError,
    load_knowledge,
    read_yaml,
)
from actions.retrieval import CACHED_TEXTS, STOPWORDS, remembered, stem
from actions.wordclasses import WordClasses, load_word_classes

SHARED_VOCABULARY = "vocabulary.yml"
VOCABULARY_SUFFIX = ".vocabulary.yml"
LOOKUPS_FILE = KNOWLEDGE_DIR.parent / "lookups.yml"

# Words (with any digits in them: "d3", "b12"), numbers with their separators.
_TOKEN = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*|\d[\d,.]*")
_NUMBER = re.compile(r"\d[\d,.]*")
_NAMED_NUMBER = re.compile(r"([a-z])-(\d)")
# "diet-wise", "mineral-wise": about the diet (not "otherwise", "likewise").
_WISE = re.compile(r"([a-z])-wise\b")
# "what dose estrogen do…": the typo of "does" after a question word, not "what dose do I
# need" or "what dose of vitamin D".
_WH_DOSE = frozenset("what how why where when".split())  # noqa: SIM905
# "What dose estrogen do to bone?", "what dose catagen mean?": a verb after the subject.
_VERBS_AFTER_DOES = frozenset(
    "do mean means work help cause affect matter lead happen result trigger".split()  # noqa: SIM905
)
# "Why dose…", "how dose…" never ask for a dose.
_WHY_HOW = frozenset(("why", "how"))
_SUBJECT_PRONOUNS = frozenset("it he she".split())  # noqa: SIM905
_NOT_AFTER_DOES = frozenset("of for per a an is should would do to".split())  # noqa: SIM905
_LETTER_POSSESSIVE = re.compile(r"\b([a-z])'s\b")  # "vit D's role" is vitamin D's
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_UNIT = re.compile(r"\b(\d[\d,.]*)(?!s\b)([a-z]+)\b")  # not a decade ("80s")
NEUTRAL = "<neutral>"
CHILDREN = "children"
OLDER = "older_age"
ADULT_AGE = 18
OLDER_AGE = 60
_AGE_WORDS = frozenset("over above past aged age beyond".split())  # noqa: SIM905
_YEAR_WORDS = frozenset("year years yr yrs yo".split())  # noqa: SIM905
_DURATION_WORDS = frozenset("for past last over since nearly almost about".split())  # noqa: SIM905
_TIME_UNITS = frozenset("minutes hours days weeks months percent kg lbs pounds".split())  # noqa: SIM905
_DECADE_WORDS = frozenset("their her his my your our in".split())  # noqa: SIM905
# Words this long may be corrected by two edits, not only one.
TWO_EDITS_FROM = 8
TRUNCATED_FROM = 4
# "What actually is it?": words that only stress the question word before them.
_STRESS = frozenset("actually exactly really basically".split())  # noqa: SIM905
_WH_STRESSED = frozenset("what whats why how hows which who where when".split())  # noqa: SIM905
# Chat abbreviations, which WordNet would read as nouns ("rn": a registered nurse).
_CHAT = frozenset("rn atm tbh imo imho idk btw lol omg ngl smh fyi pls plz thx".split())  # noqa: SIM905


def _first_from(positions: list[int], at: int) -> int:
    """The index in `positions` of the first position at or after `at`."""
    return next((k for k, j in enumerate(positions) if j >= at), len(positions))


def words_of(text: str) -> list[str]:
    """`_words_of`, as a list of the caller's own."""
    return list(_words_of(text))


@remembered
def _words_of(text: str) -> tuple[str, ...]:
    """Lower-case word and number tokens; apostrophes dropped ("doesn't" → "doesnt"),
    hyphens split ("weight-bearing" → "weight", "bearing") except before a number, which
    names something with the word ("omega-3" → "omega3", "b-12" → "b12"). A question
    opening "dose", or following "why" or "how", or a question word with a verb ("do",
    "mean") after its subject, is the common typo of "does" ("dose HRT affect hair?",
    "why dose estrogen matter?", "what dose estrogen do to bone?"), and so is "dose" after
    "it", "he" or "she" at the end ("I heard it dose"). "Diet-wise" is
    "diet"; "vit D's" is "vit d". A number and its unit are two words ("1000mg"); an
    ordinal is its number ("3rd"); "%" is "percent"."""
    text = _LETTER_POSSESSIVE.sub(r"\1", text.lower().replace("’", "'"))
    text = text.replace("'", "").replace("%", " percent ")
    text = _WISE.sub(r"\1", text)
    text = _NAMED_NUMBER.sub(r"\1\2", text)
    text = _UNIT.sub(r"\1 \2", _ORDINAL.sub(r"\1", text))
    # A number ends where its sentence does ("I'm 15." is 15).
    words = [w.rstrip(".,") if w[0].isdigit() else w for w in _TOKEN.findall(text)]
    if len(words) > 2 and words[0] == "dose" and words[1] not in ("of", "for", "is", "and"):
        words[0] = "does"
    elif (
        len(words) > 2
        and words[1] == "dose"
        and words[0] in _WH_DOSE
        and words[2] not in _NOT_AFTER_DOES
        and (words[0] in _WHY_HOW or _VERBS_AFTER_DOES & set(words[3:8]))
    ):
        words[1] = "does"
    # "I heard it dose", "I think it dose": a verb after its subject at the very end.
    if len(words) > 2 and words[-1] == "dose" and words[-2] in _SUBJECT_PRONOUNS:
        words[-1] = "does"
    return tuple(words)


def _within_one_edit(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours apart (or equal)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


def _edits(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of neighbours from `a` to `b`."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True)
class Term:
    """One thing a text mentions: a concept, and the words that said it."""

    concept: str
    text: str
    # Position of its first token in the text, to find the words around it.
    position: int
    # False for a word the vocabulary has never seen (not even within one edit).
    known: bool = True
    # False for a word in no concept that only frames the question ("involves",
    # "somehow": actions/wordclasses.py); such words need not be found in the article.
    asks: bool = True


@dataclass(frozen=True)
class Concept:
    name: str
    kind: str
    implies: tuple[str, ...]
    # A shorthand read as the concepts it implies ("the two" → osteoporosis, hair loss).
    expands: bool = False
    # A general word for a kind of subject ("pills", "food"), not one subject itself.
    generic: bool = False


class Vocabulary:
    """Concepts and their phrases, neutral words, and the words the documents use."""

    def __init__(
        self,
        concepts: Iterable[tuple[Concept, Sequence[str]]],
        neutral: Iterable[str],
        document_text: str,
        entry_subjects: Iterable[str] = (),
        word_classes: WordClasses | None = None,
    ) -> None:
        concepts = list(concepts)
        self.word_classes = word_classes
        # The concepts some knowledge entry is about.
        self.entry_subjects = frozenset(entry_subjects)
        self.concepts: dict[str, Concept] = {}
        # Phrase → concept name, by its exact words and by their stems. Longest phrases
        # are matched first, exact words before stems ("likely" is not "like", "clinics"
        # not "clinical"), and a phrase given twice belongs to the first concept naming it.
        self._exact: dict[tuple[str, ...], str] = {}
        self._phrases: dict[tuple[str, ...], str] = {}
        self._phrase_words: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for concept, phrases in concepts:
            known = self.concepts.get(concept.name)
            if known is not None:  # one name in both files: one concept
                concept = Concept(
                    concept.name,
                    known.kind or concept.kind,
                    tuple(dict.fromkeys(known.implies + concept.implies)),
                    known.expands or concept.expands,
                    known.generic or concept.generic,
                )
            self.concepts[concept.name] = concept
            for phrase in [concept.name.replace("_", " "), *phrases]:
                exact = tuple(words_of(phrase))
                if exact:
                    self._exact.setdefault(exact, concept.name)
                    key = tuple(stem(w) for w in exact)
                    if self._phrases.setdefault(key, concept.name) == concept.name:
                        self._phrase_words.setdefault(key, []).append(exact)
        self._longest = max((len(k) for k in self._phrases), default=1)
        self._neutral: dict[tuple[str, ...], None] = {}
        self._neutral_exact: dict[tuple[str, ...], None] = {}
        self._neutral_words: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
        for phrase in neutral:
            exact = tuple(words_of(phrase))
            if exact:
                self._neutral_exact[exact] = None
                key = tuple(stem(w) for w in exact)
                self._neutral[key] = None
                self._neutral_words.setdefault(key, []).append(exact)
        self._longest = max(self._longest, *(len(k) for k in self._neutral))
        document_words = set(words_of(document_text))
        self._document_words = frozenset(document_words)
        self._document_stems = frozenset(stem(w) for w in document_words)
        self._known_words = (
            document_words
            | {w for key in self._exact for w in key}
            | {w for key in self._neutral_exact for w in key}
            | set(STOPWORDS)
        )
        # Whole words for typo correction: the documents', the concepts' and the neutral
        # ones (a real English word is never corrected: "heart" is not "heard"). Their
        # index is built at the first unknown word.
        long_neutral = {w for phrase in neutral for w in words_of(phrase) if len(w) >= 5}
        concept_words = {w for c, phrases in concepts_words(concepts) for w in phrases}
        self._spelled = document_words | concept_words | long_neutral
        # Between two corrections, a concept's word beats the article's, which beats a
        # neutral word ("stess" is "stress", not "steps").
        self._spelled |= set(STOPWORDS)
        self._spelling_rank = {
            **{w: 3 for w in STOPWORDS},
            **{w: 2 for w in long_neutral},
            **{w: 1 for w in document_words},
            **{w: 0 for w in concept_words},
        }
        self._spelling_index: dict[str, set[str]] | None = None
        self._by_prefix: dict[str, list[str]] = {}
        for word in sorted(document_words | concept_words):
            if len(word) >= TWO_EDITS_FROM - 1 and not _NUMBER.fullmatch(word):
                self._by_prefix.setdefault(word[:2], []).append(word)

    @property
    def _spellings(self) -> dict[str, set[str]]:
        if self._spelling_index is None:
            index: dict[str, set[str]] = {}
            for word in self._spelled:
                if len(word) >= 3 and not _NUMBER.fullmatch(word):
                    for key in _deletions(word) | {word}:
                        index.setdefault(key, set()).add(word)
            self._spelling_index = index
        return self._spelling_index

    def kind(self, concept: str) -> str:
        found = self.concepts.get(concept)
        return found.kind if found else ""

    def in_documents(self, text: str) -> bool:
        """Whether the documents use the words of `text` ("osteoblast": "osteoblasts";
        "osteoclats", a typo of it; not "almond milk")."""

        def used(word: str) -> bool:
            meant = word if stem(word) in self._document_stems else self._correct(word)
            return meant is not None and stem(meant) in self._document_stems

        words = [w for w in words_of(text) if w not in STOPWORDS]
        return bool(words) and all(used(w) for w in words)

    def is_generic(self, concept: str) -> bool:
        found = self.concepts.get(concept)
        return bool(found and found.generic)

    def implied(self, concepts: Iterable[str]) -> frozenset[str]:
        """`concepts` with everything they imply ("hair_loss" implies "hair")."""
        return self._implied(frozenset(concepts))

    @lru_cache(maxsize=CACHED_TEXTS)  # noqa: B019 (the vocabulary lives as long as the process)
    def _implied(self, concepts: frozenset[str]) -> frozenset[str]:
        result: set[str] = set()
        todo = list(concepts)
        while todo:
            name = todo.pop()
            if name not in result:
                result.add(name)
                found = self.concepts.get(name)
                todo.extend(found.implies if found else ())
        return frozenset(result)

    def _correct(self, word: str) -> str | None:
        """A known word one edit away from an unknown `word`, with the same first letter:
        for a word of 5 letters or more, one of 5 or more; for a shorter one ("los",
        "wht", "iorn"), a longer one, or a swap of two letters."""
        if len(word) < 3 or _NUMBER.fullmatch(word):
            return None
        keys = _deletions(word) | {word}
        candidates = set().union(*(self._spellings.get(k, set()) for k in keys))

        def fits(c: str) -> bool:
            if c[0] != word[0] or not _within_one_edit(word, c):
                return False
            if len(word) >= 5:
                return len(c) >= 5
            return len(c) > len(word) or sorted(c) == sorted(word)

        matches = sorted((self._spelling_rank.get(c, 4), c) for c in candidates if fits(c))
        if matches:
            return matches[0][1]
        # A word cut short ("supp", "bisphos", "inflamm"): the shortest word of a
        # concept or the article it begins, of 7 letters or more.
        if len(word) >= TRUNCATED_FROM:
            whole = sorted(
                (self._spelling_rank.get(c, 4), len(c), c)
                for c in self._by_prefix.get(word[:2], ())
                if c.startswith(word) and len(c) >= len(word) + 2
            )
            if whole:
                return whole[0][2]
        if len(word) < TWO_EDITS_FROM - 1:
            return None
        # A long word two edits from a long one of a concept or the article ("alopesha",
        # "hydrocortizone"), or a word of 7 letters from a concept's ("telegon"), with the
        # same first two letters and last letter, or the same first six ("menopaws"). Not
        # a shorter word, nor into a neutral word: "femara" and "evenity" are drugs, not
        # "female", "evening".
        far = sorted(
            (self._spelling_rank.get(c, 4), _edits(word, c), c)
            for c in self._by_prefix.get(word[:2], ())
            if self._spelling_rank.get(c, 4) <= (1 if len(word) >= TWO_EDITS_FROM else 0)
            and (c[-1] == word[-1] or c[:6] == word[:6])  # "menopaws": "menopause"
            and abs(len(c) - len(word)) <= 2
            and _edits(word, c) <= 2
        )
        return far[0][2] if far else None

    def _known(self, word: str) -> bool:
        return word in self._known_words or any(b in self._known_words for b in _bases(word))

    def _match(self, exact: tuple[str, ...], stems: tuple[str, ...]) -> str | None:
        """NEUTRAL, a concept's name, or None for a phrase: by its words, then, for one
        word, by its inflections ("shedding" → "shed"), for several by their stems. (One
        word's stem would merge "mechanical" with "mechanism", "medical" with
        "medication".)"""
        if exact in self._neutral_exact:
            return NEUTRAL
        if exact in self._exact:
            return self._exact[exact]
        if len(exact) == 1:
            for base in _derived_from(exact[0]):
                if not self._inflection_of(exact[0], base):
                    continue
                if (base,) in self._neutral_exact:
                    return NEUTRAL
                if (base,) in self._exact:
                    return self._exact[(base,)]
            return None
        if stems in self._neutral and self._inflects(exact, self._neutral_words[stems]):
            return NEUTRAL
        if stems in self._phrases and self._inflects(exact, self._phrase_words[stems]):
            return self._phrases[stems]
        return None

    def _inflection_of(self, word: str, base: str) -> bool:
        """Whether `word` may be `base` inflected: a comparative only of an adjective
        ("thinner" is "thin"; "manner" is not "man", "worker" not "work")."""
        if self.word_classes is None or not word.endswith(("er", "est")):
            return True
        if base + "s" == word or base + "d" == word or base + "ed" == word:
            return True  # "gathers", "bothered"
        if word.endswith("est") and base + "st" == word:
            return True
        senses = self.word_classes.senses(base)
        return not self.word_classes.known(word) or "a" in senses or "r" in senses

    @staticmethod
    def _inflects(words: tuple[str, ...], phrases: list[tuple[str, ...]]) -> bool:
        """Whether `words` are one of `phrases`, word by word or by an inflection of it
        ("hair falls out" for "hair fall out"; not "useful for" for "use for")."""
        return any(
            all(
                w == p or p in _bases(w) or w in _bases(p)
                for w, p in zip(words, phrase, strict=True)
            )
            for phrase in phrases
        )

    def read(self, text: str) -> list[Term]:
        """The concepts `text` mentions, in order, without stop words or neutral words."""
        return list(self._read(text))

    @remembered  # keyed by the vocabulary too, which lives as long as the process
    def _read(self, text: str) -> tuple[Term, ...]:
        words = words_of(text)
        spelled: list[str] = []
        known: list[bool] = []
        for word in words:
            if self._known(word) or _NUMBER.fullmatch(word):
                spelled.append(word)
                known.append(True)
                continue
            # A real English word is not a typo ("heart" is not "hear").
            real = self.word_classes is not None and self.word_classes.known(word)
            corrected = None if real else self._correct(word)
            spelled.append(corrected or word)
            known.append(corrected is not None)
        stems = [stem(w) for w in spelled]
        # A word that only stresses the question word ("what actually is it?", "why
        # exactly does it happen?"): phrases read across it, as if it were not there.
        read = [
            j
            for j, word in enumerate(words)
            if not (word in _STRESS and j > 0 and words[j - 1] in _WH_STRESSED)
        ]
        terms: list[Term] = []
        unknown_to_wordnet = 0
        k = 0
        while k < len(read):
            i = read[k]
            group, length = _age_group(words, i)
            if group:  # "a 10-year-old": a child; "people over 70": older people
                terms.append(Term(group, " ".join(words[i : i + length]), i))
                k = _first_from(read, i + length)
                continue
            for length in range(min(self._longest, len(read) - k), 0, -1):
                span = read[k : k + length]
                found = self._match(tuple(spelled[j] for j in span), tuple(stems[j] for j in span))
                if found == NEUTRAL:
                    k += length
                    break
                if found is not None:
                    said = " ".join(words[i : span[-1] + 1])
                    concept = self.concepts.get(found)
                    names = concept.implies if concept and concept.expands else (found,)
                    terms += [Term(name, said, i) for name in names]
                    k += length
                    break
            else:
                word = words[i]
                compound = self._compound(words, i)
                if compound:
                    # "hot flash", "celiac disease": one thing, in no concept.
                    said = " ".join(words[i : i + compound])
                    # A compound that is a noun names a thing ("TV show"); one that is
                    # only a verb or an adverb frames ("find out", "in general").
                    asks = self.word_classes is None or self.word_classes.is_noun(
                        said.replace(" ", "_")
                    )
                    terms.append(Term(" ".join(stems[i : i + compound]), said, i, False, asks))
                    k = _first_from(read, i + compound)
                    continue
                # A corrected typo is read as the word meant ("betwen" is "between").
                meant = spelled[i]
                if meant not in STOPWORDS and not _NUMBER.fullmatch(meant):
                    # The next word that says something ("insane rn and": not "rn").
                    after = i + 1
                    while after < len(words) and spelled[after] in _CHAT:
                        after += 1
                    following = spelled[after] if after < len(words) else ""
                    last = i + 1 >= len(words) or _ends_clause(text, words, i)
                    previous = spelled[i - 1] if i else ""
                    # Spelling is tried for the first words WordNet does not know only:
                    # a message of gibberish must not cost seconds.
                    # (Counted only while it matters: no second WordNet look-up after.)
                    spell = unknown_to_wordnet < MAX_SPELLING_TRIES
                    wordnet = self.word_classes
                    if spell and wordnet is not None and not wordnet.known(meant):
                        unknown_to_wordnet += 1
                    asks = self._asks(meant, following, last, previous, spell)
                    terms.append(Term(self._article_stem(meant), word, i, known[i], asks))
                k += 1
        return tuple(_loss_of_hair(_thinning_of_bone(terms)))

    def _article_stem(self, word: str) -> str:
        """The stem of `word`, or of the article's word it derives from ("failure" is
        the article's "fail", "thickness" its "thick")."""
        if word not in self._document_words:
            for base in _derived_from(word):
                if base in self._document_words:
                    return stem(base)
        return stem(word)

    def may_name_effect(self, text: str) -> bool:
        """Whether words in no concept could name an effect ("memory", "hot flash"): not
        an adverb or a verb only ("literally", "clarify")."""
        if self.word_classes is None or " " in text.strip():
            return True
        senses = self.word_classes.senses(text)
        return not senses or "n" in senses or "a" in senses

    def in_dictionary(self, text: str) -> bool:
        """Whether WordNet knows every word of `text` ("paper", "nobody"; not "paget",
        "osteopenia", names a dictionary does not hold)."""
        if self.word_classes is None:
            return False
        return all(self.word_classes.known(w) for w in words_of(text))

    def _in_concept(self, word: str) -> bool:
        match = self._match((word,), (stem(word),))
        return match is not None and match != NEUTRAL

    def _compound(self, words: list[str], i: int) -> int:
        """The length (2 or 3) of a compound WordNet knows starting at `i` ("hot flash",
        "funny bone"); 0 if there is none."""
        if self.word_classes is None:
            return 0
        for length in (3, 2):
            part = words[i : i + length]
            if len(part) < length or any(w in STOPWORDS or _NUMBER.fullmatch(w) for w in part):
                continue
            name = "_".join(part)
            if not self.word_classes.known(name):
                continue
            # Words of a concept after the first make a compound only when it names a
            # thing of its own ("funny bone"), not a kind of the concept ("blood test").
            if not any(self._in_concept(w) for w in part[1:]) or self.word_classes.is_thing(name):
                return length
        return 0

    def _asks(
        self, word: str, following: str, last: bool, previous: str = "", spell: bool = True
    ) -> bool:
        """Whether a word in no concept names what a question asks (wordclasses.py)."""
        if self.word_classes is None:
            return True
        if last:
            return self.word_classes.asks(word, last=True, spell=spell)
        if word.endswith("ing") and following in _OBJECT_STARTS and _names(previous):
            # "follicles entering the resting phase": a verb with its subject and object,
            # not an activity ("swimming", "does swimming the crawl help?"); it asks only
            # as a bodily verb ("eating").
            return self.word_classes.asks_as_verb(word)
        if not following or following in STOPWORDS or _NUMBER.fullmatch(following):
            return self.word_classes.asks(word, spell=spell)
        if self._in_concept(following):
            return self.word_classes.asks(word, "-", spell=spell)  # "severe osteoporosis"
        noun = following if self.word_classes.is_noun(following) else ""
        return self.word_classes.asks(word, noun, spell=spell)

    def concepts_of(self, sentence: str) -> frozenset[str]:
        """Everything a sentence of the article says, with what it implies: its phrases
        and each of its words on its own ("chronic inflammation" also says "chronic")."""
        each = [(self._match((w,), (stem(w),)), stem(w)) for w in words_of(sentence)]
        words = [found or own for found, own in each if found != NEUTRAL]
        return self.implied([*(t.concept for t in self.read(sentence)), *words])


# How many words WordNet does not know, in one message, may be read as misspellings.
MAX_SPELLING_TRIES = 20
# Words that open a verb's object or particle ("entering the resting phase").
_OBJECT_STARTS = frozenset("the a an my your his her their its our into out off up down".split())  # noqa: SIM905


def _names(word: str) -> bool:
    """Whether `word` may name a thing (not a stop word or a number)."""
    return bool(word) and word not in STOPWORDS and not _NUMBER.fullmatch(word)


# Words that are hair loss on their own but bone loss when said of bones.
_BONE_CONCEPTS = frozenset({"bone", "osteoporosis"})
_HAIR_CONCEPTS = frozenset({"hair", "hair_loss", "hair_cycle", "female_pattern"})
FAR = 10_000  # farther than any two words of a message


def _thinning_of_bone(terms: list[Term]) -> list[Term]:
    """ "Bones getting thin", "my bones are thinning out": osteoporosis, where the part
    of the body named nearest to the word is bone, not hair."""

    def nearest(term: Term, concepts: frozenset[str]) -> int:
        distances = (
            abs(t.position - term.position)
            for t in terms
            if t is not term and t.concept in concepts
        )
        return min(distances, default=FAR)

    result = []
    for term in terms:
        # One word of thinning, however spelt ("thinner", "thiner"); not "thinning hair".
        if term.concept == "hair_loss" and term.text.startswith("thin") and " " not in term.text:
            bone, hair = nearest(term, _BONE_CONCEPTS), nearest(term, _HAIR_CONCEPTS)
            if bone < hair:
                term = Term("osteoporosis", term.text, term.position, term.known, term.asks)
        result.append(term)
    return result


_LOSING = frozenset("lose loses losing lost".split())  # noqa: SIM905


def _loss_of_hair(terms: list[Term]) -> list[Term]:
    """ "Loses their hair", "losing some of her hair": hair loss, as "losing hair" is,
    not a lack of hair."""
    result: list[Term] = []
    for term in terms:
        last = result[-1] if result else None
        if (
            last is not None
            and last.text in _LOSING
            and term.concept == "hair"
            and term.position - last.position <= 4
        ):
            result[-1] = Term("hair_loss", f"{last.text} {term.text}", last.position)
            continue
        result.append(term)
    return result


def _age_group(words: list[str], i: int) -> tuple[str, int]:
    """The group of people an age at `i` names, and its length in words: a child ("10
    year old", "12 yrs") or an older person ("80 year old", "over 70", "in their 70s");
    ("", 0) if there is none. The article speaks of adults in general, not by age."""
    word = words[i]
    if word in _AGE_WORDS and i + 1 < len(words) and re.fullmatch(r"\d{2}", words[i + 1]):
        age, length = int(words[i + 1]), 2  # "over 70", "aged 65"
        if words[i + 2 : i + 3] and words[i + 2] in _YEAR_WORDS:
            length += 1
    elif re.fullmatch(r"[1-9]0s", word) and words[i - 1 : i] and words[i - 1] in _DECADE_WORDS:
        age, length = int(word[:2]), 1  # "in their 70s"
    elif re.fullmatch(r"\d{1,2}", word) and words[i + 1 : i + 2] and words[i + 1] in _YEAR_WORDS:
        age, length = int(word), 3 if words[i + 2 : i + 3] == ["old"] else 2
        if length == 2 and (
            (words[i - 1 : i] and words[i - 1] in _DURATION_WORDS)
            or words[i + 2 : i + 3] == ["ago"]
        ):
            return "", 0  # "on it for 2 years", "5 years ago": a time, not an age
    elif (
        re.fullmatch(r"\d{1,2}", word)
        and words[i - 1 : i] in (["im"], ["am"], ["whos"], ["hes"], ["shes"])
        and (i + 1 >= len(words) or words[i + 1] not in _TIME_UNITS)
    ):
        age, length = int(word), 1  # "I'm 15", "someone who's 85"
    else:
        return "", 0
    if age < ADULT_AGE and word not in _AGE_WORDS:
        return CHILDREN, length
    if age >= OLDER_AGE:
        return OLDER, length
    return "", 0


def _ends_clause(text: str, words: list[str], i: int) -> bool:
    """Whether the i-th word of `text` ends a clause (punctuation after it)."""
    found = [m.end() for m in _TOKEN.finditer(text.lower().replace("’", "'").replace("'", ""))]
    if i >= len(found):
        return True
    rest = text.lower().replace("’", "'").replace("'", "")[found[i] :].lstrip()
    return not rest or rest[0] in "?.!,;:"


def _bases(word: str) -> list[str]:
    """What an inflected word may be an inflection of: "bones" → "bone", "thinning" →
    "thin", "worries" → "worry", "described" → "describe"."""
    bases = []
    for suffix, endings in (
        ("ies", ("y",)),
        ("ied", ("y",)),
        ("es", ("", "e")),
        ("s", ("",)),
        ("ed", ("", "e")),
        ("d", ("",)),
        ("ing", ("", "e")),
        ("ly", ("",)),
        ("er", ("", "e")),
        ("est", ("", "e")),
    ):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem_ = word[: -len(suffix)]
            bases += [stem_ + ending for ending in endings]
            if len(stem_) > 2 and stem_[-1] == stem_[-2]:  # "thinning" → "thin"
                bases.append(stem_[:-1])
    return bases


def _derived_from(word: str) -> list[str]:
    """The words `word` may be derived from, inflections first ("failures" → "failure",
    "fail"; "weakness" → "weak")."""
    bases = _bases(word) or [word]
    found = list(bases)
    for base in bases:
        for suffix, endings in (("ure", ("", "e")), ("ness", ("",)), ("ment", ("",))):
            if base.endswith(suffix) and len(base) > len(suffix) + 2:
                found += [base[: -len(suffix)] + ending for ending in endings]
    return found


def concepts_words(
    concepts: Iterable[tuple[Concept, Sequence[str]]],
) -> list[tuple[Concept, list[str]]]:
    return [(c, [w for p in phrases for w in words_of(p)]) for c, phrases in concepts]


def _lookup_synonyms(path: Path) -> list[tuple[Concept, list[str]]]:
    """The entity synonym groups of the NLU data: value → its variants."""
    raw = read_yaml(path.read_text("utf-8")) or {}
    groups = []
    for block in raw.get("nlu") or []:
        if "synonym" in block:
            variants = [
                line.strip()[2:].strip()
                for line in str(block["examples"]).splitlines()
                if line.strip().startswith("- ")
            ]
            groups.append((Concept(str(block["synonym"]), "subject", ()), variants))
    return groups


def _vocabulary_concepts(raw: dict[str, Any]) -> list[tuple[Concept, list[str]]]:
    concepts = []
    for name, spec in (raw.get("concepts") or {}).items():
        spec = spec if isinstance(spec, dict) else {"words": spec}
        concept = Concept(
            str(name),
            str(spec.get("kind", "")),
            tuple(str(i) for i in spec.get("implies") or ()),
            bool(spec.get("expands")),
            bool(spec.get("generic")),
        )
        concepts.append((concept, [str(w) for w in spec.get("words") or ()]))
    return concepts


def vocabulary_files(directory: Path) -> list[Path]:
    """The shared `vocabulary.yml` first (where two files share a phrase, the first wins),
    then each document's own `<document>.vocabulary.yml`, by file name."""
    own = sorted(directory.glob("*" + VOCABULARY_SUFFIX))
    for path in own:
        document = path.name[: -len(VOCABULARY_SUFFIX)]
        if not (directory / f"{document}.md").exists():
            raise KnowledgeError(f"{path.name}: no document {document}.md")
    return [directory / SHARED_VOCABULARY, *own]


def load_vocabulary_from(
    vocabulary_files: Sequence[Path],
    lookups_file: Path,
    documents: Iterable[Path],
    entry_subjects: Iterable[str] = (),
    word_classes: WordClasses | None = None,
) -> Vocabulary:
    raws = [read_yaml(path.read_text("utf-8")) or {} for path in vocabulary_files]
    neutral = [str(w) for raw in raws for w in raw.get("neutral") or ()]
    text = "\n".join(p.read_text("utf-8") for p in documents)
    # vocabulary.yml first: where it and a synonym group share a phrase, it wins.
    concepts = [c for raw in raws for c in _vocabulary_concepts(raw)]
    concepts += _lookup_synonyms(lookups_file)
    return Vocabulary(concepts, neutral, text, entry_subjects, word_classes)


def vocabulary_of(
    directory: Path, knowledge: KnowledgeBase, lookups_file: Path = LOOKUPS_FILE
) -> Vocabulary:
    """The vocabulary of the knowledge in `directory`: its vocabulary files, the lookup
    synonyms, the words of every document and the subjects of every entry."""
    subjects = {s for entry in knowledge.entries.values() for s in entry.subjects}
    return load_vocabulary_from(
        vocabulary_files(directory),
        lookups_file,
        sorted(directory.glob("*.md")),
        subjects,
        load_word_classes(),
    )


@cache
def load_vocabulary() -> Vocabulary:
    """The vocabulary of the knowledge base, built once per process."""
    return vocabulary_of(KNOWLEDGE_DIR, load_knowledge())
