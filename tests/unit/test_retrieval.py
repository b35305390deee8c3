"""Passage retrieval: clear questions find the article's sentence, and anything else
(gibberish, empty, other scripts) does not clear the calibrated thresholds."""

from __future__ import annotations

import random
from dataclasses import fields, replace

import pytest
import yaml

from actions.knowledge import KNOWLEDGE_DIR
from actions.retrieval import (
    SETTINGS_FILE,
    Hit,
    PassageIndex,
    Settings,
    load_index,
    stem,
    tokenize,
)
from tests.unit.article import (
    CALCIUM,
    EXERCISE,
    FOLLICLES,
    FOSAMAX,
    REMODELING,
    STEROIDS,
    TELOGEN,
    VITAMIN_D_DOSE,
)

NUTRITION = "Nutritional Strategies for Bone and Hair Resilience"


def calibrated() -> dict[str, float]:
    """The thresholds scripts/calibrate_retrieval.py wrote, read straight from the file."""
    return yaml.safe_load((KNOWLEDGE_DIR / SETTINGS_FILE).read_text("utf-8"))


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("What is osteoporosis?", ["osteoporosi"]),
        ("Bones and hair follicles", ["bone", "hair", "follicl"]),
        ("Hair-loss AND Osteoporosis", ["hair", "loss", "osteoporosi"]),
        ("Don’t I need vitamin D?", ["need", "vitamin", "d"]),
        ("It's the STEROIDS", ["steroid"]),
        ("600–800 IU", ["600", "800", "iu"]),
        ("I don't know, can you tell me?", []),
        ("", []),
        ("😀 骨粗鬆症 остеопороз", []),
    ],
)
def test_tokenize_keeps_the_topic_words_lowercased_and_stemmed(
    text: str, tokens: list[str]
) -> None:
    assert tokenize(text) == tokens


@pytest.mark.parametrize(
    "forms",
    [
        ("bone", "bones"),
        ("vitamin", "vitamins"),
        ("treat", "treated", "treating", "treats"),
        ("walk", "walked", "walking"),
        ("cause", "causes", "caused", "causing"),
        ("follicle", "follicles"),
        ("fracture", "fractures"),
        ("reduce", "reduced", "reduces", "reducing"),
        ("study", "studies"),
        ("use", "uses", "used"),
        ("thin", "thinning"),
        ("strengthen", "strengthens", "strengthening"),
        ("mineral", "minerals", "mineralization"),
    ],
    ids=lambda forms: forms[0],
)
def test_plural_and_verb_forms_share_a_stem(forms: tuple[str, ...]) -> None:
    assert len({stem(form) for form in forms}) == 1


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("osteoclast", "osteoblast"),
        ("estrogen", "androgen"),
        ("bone", "born"),
        ("thin", "thick"),
        ("calcium", "calcification"),
        ("general", "generous"),
    ],
)
def test_different_words_keep_different_stems(one: str, other: str) -> None:
    assert stem(one) != stem(other)


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        # Values of the Snowball (Porter2) English stemmer.
        ("bones", "bone"),
        ("treatments", "treatment"),
        ("strengthening", "strengthen"),
        ("mineralization", "miner"),
        ("studies", "studi"),
        ("causes", "caus"),
        ("uses", "use"),
        ("hair", "hair"),
        ("bed", "bed"),
    ],
)
def test_stem_is_the_porter2_english_stemmer(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


def test_tokenize_stems_every_word_like_stem() -> None:
    words = ["Fractures", "caused", "by", "reduced", "bone", "strengthening"]

    assert tokenize(" ".join(words)) == [stem(w.lower()) for w in words if w != "by"]


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ("calcium dairy leafy greens", CALCIUM),
        ("Which foods give me calcium, like dairy or leafy greens?", CALCIUM),
        ("osteoclasts osteoblasts", REMODELING),
        ("What are osteoclasts and osteoblasts?", REMODELING),
        ("fosamax alendronate alopecia", FOSAMAX),
        ("sunlight supplement", VITAMIN_D_DOSE),
        ("weight-bearing exercise walking", EXERCISE),
        ("telogen effluvium shedding", TELOGEN),
        ("which molecules govern follicles", FOLLICLES),
        # Singular and plural, noun and verb forms meet: "follicle" finds "follicles"...
        ("which molecule governs a follicle", FOLLICLES),
        # ..."causes" finds "cause", "thin" finds "thinning".
        ("Fosamax causes alopecia?", FOSAMAX),
        ("can steroids thin my hair", STEROIDS),
    ],
)
def test_a_clear_question_finds_its_sentence_and_clears_the_thresholds(
    index: PassageIndex, settings: Settings, query: str, sentence: str
) -> None:
    hit = index.search(query)

    assert hit is not None
    assert hit.passage.quote.text == sentence
    assert hit.clears(settings)


def test_the_hit_knows_its_section_and_the_entries_quoting_it(index: PassageIndex) -> None:
    hit = index.search("calcium dairy leafy greens")

    assert hit is not None
    assert hit.passage.quote.section.heading == NUTRITION
    assert hit.passage.entry_ids == ("calcium",)


def test_a_sentence_quoted_by_several_entries_lists_the_quoting_ones_first(
    index: PassageIndex,
) -> None:
    hit = index.search("osteoclasts osteoblasts")

    assert hit is not None
    # bone_remodeling quotes it; what_is_osteoporosis only has it as `more`.
    assert hit.passage.entry_ids == ("bone_remodeling", "what_is_osteoporosis")


def test_entity_values_widen_a_vague_question(index: PassageIndex, settings: Settings) -> None:
    alone = index.search("is it a side effect?")
    widened = index.search("is it a side effect?", ["bisphosphonates"])

    assert alone is not None
    assert not alone.clears(settings)
    assert widened is not None
    assert widened.passage.quote.text == FOSAMAX
    assert widened.clears(settings)


@pytest.mark.parametrize(
    ("query", "extra", "sentence", "coverage"),
    [
        # Every word of the question is in the sentence; the extra term is not.
        ("calcium dairy leafy greens", ["weather"], CALCIUM, 1.0),
        # The extra terms lead to the sentence, but the question's own word is not in it.
        ("is it permanent?", ["telogen effluvium"], TELOGEN, 0.0),
        # Three of its four words are in it ("permanent" is not): the extra terms that
        # are in it too do not make up for the missing one.
        ("is it a rare and permanent side effect?", ["fosamax alendronate"], FOSAMAX, 0.75),
    ],
)
def test_coverage_counts_only_the_questions_own_words(
    index: PassageIndex, query: str, extra: list[str], sentence: str, coverage: float
) -> None:
    hit = index.search(query, extra)

    assert hit is not None
    assert hit.passage.quote.text == sentence
    assert hit.coverage == coverage


@pytest.mark.parametrize("extra", [["calcium"], ["weather"]])
def test_a_question_with_no_words_of_its_own_covers_nothing(
    index: PassageIndex, extra: list[str]
) -> None:
    hit = index.search("how much?", extra)

    assert hit is not None
    assert hit.coverage == 0.0


@pytest.mark.parametrize(
    "query",
    ["", "   ", "?!?", "😀😀😀", "骨粗鬆症と脱毛", "остеопороз и выпадение волос", "I don't know"],
)
def test_a_message_without_topic_words_finds_nothing(index: PassageIndex, query: str) -> None:
    assert index.search(query) is None


@pytest.mark.parametrize(
    "query",
    [
        "asdfgh qwerty zxcvb",
        "what is the weather in paris",
        "how do I bake bread",
        "hello",
        "is it permanent?",
        "is it a side effect?",  # a real question, but too vague to answer unaided
    ],
)
def test_gibberish_and_off_topic_messages_do_not_clear_the_thresholds(
    index: PassageIndex, settings: Settings, query: str
) -> None:
    hit = index.search(query)

    assert hit is None or not hit.clears(settings)


def test_a_100_kb_message_is_ranked_not_crashed(index: PassageIndex, settings: Settings) -> None:
    message = ("calcium dairy leafy greens " * 4000)[:100_000]
    hit = index.search(message)

    assert len(message) == 100_000
    assert hit is not None
    assert hit.passage.quote.text == CALCIUM


def test_100_kb_of_gibberish_does_not_clear_the_thresholds(
    index: PassageIndex, settings: Settings
) -> None:
    letters = "bcdfghjklmnpqrstvwxz"
    rng = random.Random(7)
    message = " ".join("".join(rng.choices(letters, k=7)) for _ in range(12_500))[:100_000]
    hit = index.search(message)

    assert hit is None or not hit.clears(settings)


def test_the_thresholds_are_the_calibrated_ones(settings: Settings) -> None:
    written = calibrated()

    # Every threshold is read from the file, none is left at a default in the code.
    assert settings == Settings(**{field.name: written[field.name] for field in fields(Settings)})
    assert {"min_score", "min_coverage", "followup_min_coverage"} <= set(written)
    assert settings.min_score > 0
    for field in fields(Settings):
        if field.name.endswith("_coverage"):
            assert 0 < getattr(settings, field.name) <= 1, field.name


@pytest.fixture
def thresholds(settings: Settings) -> Settings:
    """Round numbers, so that the boundaries below are exact (the calibrated ones may move)."""
    return replace(settings, min_score=4.0, min_coverage=0.55, followup_min_coverage=0.3)


@pytest.mark.parametrize(
    ("score", "coverage", "clears"),
    [(4.0, 0.55, True), (3.99, 1.0, False), (10.0, 0.54, False), (10.0, 1.0, True)],
)
def test_a_hit_clears_only_when_score_and_coverage_both_reach_the_thresholds(
    index: PassageIndex, thresholds: Settings, score: float, coverage: float, clears: bool
) -> None:
    hit = Hit(index.passages[0], score, coverage)

    assert hit.clears(thresholds) is clears


@pytest.mark.parametrize(
    ("score", "coverage", "minimum", "clears"),
    [
        # A lower minimum (a follow-up's) lets a partly covered hit through...
        (10.0, 0.3, 0.3, True),
        (10.0, 0.29, 0.3, False),
        # ...a higher one holds back what the default minimum would let through...
        (10.0, 0.8, 0.9, False),
        # ...and the score must still reach min_score.
        (3.99, 1.0, 0.3, False),
    ],
)
def test_a_hit_clears_against_another_minimum_coverage_when_given_one(
    index: PassageIndex,
    thresholds: Settings,
    score: float,
    coverage: float,
    minimum: float,
    clears: bool,
) -> None:
    hit = Hit(index.passages[0], score, coverage)

    assert hit.clears(thresholds, minimum) is clears
    assert hit.clears(thresholds, min_coverage=minimum) is clears


def test_the_index_is_built_once() -> None:
    assert load_index() is load_index()
