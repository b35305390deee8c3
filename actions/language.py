"""Whether a message is written in another language than English (plain Python).

The article and the model are English; a question in Spanish or German would be read
word by word as English and get a misleading "the article doesn't cover that". A
message is in another language when most of its letters are outside the Latin
alphabet (Cyrillic, Chinese, Arabic...), or when it uses more function words of the
common European languages than of English ("¿Qué es la osteoporosis?", "Osteoporose und
Haarausfall"). Brand names, typos and chat words are none of these, so English with
mistakes stays English.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W\d_]+")
# English words that make a sentence of almost any English question.
_ENGLISH = frozenset(
    """the a an is are was were be been am do does did can could would should will shall
    may might must what how why when where which who whom whose my me i you your it its
    this that these those of to and in for with on at by from about or not no any some
    have has had get got if than then there their they them we our us he she his her
    much many more most also too very so just please""".split()  # noqa: SIM905
)
# Function words of Spanish, French, German, Portuguese, Italian, Dutch and Polish that
# are no English word.
_FOREIGN = frozenset(
    """que qué es la las el del al con por para una uno unos como cómo cuál cuánto
    cuánta está están pero muy sí también mi mis su sus le les des est et je vous nous
    ils elle pour avec dans sur une mes ma mon pourquoi quoi quel quelle sont ont cest
    qu ist und der die das nicht ich mein meine kann wie warum welche ein eine einen mit
    oder auch sind haben für über o é não com uma um os meu minha porque qual são
    di che sono perché come della dei delle gli nel ik mijn wat het een niet hoe
    waarom zijn czy nie się jak dlaczego jest mam moje""".split()  # noqa: SIM905
)
_LATIN_SHARE = 0.5


def in_other_language(text: str) -> bool:
    """Whether `text` is written in another language than English."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
    if latin / len(letters) < _LATIN_SHARE:
        return True
    words = _WORD.findall(text.lower().replace("’", "").replace("'", ""))
    foreign = sum(1 for w in words if w in _FOREIGN)
    return foreign > sum(1 for w in words if w in _ENGLISH)
