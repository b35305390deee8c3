"""Passage retrieval: BM25 ranks the article's sentences for a question. It only proposes
candidates; whether one answers is the answerability decision's (test_answerability.py)."""

from __future__ import annotations

import random

import pytest

from actions.retrieval import PassageIndex, load_index, stem, tokenize
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
def test_a_clear_question_ranks_its_sentence_first(
    index: PassageIndex, query: str, sentence: str
) -> None:
    hits = index.ranked(query)

    assert hits[0].passage.quote.text == sentence
    assert hits[0].coverage > 0


def test_hits_come_best_first_at_most_the_limit(index: PassageIndex) -> None:
    hits = index.ranked("calcium vitamin d bone hair", limit=4)

    assert 1 <= len(hits) <= 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_the_hit_knows_its_section_and_the_entries_quoting_it(index: PassageIndex) -> None:
    hit = index.ranked("calcium dairy leafy greens")[0]

    assert hit.passage.quote.section.heading == NUTRITION
    # The calcium entry quotes it; the lifestyle entry has it among its further sentences.
    assert hit.passage.entry_ids == ("calcium", "what_can_i_do")


def test_a_sentence_quoted_by_several_entries_lists_the_quoting_ones_first(
    index: PassageIndex,
) -> None:
    hit = index.ranked("osteoclasts osteoblasts")[0]

    # bone_remodeling quotes it; what_is_osteoporosis only has it as `more`.
    assert hit.passage.entry_ids == ("bone_remodeling", "what_is_osteoporosis")


@pytest.mark.parametrize(
    ("query", "coverage"),
    [
        ("calcium dairy leafy greens", 1.0),
        # Four of its five words are in the Fosamax sentence; "permanent" is not.
        ("is it a rare and permanent side effect of fosamax", 0.8),
    ],
)
def test_coverage_is_the_share_of_the_questions_words_in_the_sentence(
    index: PassageIndex, query: str, coverage: float
) -> None:
    assert index.ranked(query)[0].coverage == coverage


@pytest.mark.parametrize(
    "query",
    ["", "   ", "?!?", "😀😀😀", "骨粗鬆症と脱毛", "остеопороз и выпадение волос", "I don't know"],
)
def test_a_message_without_topic_words_finds_nothing(index: PassageIndex, query: str) -> None:
    assert index.ranked(query) == []


def test_words_the_article_never_uses_find_nothing(index: PassageIndex) -> None:
    assert index.ranked("asdfgh qwerty zxcvb") == []


def test_a_100_kb_message_is_ranked_not_crashed(index: PassageIndex) -> None:
    message = ("calcium dairy leafy greens " * 4000)[:100_000]

    assert len(message) == 100_000
    assert index.ranked(message)[0].passage.quote.text == CALCIUM


def test_100_kb_of_gibberish_is_ranked_not_crashed(index: PassageIndex) -> None:
    letters = "bcdfghjklmnpqrstvwxz"
    rng = random.Random(7)
    message = " ".join("".join(rng.choices(letters, k=7)) for _ in range(12_500))[:100_000]

    assert index.ranked(message) == []


def test_the_index_is_built_once() -> None:
    assert load_index() is load_index()


def test_a_question_echoes_a_sentence_only_through_words_few_sentences_share() -> None:
    index = load_index()

    assert index.echoed("is osteoporosis a skeletal disease?") == {
        next(p.quote.text for p in index.passages if "is a skeletal disease" in p.quote.text)
    }
    # "Bone loss and hair" is in several sentences' words: it echoes none of them.
    assert index.echoed("does it cause bone loss and hair thinning?") == frozenset()
    # Nor a word any question about a link may use ("linking osteoporosis and hair loss").
    assert index.echoed("Is there a link between osteoporosis and hair loss?") == frozenset()
