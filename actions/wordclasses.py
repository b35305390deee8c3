"""Whether a word asks about something or only frames the question (plain Python).

A question's words that are in no concept of the vocabulary are either what it asks
about ("heart", "thyroid", "swimming", "hereditary") or words around that
("could you explain what it involves", "is that somehow connected"). The first must be
found in the article for an answer; the second need not. WordNet's lexicographer
classes tell them apart (build/wordnet-lexicon.json, by scripts/build_wordnet_lexicon.py):

- a word WordNet does not know (a brand, a technical term, a misspelling) asks;
- an -ing word that names an activity asks ("swimming", "smoking"; not "sitting");
- a word with more verb senses than noun senses frames ("involves", "provide"), unless
  its first verb sense is about the body or consumption ("itch", "smoke"); a noun that
  is first a part of the body or a thing asks whatever its verbs ("nails"), unless it
  is mostly a verb ("renders");
- a noun asks if one of its two main senses is the body, a substance, food, an animal
  or a plant ("heart", "coffee"), if its first sense is a state or disease, or any sense
  when it is no verb ("cancer", "sleep", "headache"), or if it is an activity with no
  verb reading ("yoga", "surgery"; not "classification", which is also a group);
- an adjective that is not also a verb asks only where it is what is asked: at the end
  of its clause ("is it hereditary?") or naming a group or a disease before a person or
  a state ("Asian women", "transgender people", "celiac disease"); elsewhere it describes ("clinical
  features", "accurate to say", "calcium-rich foods");
- two words that WordNet knows as one ("hot flash", "celiac disease") are read as one;
- otherwise a noun frames when its most frequent sense is abstract (a thought, a message, an
  attribute, an event, a feeling, a group, a motive, a phenomenon, a relation, a shape)
  and asks otherwise ("surgery"); the attributes a question may ask about ("weight
  gain", "grey hair") are concepts of the vocabulary instead;
- an adverb frames ("easily", "somehow").
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LEXICON_FILE = Path(__file__).resolve().parent.parent / "build" / "wordnet-lexicon.json"

THING_CLASSES = frozenset({"body", "substance", "food", "animal", "plant"})
ACTIVITY = "act"
# An adjective before one of these names a group of people or a disease.
NAMING_NOUNS = frozenset({"person", "state", "group"})
BODILY_VERBS = frozenset({"body", "consumption"})
# The first verb sense of an -ing word that names an activity ("swimming", "smoking").
ACTIVITY_VERBS = frozenset({"motion", "consumption", "body", "competition"})
# Shorter words are not read as misspellings ("aga", "te": abbreviations).
MISSPELT_MIN = 5
# Nor longer ones: no English word is, and the candidates grow with the square of its
# length (a message of one 4,000-letter "word" must not take minutes).
MISSPELT_MAX = 20
# A word with this many more verb senses than noun senses is read as a verb.
VERB_MOSTLY = 3
ABSTRACT_NOUNS = frozenset(
    {
        "Tops",
        "attribute",
        "cognition",
        "communication",
        "event",
        "feeling",
        "group",
        "location",
        "motive",
        "phenomenon",
        "relation",
        "shape",
    }
)
_SUFFIXES = {
    "n": (
        ("ses", "s"),
        ("xes", "x"),
        ("zes", "z"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("men", "man"),
        ("ies", "y"),
        ("s", ""),
    ),
    "v": (
        ("ies", "y"),
        ("es", "e"),
        ("es", ""),
        ("ed", "e"),
        ("ed", ""),
        ("ing", "e"),
        ("ing", ""),
        ("s", ""),
    ),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "r": (),
}


class WordClasses:
    def __init__(self, lemmas: dict[str, str], exceptions: dict[str, str]):
        # lemma → "n=cognition,body;v=stative" (one string: the file loads fast).
        self._lemmas = lemmas
        self._exceptions = exceptions

    def _classes(self, lemma: str) -> dict[str, list[str]]:
        flat = self._lemmas.get(lemma)
        if not flat:
            return {}
        return {pos: classes.split(",") for pos, classes in (p.split("=") for p in flat.split(";"))}

    def senses(self, word: str) -> dict[str, list[str]]:
        """The classes of `word`'s senses by part of speech, over its base forms."""
        word = word.lower()
        found: dict[str, list[str]] = {}
        # The word's own senses first, then its base form's ("teeth" → "tooth"), in that
        # order whatever the process's hash seed.
        for base in dict.fromkeys((word, self._exceptions.get(word, word))):
            for pos, classes in self._classes(base).items():
                found.setdefault(pos, classes)
        # A plural is read as its singular too ("eyes" as "eye": a part of the body
        # before the sense of the plural alone, "in the eyes of").
        for suffix, ending in _SUFFIXES["n"]:
            if word.endswith(suffix) and len(word) > len(suffix) + 1:
                single = self._classes(word[: -len(suffix)] + ending).get("n")
                if single:
                    found["n"] = list(dict.fromkeys(single + found.get("n", [])))
                    break
        for pos, rules in _SUFFIXES.items():
            for suffix, ending in rules:
                if pos not in found and word.endswith(suffix) and len(word) > len(suffix) + 1:
                    stemmed = word[: -len(suffix)] + ending
                    inflected = self._classes(stemmed).get(pos)
                    if inflected:
                        found[pos] = inflected
        return found

    def known(self, word: str) -> bool:
        return bool(self.senses(word))

    def is_noun(self, word: str) -> bool:
        return "n" in self.senses(word)

    def is_thing(self, word: str) -> bool:
        """A noun whose main sense is a part of the body, a substance, food, an animal, a
        plant or a state ("funny bone", "celiac disease")."""
        nouns = self.senses(word).get("n", [])
        return bool(nouns) and nouns[0] in THING_CLASSES | {"state"}

    def asks(self, word: str, following: str = "", last: bool = False, spell: bool = True) -> bool:
        """Whether `word` names something a question asks about (see the module);
        `following`: the noun after it, if any ("-" when it is a word of the article's
        own, which an adjective only describes: "severe osteoporosis"); `last`: nothing
        follows it in its clause; `spell`: a word WordNet does not know may be read as
        the word it misspells."""
        senses = self.senses(word)
        if not senses:
            # A misspelt word is read as the word meant ("reccomended", "changs"); a word
            # WordNet does not know otherwise (a brand, a technical term) asks.
            meant = self.misspelt(word) if spell else None
            if meant is None:
                return True
            word, senses = meant, self.senses(meant)
        nouns, verbs = senses.get("n", []), senses.get("v", [])
        if word.lower().endswith("ing") and ACTIVITY in nouns:
            # "swimming", "smoking": an activity; "sitting", "wondering": a verb.
            return bool(verbs) and verbs[0] in ACTIVITY_VERBS
        if nouns[:1] and nouns[0] in THING_CLASSES and len(verbs) < len(nouns) + VERB_MOSTLY:
            # "nails", "eyes": a part of the body first, whatever its verbs; not a word
            # that is mostly a verb ("renders": one sense a substance, five a verb).
            return True
        if verbs and len(verbs) > len(nouns):
            return verbs[0] in BODILY_VERBS
        if THING_CLASSES & set(nouns[:2]):
            return True
        if "a" in senses and not verbs:
            if last:
                return True
            named = (self.senses(following).get("n") or [""])[0] if following else ""
            return named in NAMING_NOUNS
        if nouns[:1] == ["state"] or ("state" in nouns and not verbs):
            return True
        if ACTIVITY in nouns and not verbs and "group" not in nouns:
            return True  # "surgery", "acupuncture", "yoga"; not "classification"
        if nouns:
            return nouns[0] not in ABSTRACT_NOUNS
        return False  # adverbs

    def asks_as_verb(self, word: str) -> bool:
        """Whether `word`, read as a verb, names what a question asks: a verb about the
        body or consumption ("eating", "itching"), or a word WordNet has no verb for."""
        verbs = self.senses(word).get("v", [])
        return not verbs or verbs[0] in BODILY_VERBS

    def misspelt(self, word: str) -> str | None:
        """The English word `word` misspells by a doubled or undoubled letter (twice at
        most: "reccomended"), a letter left out ("changs") or two letters swapped
        ("recieve"); None if there is none. Only for words of 5 to 20 letters, and
        never a letter dropped: a drug's name with one letter more than a word is not
        that word ("evista" is not "vista")."""
        word = word.lower()
        if not MISSPELT_MIN <= len(word) <= MISSPELT_MAX or not word.isalpha():
            return None
        toggled = _doubling_toggled(word)
        twice = {w for once in toggled for w in _doubling_toggled(once)}
        swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
        inserted = {
            word[:i] + letter + word[i:]
            for i in range(1, len(word) + 1)
            for letter in "abcdefghijklmnopqrstuvwxyz"
        }
        for candidates in (toggled, swapped, twice, inserted):
            found = sorted(c for c in candidates if c != word and self.known(c))
            if found:
                return found[0]
        return None


def _doubling_toggled(word: str) -> set[str]:
    """`word` with one doubled letter undoubled or one letter doubled."""
    undoubled = {word[:i] + word[i + 1 :] for i in range(1, len(word)) if word[i] == word[i - 1]}
    doubled = {word[: i + 1] + word[i:] for i in range(len(word))}
    return undoubled | doubled


@cache
def load_word_classes(path: Path = LEXICON_FILE) -> WordClasses:
    """The WordNet word classes, loaded once per process."""
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make install`, which builds it")
    raw = json.loads(path.read_text("utf-8"))
    return WordClasses(raw["lemmas"], raw["exceptions"])
