"""The unknown-word gate: an unsure topic guess for a message with a content word that no
in-scope example, lookup table or knowledge document contains goes to the fallback; a
typo of a known word does not count as unknown."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.unknown_words import VOCABULARY_FILE, UnknownWordGate, Vocabulary

TOKENIZER = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
CONTEXT = ExecutionContext(GraphSchema({}), "test")
FALLBACK = "nlu_fallback"

TRAINING = [
    ("How much calcium do adults need?", "ask_calcium"),
    ("Does Fosamax make your hair fall out?", "ask_medication"),
    ("Can osteoporosis cause hair loss?", "ask_link"),
    ("What is the weather in Paris tomorrow?", "out_of_scope"),
]
LOOKUP_TABLES = [{"name": "medication", "elements": ["alendronate", "Zoledronic acid"]}]

# The gate's own vocabulary for the process() tests: what TRAINING would teach it.
KNOWN = ["how", "much", "calcium", "adults", "need", "fosamax", "hair", "child", "osteoporosis"]


def _tokenized(message: Message) -> Message:
    TOKENIZER.process([message])
    return message


def _example(text: str, intent: str) -> Message:
    return _tokenized(Message(data={"text": text, "intent": intent}))


def _guessed(
    text: str, intent: str | None, confidence: float, runner_up: str = "ask_link"
) -> Message:
    """A message after the intent classifier: `intent` guessed with `confidence`."""
    data: dict[str, Any] = {"text": text}
    if intent is not None:
        data["intent"] = {"name": intent, "confidence": confidence}
        data["intent_ranking"] = [
            {"name": intent, "confidence": confidence},
            {"name": runner_up, "confidence": round(1 - confidence, 2)},
        ]
    return _tokenized(Message(data=data))


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "knowledge"
    folder.mkdir()
    (folder / "article.md").write_text("# Telogen effluvium\n\nShedding after stress.\n")
    (folder / "notes.txt").write_text("Zebras are not part of the article.\n")
    return folder


def _trained_gate(storage: LocalModelStorage, **config: Any) -> UnknownWordGate:
    gate = UnknownWordGate.create(config, storage, Resource("gate"), CONTEXT)
    examples = [_example(text, intent) for text, intent in TRAINING]
    gate.train(TrainingData(training_examples=examples, lookup_tables=LOOKUP_TABLES))
    return gate


@pytest.fixture
def gate(storage: LocalModelStorage) -> UnknownWordGate:
    config = {"threshold": 0.5, "exempt_intents": ["greet"]}
    return UnknownWordGate(config, storage, Resource("gate"), Vocabulary(KNOWN))


# --- Vocabulary: which words count as known -------------------------------------------


@pytest.mark.parametrize("word", ["calcium", "Calcium", "CALCIUM", "fosamax"])
def test_a_known_word_is_known_whatever_its_case(word: str) -> None:
    assert Vocabulary(["calcium", "Fosamax"]).knows(word)


@pytest.mark.parametrize(
    "typo",
    [
        pytest.param("calcum", id="letter-missing"),
        pytest.param("alcium", id="first-letter-missing"),
        pytest.param("calcitum", id="letter-added"),
        pytest.param("calciumm", id="letter-doubled"),
        pytest.param("calsium", id="letter-replaced"),
        pytest.param("clacium", id="letters-swapped"),
        pytest.param("osteoporsis", id="long-word-letter-missing"),
    ],
)
def test_a_typo_one_edit_from_a_known_word_is_known(typo: str) -> None:
    assert Vocabulary(["calcium", "osteoporosis"]).knows(typo)


@pytest.mark.parametrize(
    "word",
    [
        pytest.param("toddler", id="new-word"),
        pytest.param("kalsium", id="two-letters-replaced"),
        pytest.param("cakcum", id="replaced-and-missing"),
        pytest.param("calciumxy", id="two-letters-added"),
        pytest.param("cium", id="three-letters-missing"),
    ],
)
def test_a_word_two_or_more_edits_from_every_known_word_is_unknown(word: str) -> None:
    assert not Vocabulary(["calcium", "osteoporosis"]).knows(word)


@pytest.mark.parametrize(
    ("word", "known"),
    [
        pytest.param("born", "bone", id="born-is-not-bone"),
        pytest.param("boys", "body", id="boys-is-not-body"),
        pytest.param("eighth", "weight", id="eighth-is-not-weight"),
        pytest.param("kind", "skin", id="kind-is-not-skin"),
    ],
)
def test_two_edits_at_different_places_are_not_a_typo(word: str, known: str) -> None:
    assert not Vocabulary([known]).knows(word)


def test_words_shorter_than_four_letters_must_be_spelt_exactly() -> None:
    vocabulary = Vocabulary(["dha"])

    assert vocabulary.knows("DHA")
    assert not vocabulary.knows("dah")
    assert not vocabulary.knows("dhaa")


def test_unknown_lists_the_unknown_content_words_in_message_order() -> None:
    words = [
        ("How", "how"),
        ("much", "much"),
        ("calcium", "calcium"),
        ("for", "for"),
        ("toddlers", "toddler"),
        ("and", "and"),
        ("puppies", "puppy"),
    ]

    assert Vocabulary(["calcium"]).unknown(words) == ["toddlers", "puppies"]


@pytest.mark.parametrize(
    "word",
    [
        pytest.param(("Should", "should"), id="stop-word"),
        pytest.param(("WHEREAS", "whereas"), id="stop-word-in-capitals"),
        pytest.param(("uv", "uv"), id="two-letters"),
        pytest.param(("1200", "1200"), id="digits"),
        pytest.param(("d3", "d3"), id="letters-and-digits"),
        pytest.param(("vitamin-d", "vitamin-d"), id="hyphenated"),
        pytest.param(("fosamax's", "fosamax's"), id="apostrophe"),
        pytest.param(("?", "?"), id="punctuation"),
    ],
)
def test_unknown_ignores_what_is_not_a_content_word(word: tuple[str, str]) -> None:
    assert Vocabulary([]).unknown([word]) == []


@pytest.mark.parametrize(
    "word",
    [("children", "child"), ("Mice", "mouse")],
    ids=["children-child", "mice-mouse"],
)
def test_a_word_whose_lemma_is_known_is_known(word: tuple[str, str]) -> None:
    assert Vocabulary(["child", "mouse"]).unknown([word]) == []


def test_a_word_whose_text_is_known_is_known_whatever_its_lemma() -> None:
    assert Vocabulary(["data"]).unknown([("data", "datum")]) == []


def test_letters_of_any_script_make_content_words() -> None:
    words = [("Müdigkeit", "müdigkeit"), ("кальций", "кальций")]

    assert Vocabulary(["calcium"]).unknown(words) == ["Müdigkeit", "кальций"]


def test_the_minimum_length_of_a_content_word_is_configurable() -> None:
    words = [("spf", "spf"), ("scalp", "scalp")]

    assert Vocabulary([]).unknown(words) == ["spf", "scalp"]
    assert Vocabulary([], min_length=5).unknown(words) == ["scalp"]


# --- Training: where the vocabulary comes from -----------------------------------------


def test_training_learns_the_words_of_in_scope_examples(storage: LocalModelStorage) -> None:
    vocabulary = _trained_gate(storage).vocabulary

    assert {"calcium", "adults", "fosamax", "osteoporosis", "loss"} <= vocabulary.words


def test_out_of_scope_examples_teach_no_words(storage: LocalModelStorage) -> None:
    vocabulary = _trained_gate(storage).vocabulary

    assert vocabulary.unknown([("weather", "weather"), ("Paris", "paris")]) == [
        "weather",
        "Paris",
    ]


def test_the_intents_that_teach_no_words_are_configurable(storage: LocalModelStorage) -> None:
    vocabulary = _trained_gate(storage, vocabulary_excludes_intents=["ask_calcium"]).vocabulary

    assert "weather" in vocabulary.words
    assert not vocabulary.knows("calcium")


def test_lookup_table_elements_are_known_word_by_word(storage: LocalModelStorage) -> None:
    vocabulary = _trained_gate(storage).vocabulary

    assert {"alendronate", "zoledronic", "acid"} <= vocabulary.words


def test_the_markdown_documents_of_the_configured_folders_are_known(
    storage: LocalModelStorage, knowledge_dir: Path
) -> None:
    vocabulary = _trained_gate(storage, documents=[str(knowledge_dir)]).vocabulary

    assert {"telogen", "effluvium", "shedding", "stress"} <= vocabulary.words
    assert not vocabulary.knows("zebras")  # notes.txt is not a markdown document


def test_without_documents_configured_no_document_is_read(
    storage: LocalModelStorage, knowledge_dir: Path
) -> None:
    assert not _trained_gate(storage).vocabulary.knows("telogen")


def test_the_lemmas_of_examples_are_known_too(storage: LocalModelStorage) -> None:
    example = Message(data={"text": "children", "intent": "ask_calcium"})
    example.set("text_tokens", [Token("children", 0, lemma="child")])
    gate = UnknownWordGate.create({}, storage, Resource("gate"), CONTEXT)

    gate.train(TrainingData(training_examples=[example]))

    assert gate.vocabulary.words == {"children", "child"}


def test_a_loaded_gate_knows_what_the_trained_one_knew(
    storage: LocalModelStorage, knowledge_dir: Path
) -> None:
    config = {"documents": [str(knowledge_dir)], "min_word_length": 4}
    trained = _trained_gate(storage, **config)

    loaded = UnknownWordGate.load(config, storage, Resource("gate"), CONTEXT)

    assert loaded is not trained
    assert loaded.vocabulary.words == trained.vocabulary.words
    assert {"calcium", "telogen", "alendronate"} <= loaded.vocabulary.words
    assert loaded.vocabulary.min_length == 4


def test_the_vocabulary_is_stored_as_a_sorted_json_word_list(
    storage: LocalModelStorage,
) -> None:
    trained = _trained_gate(storage)

    with storage.read_from(Resource("gate")) as directory:
        stored = json.loads((directory / VOCABULARY_FILE).read_text("utf-8"))

    assert stored == sorted(trained.vocabulary.words)


def test_a_loaded_gate_sends_the_same_messages_to_the_fallback(
    storage: LocalModelStorage,
) -> None:
    _trained_gate(storage, threshold=0.5)
    loaded = UnknownWordGate.load({"threshold": 0.5}, storage, Resource("gate"), CONTEXT)

    toddler, adults = (
        _guessed("calcium for a toddler", "ask_calcium", 0.4),
        _guessed("calcium for adults", "ask_calcium", 0.4),
    )
    loaded.process([toddler, adults])

    assert toddler.get("intent")["name"] == FALLBACK
    assert adults.get("intent")["name"] == "ask_calcium"


# --- Processing: which predictions go to the fallback ----------------------------------


def test_an_unsure_topic_guess_with_an_unknown_word_goes_to_the_fallback(
    gate: UnknownWordGate,
) -> None:
    message = _guessed("How much calcium should my toddler take?", "ask_calcium", 0.45)

    [processed] = gate.process([message])

    fallback = {"name": FALLBACK, "confidence": 0.45}
    assert processed.get("intent") == fallback
    assert processed.get("intent_ranking") == [
        fallback,
        {"name": "ask_calcium", "confidence": 0.45},
        {"name": "ask_link", "confidence": 0.55},
    ]
    # add_to_output: the tracker sees the fallback, not only the pipeline.
    assert {"intent", "intent_ranking"} <= processed.output_properties


@pytest.mark.parametrize(
    ("text", "intent", "confidence"),
    [
        pytest.param("calcium for my toddler", "ask_calcium", 0.9, id="confident"),
        pytest.param("calcium for my toddler", "ask_calcium", 0.5, id="exactly-threshold"),
        pytest.param("hello toddler", "greet", 0.2, id="exempt-intent"),
        pytest.param("calcium for my toddler", FALLBACK, 0.2, id="already-fallback"),
        pytest.param("How much calcium do adults need?", "ask_calcium", 0.2, id="all-known"),
        pytest.param("How much calcum do adults need?", "ask_calcium", 0.2, id="typo"),
        pytest.param("Is 1200 mg ok for me?", "ask_calcium", 0.2, id="no-content-word"),
        pytest.param("calcium for my toddler", None, 0.0, id="no-intent-yet"),
    ],
)
def test_other_predictions_are_left_as_they_are(
    gate: UnknownWordGate, text: str, intent: str | None, confidence: float
) -> None:
    message = _guessed(text, intent, confidence)
    before = copy.deepcopy((message.get("intent"), message.get("intent_ranking")))

    gate.process([message])

    assert (message.get("intent"), message.get("intent_ranking")) == before


def test_a_word_is_known_by_its_lemma_in_messages_too(gate: UnknownWordGate) -> None:
    message = _guessed("children", "ask_calcium", 0.3)
    message.set("text_tokens", [Token("children", 0, lemma="child")])

    gate.process([message])

    assert message.get("intent")["name"] == "ask_calcium"


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [(0.59, FALLBACK), (0.6, "ask_calcium")],
    ids=["below-0.6", "at-0.6"],
)
def test_the_default_threshold_is_0_6(
    storage: LocalModelStorage, confidence: float, expected: str
) -> None:
    gate = UnknownWordGate.create({}, storage, Resource("gate"), CONTEXT)
    gate.vocabulary = Vocabulary(KNOWN)

    [message] = gate.process([_guessed("calcium for my toddler", "ask_calcium", confidence)])

    assert message.get("intent")["name"] == expected


def test_only_the_qualifying_messages_of_a_batch_go_to_the_fallback(
    gate: UnknownWordGate,
) -> None:
    batch = [
        _guessed("calcium for my toddler", "ask_calcium", 0.3),
        _guessed("calcium for adults", "ask_calcium", 0.3),
        _guessed("Fosamax for my poodle", "ask_medication", 0.4),
        _guessed("Fosamax for my poodle", "ask_medication", 0.8),
    ]

    processed = gate.process(batch)

    assert processed == batch
    assert [m.get("intent")["name"] for m in processed] == [
        FALLBACK,
        "ask_calcium",
        FALLBACK,
        "ask_medication",
    ]
