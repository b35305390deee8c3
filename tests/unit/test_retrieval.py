"""Passage retrieval: clear questions find the article's sentence, and anything else
(gibberish, empty, other scripts) does not clear the calibrated thresholds."""

from __future__ import annotations

import random

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

CALCIUM = (
    "Adults typically need 1,000 to 1,200 mg of calcium daily, which can be sourced from "
    "dairy products, fortified plant milks, and dark leafy greens."
)
REMODELING = (
    "Osteoporosis is fundamentally a disease of bone remodeling, where bone-resorbing cells "
    "(osteoclasts) outpace bone-forming cells (osteoblasts)."
)
FOSAMAX = (
    "Specifically, the class of drugs known as bisphosphonates, such as alendronate (Fosamax), "
    "which are widely used to slow bone breakdown, have been reported to cause alopecia, "
    "although this is considered a rare side effect."
)
VITAMIN_D_DOSE = (
    "While sunlight exposure is a source, many people require a supplement to maintain "
    "sufficient levels, often aiming for 600–800 International Units (IU) daily."
)
EXERCISE = (
    "Weight-bearing exercise, like walking or strength training, encourages bone formation "
    "and increases bone strength."
)
TELOGEN = (
    "This same inflammatory environment can prematurely push hair follicles into the resting "
    "phase, resulting in a type of temporary shedding known as telogen effluvium."
)
FOLLICLES = (
    "Hair follicles are complex, mini-organs embedded in the skin, governed by local "
    "signaling molecules and hormones."
)
NUTRITION = "Nutritional Strategies for Bone and Hair Resilience"

SUFFIX_BUG = (
    "BUG actions/retrieval.py:188-210: stem() strips 'es'/'ed' whole, so a word whose stem "
    "ends in 'e' loses the 'e' in its inflected form only (causes->caus but cause->cause, "
    "follicles->follicl but follicle->follicle): singular and plural do not join"
)


@pytest.fixture(scope="module")
def index() -> PassageIndex:
    return load_index()[0]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_index()[1]


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
    ("word", "stemmed"),
    [
        ("bones", "bone"),
        ("vitamins", "vitamin"),
        ("treatments", "treat"),
        ("treating", "treat"),
        ("strengthening", "strengthen"),
        ("mineralization", "mineraliz"),
        ("studies", "stud"),
        ("hair", "hair"),
        ("iron", "iron"),
        # Too short to strip without losing the word.
        ("uses", "uses"),
        ("bed", "bed"),
    ],
)
def test_stem_strips_one_suffix_and_keeps_at_least_four_letters(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


@pytest.mark.parametrize(
    ("singular", "inflected"),
    [
        ("bone", "bones"),
        ("vitamin", "vitamins"),
        ("treat", "treated"),
        ("walk", "walking"),
        pytest.param("cause", "causes", marks=pytest.mark.xfail(strict=True, reason=SUFFIX_BUG)),
        pytest.param(
            "follicle", "follicles", marks=pytest.mark.xfail(strict=True, reason=SUFFIX_BUG)
        ),
        pytest.param(
            "fracture", "fractures", marks=pytest.mark.xfail(strict=True, reason=SUFFIX_BUG)
        ),
        pytest.param("reduce", "reduced", marks=pytest.mark.xfail(strict=True, reason=SUFFIX_BUG)),
    ],
)
def test_plural_and_verb_forms_share_a_stem(singular: str, inflected: str) -> None:
    assert stem(singular) == stem(inflected)


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
    ],
)
def test_a_clear_question_finds_its_sentence_and_clears_the_thresholds(
    index: PassageIndex, settings: Settings, query: str, sentence: str
) -> None:
    hit = index.search(query)

    assert hit is not None
    assert hit.passage.quote.text == sentence
    assert hit.clears(settings)


@pytest.mark.xfail(strict=True, reason=SUFFIX_BUG + " (so the singular question is declined)")
def test_the_singular_question_clears_like_the_plural_one(
    index: PassageIndex, settings: Settings
) -> None:
    hit = index.search("which molecule governs a follicle")

    assert hit is not None
    assert hit.passage.quote.text == FOLLICLES
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
    alone = index.search("how much do I need")
    widened = index.search("how much do I need", ["calcium"])

    assert alone is not None
    assert not alone.clears(settings)
    assert widened is not None
    assert widened.passage.quote.text == CALCIUM
    assert widened.clears(settings)


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
        "can steroids thin my hair",  # a real question, but too vague to answer unaided
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


def test_the_thresholds_are_the_calibrated_ones() -> None:
    calibrated = yaml.safe_load((KNOWLEDGE_DIR / SETTINGS_FILE).read_text("utf-8"))
    _, settings = load_index()

    assert settings == Settings(calibrated["min_score"], calibrated["min_coverage"])
    assert 0 < settings.min_coverage <= 1
    assert settings.min_score > 0


@pytest.mark.parametrize(
    ("score", "coverage", "clears"),
    [(4.0, 0.55, True), (3.99, 1.0, False), (10.0, 0.5, False), (10.0, 1.0, True)],
)
def test_a_hit_clears_only_when_score_and_coverage_both_reach_the_thresholds(
    index: PassageIndex, score: float, coverage: float, clears: bool
) -> None:
    hit = Hit(index.passages[0], score, coverage)

    assert hit.clears(Settings(min_score=4.0, min_coverage=0.55)) is clears


def test_the_index_is_built_once() -> None:
    assert load_index() is load_index()
