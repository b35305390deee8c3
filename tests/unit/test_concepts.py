"""Reading text as concepts: synonyms, lay words, typos and framing words, and the data
behind it agreeing with the knowledge and the training examples."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import pytest
import yaml

from actions.answerability import ANSWER, decide, read_question
from actions.concepts import MAX_SPELLING_TRIES, Vocabulary, words_of
from actions.knowledge import KnowledgeBase
from actions.retrieval import CACHED_CHARS, CACHED_TEXTS, PassageIndex
from actions.wordclasses import load_word_classes
from scripts.nlu_examples import nlu_files
from tests.conftest import PROJECT_DIR

KINDS = {"", "subject", "condition", "body", "population", "relation", "qualifier", "ask", "frame"}
VOCABULARY_FILE = PROJECT_DIR / "data" / "knowledge" / "vocabulary.yml"
# Every NLU training file: data/nlu.yml and the topic files of data/nlu/.
NLU_FILES = tuple(nlu_files(PROJECT_DIR))


def concepts(vocabulary: Vocabulary, text: str) -> list[str]:
    return [t.concept for t in vocabulary.read(text) if t.asks]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can prednisone make my hair fall out", ["glucocorticoids", "affect", "hair_loss"]),
        ("is my mom going bald from her brittle bones", ["hair_loss", "osteoporosis"]),
        ("vit d and fosamx", ["vitamin_d", "bisphosphonates"]),
        ("does osteoporsis cause hairloss", ["osteoporosis", "affect", "hair_loss"]),
        ("how much calcium a day", ["amount", "calcium"]),
        ("is it likely", ["commonness"]),
        ("are there clinics", ["clinician"]),
        ("which medications", ["medication"]),
        ("my hair is shedding and thinning", ["hair", "hair_loss", "hair_loss"]),
        ("why do the two happen together", ["why", "osteoporosis", "hair_loss", "link"]),
        ("a 10-year-old", ["children"]),
        ("a 40 year old", []),
        ("a 70 year old", ["older_age"]),
        ("people over 70", ["older_age"]),
        ("women in their 80s", ["older_age"]),
        # Lay words and typos for the article's terms.
        ("bones have gone porous", ["bone", "osteoporosis"]),
        ("which cells brake down bone", ["remodeling", "bone"]),
        # "-wise" is about the word before it; "dose" after a question word is "does".
        ("what else diet-wise", ["nutrition"]),
        ("what dose estrogen do to bone", ["frame", "estrogen", "affect", "bone"]),
        ("what dose of vitamin d do you need", ["amount", "vitamin_d", "essential"]),
        ("why dose estrogen matter for bones", ["why", "estrogen", "essential", "bone"]),
        ("how dose hrt affect hair", ["frame", "hrt", "affect", "hair"]),
        ("how dose?", ["amount"]),
        ("what dose catagen mean", ["frame", "hair_cycle", "definition"]),
        # Losing one's hair is hair loss, however it is said.
        ("when someone loses their hair", ["hair_loss"]),
        ("women lose some of their hair", ["hair_loss"]),
        ("lose weight and hair", ["body_weight", "hair"]),
        # A letter's possessive is the letter ("vit D's role").
        ("vit D's role", ["vitamin_d"]),
        # Too short for the typo: still read, not an error.
        ("what dose", ["amount"]),
        ("what dose?", ["amount"]),
        # A word that only stresses the question word is read across.
        ("what actually is osteoporosis", ["definition", "osteoporosis"]),
        ("what exactly is TE", ["definition", "telogen_effluvium"]),
        # "Dose" after "it" at the end is the typo of "does", not an amount.
        (
            "does fosamax cause hair loss, i heard it dose",
            ["bisphosphonates", "affect", "hair_loss"],
        ),
        ("how much is the dose", ["amount", "amount"]),
        ("an ortho problem", ["bone"]),
        ("the skeletal system and the hair", ["bone", "hair"]),
        ("explain in plain terms", ["frame"]),
        ("how is zoledronic acid administered", ["frame", "bisphosphonates", "procedure"]),
        ("not direct causation", ["affect"]),
        ("women's pattern thinning", ["female_pattern"]),
        ("what's actually going wrong", ["mechanism"]),
    ],
)
def test_words_are_read_as_the_concepts_they_mean(
    vocabulary: Vocabulary, text: str, expected: list[str]
) -> None:
    assert concepts(vocabulary, text) == expected


def test_a_real_word_is_never_corrected_as_a_typo(vocabulary: Vocabulary) -> None:
    # "heart" is one edit from "heard" and "hearts"; it is a word of its own.
    assert [t.text for t in vocabulary.read("is calcium bad for the heart")][-1] == "heart"


@pytest.mark.parametrize(
    ("text", "word", "asks"),
    [
        ("does it affect the heart", "heart", True),
        ("can thyroid problems cause it", "thyroid", True),
        ("is swimming good for bones", "swimming", True),
        ("is osteoporosis hereditary?", "hereditary", True),
        ("are Inuit women at risk", "inuit", True),
        ("could you explain what it involves", "involves", False),
        ("is that somehow connected", "somehow", None),
        ("what are the clinical features of it", "features", None),
        ("calcium rich foods", "rich", False),
        ("does severe osteoporosis cause it", "severe", False),
    ],
)
def test_words_in_no_concept_ask_or_only_frame_the_question(
    vocabulary: Vocabulary, text: str, word: str, asks: bool | None
) -> None:
    terms = {t.text: t.asks for t in vocabulary.read(text)}
    if asks is None:
        assert word not in terms  # a neutral word
    else:
        assert terms[word] is asks


def test_two_words_wordnet_knows_as_one_are_one_thing(vocabulary: Vocabulary) -> None:
    terms = vocabulary.read("does menopause cause hot flashes")

    assert terms[-1].text == "hot flashes"
    assert terms[-1].asks


def test_a_sentence_says_its_phrases_and_each_of_its_words(vocabulary: Vocabulary) -> None:
    said = vocabulary.concepts_of(
        "Chronic inflammation provides a third common pathway that can affect both tissues "
        "simultaneously."
    )

    assert {"inflammation", "long_term", "affect", "link"} <= said


def test_wordnet_word_classes_come_from_the_package_data() -> None:
    classes = load_word_classes()

    assert "body" in classes.senses("heart")["n"]
    assert classes.senses("teeth")  # an irregular plural, through WordNet's exceptions
    assert not classes.known("osteoporsis")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("reccomended", "recommended"), ("recieve", "receive"), ("expirience", None)],
)
def test_a_word_wordnet_does_not_know_is_read_as_the_word_it_misspells(
    typed: str, meant: str | None
) -> None:
    assert load_word_classes().misspelt(typed) == meant


@pytest.mark.parametrize("name", ["evista", "prolia", "denosumab", "femara", "letrozole"])
def test_a_drugs_name_is_not_read_as_a_misspelt_word_and_asks(name: str) -> None:
    classes = load_word_classes()

    assert classes.misspelt(name) is None
    assert classes.asks(name)


def test_only_the_first_unknown_words_of_a_message_are_tried_as_misspellings(
    vocabulary: Vocabulary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message of gibberish (the REST channel takes 20,000 characters) must not cost
    seconds of spelling candidates."""
    classes = load_word_classes()
    tried: list[str] = []
    original = type(classes).misspelt

    def counting(self: Any, word: str) -> str | None:
        tried.append(word)
        return original(self, word)

    monkeypatch.setattr(type(classes), "misspelt", counting)
    gibberish = " ".join(f"zqx{chr(97 + i % 26)}{chr(97 + i // 26)}vbn" for i in range(200))

    vocabulary.read(gibberish + " reccomended")

    assert 0 < len(tried) <= MAX_SPELLING_TRIES


def test_word_classes_do_not_depend_on_the_hash_seed() -> None:
    """A word's own senses come before its base form's in every process ("crying" is
    first an act, not a sound): once, set order made answers differ between runs."""
    script = (
        "from actions.wordclasses import load_word_classes as w; c = w(); "
        "print([c.senses(x) for x in ('crying', 'data', 'cola', 'winning', 'teeth')])"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=PROJECT_DIR,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3", "4", "5", "6")
    }

    assert len(runs) == 1, runs
    assert load_word_classes().senses("crying")["n"][0] == "act"


# ---- The data agrees with itself


def _raw_vocabulary() -> dict[str, Any]:
    return yaml.safe_load(VOCABULARY_FILE.read_text("utf-8"))


def test_every_concept_has_a_known_kind_and_implies_known_concepts(
    vocabulary: Vocabulary,
) -> None:
    for name, concept in vocabulary.concepts.items():
        assert concept.kind in KINDS, name
        for implied in concept.implies:
            assert implied in vocabulary.concepts, f"{name} implies unknown {implied}"


def test_every_entry_subject_and_verdict_concept_is_a_concept(
    vocabulary: Vocabulary, knowledge: KnowledgeBase
) -> None:
    for entry in knowledge.entries.values():
        for subject in entry.subjects:
            assert subject in vocabulary.concepts, f"{entry.id}: subject {subject}"
        for group in entry.verdict_for:
            for concept in group:
                assert concept in vocabulary.concepts, f"{entry.id}: verdict_for {concept}"
        if entry.verdict:
            assert entry.verdict_for, f"{entry.id} has a verdict but no verdict_for"


def test_no_phrase_is_given_to_two_concepts() -> None:
    owners: dict[tuple[str, ...], str] = {}
    clashes = []
    for name, spec in _raw_vocabulary()["concepts"].items():
        words = spec["words"] if isinstance(spec, dict) else spec
        for phrase in words:
            key = tuple(words_of(str(phrase)))
            if key in owners and owners[key] != name:
                clashes.append((phrase, owners[key], name))
            owners.setdefault(key, name)
    assert clashes == []


def test_no_neutral_word_is_also_a_concept_word() -> None:
    raw = _raw_vocabulary()
    concept_words = {
        tuple(words_of(str(p)))
        for spec in raw["concepts"].values()
        for p in (spec["words"] if isinstance(spec, dict) else spec)
    }
    neutral = {tuple(words_of(str(p))) for p in raw["neutral"]}

    assert sorted(concept_words & neutral) == []


def _training_examples(knowledge: KnowledgeBase) -> list[tuple[str, str]]:
    examples = []
    blocks = [b for path in NLU_FILES for b in yaml.safe_load(path.read_text("utf-8"))["nlu"]]
    for block in blocks:
        entry = knowledge.by_intent.get(block.get("intent", ""))
        if entry is None:
            continue
        for line in block["examples"].splitlines():
            text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line.strip()[2:])
            if text:
                examples.append((entry.id, text))
    return examples


def test_the_training_questions_are_answered_by_their_own_entry(
    vocabulary: Vocabulary, knowledge: KnowledgeBase, index: PassageIndex
) -> None:
    """Most topic examples of the training data are answered when the classifier picks their
    intent (the rest ask a little more than the article says and get a partial answer):
    a lay word added to the training data without its concept shows up here."""
    examples = _training_examples(knowledge)
    answered = [
        text
        for entry_id, text in examples
        if decide(
            read_question(text, vocabulary), knowledge, vocabulary, index, (), {entry_id: 0.9}
        ).outcome
        == ANSWER
    ]

    assert len(examples) > 1800
    assert len(answered) / len(examples) >= 0.93


def test_remembered_readings_are_the_callers_own_and_bounded(vocabulary: Vocabulary) -> None:
    """Readings are remembered while a message is decided; a caller that changes what it
    got back changes nothing for the next caller, and a long message is not remembered."""
    first = words_of("Does vitamin D help hair?")
    first.append("changed")
    assert words_of("Does vitamin D help hair?") == ["does", "vitamin", "d", "help", "hair"]
    terms = vocabulary.read("Does vitamin D help hair?")
    terms.clear()
    assert (
        [t.concept for t in vocabulary.read("Does vitamin D help hair?")]
        == [t.concept for t in vocabulary._read("Does vitamin D help hair?")]
        != []
    )
    long_message = "calcium " * (CACHED_CHARS // 8 + 1)
    readings = Vocabulary._read.cache_info  # type: ignore[attr-defined]
    remembered = readings().currsize
    assert len(vocabulary.read(long_message)) == CACHED_CHARS // 8 + 1
    assert readings().currsize == remembered
    for n in range(CACHED_TEXTS + 1):
        vocabulary.read(f"calcium {n}")
    assert readings().currsize <= CACHED_TEXTS
