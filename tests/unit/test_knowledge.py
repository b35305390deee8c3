"""The knowledge base: the article parses into its sections, every answer is grounded in
it verbatim, and a misquoted answer cannot be loaded."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.constants import INTENT_FOLLOWUP, INTENT_HOW_MUCH, INTENT_WHAT_ABOUT
from actions.knowledge import (
    ENTRIES_SUFFIX,
    KNOWLEDGE_DIR,
    KnowledgeBase,
    KnowledgeError,
    load_directory,
    load_knowledge,
    parse_document,
)
from actions.retrieval import load_index
from tests.second_document import KNOWLEDGE as SECOND_KNOWLEDGE
from tests.second_document import add_knowledge
from tests.unit.article import CALCIUM, REMODELING, UNQUOTED

DOC_ID = "osteoporosis-and-hair-loss"
ARTICLE = KNOWLEDGE_DIR / f"{DOC_ID}.md"
ENTRIES = KNOWLEDGE_DIR / f"{DOC_ID}{ENTRIES_SUFFIX}"
PROJECT_DIR = Path(__file__).resolve().parents[2]
LOOKUPS = PROJECT_DIR / "data" / "lookups.yml"

HEADINGS = [
    "Introduction",
    "Is There a Direct Causal Link?",
    "Common Systemic Factors Linking Bone and Hair Health",
    "Medication Side Effects and Hair Loss",
    "Nutritional Strategies for Bone and Hair Resilience",
]

# The fixture's second document (tests/integration/test_documents.py adds it to a copy
# of the project): its quotes are checked like the article's.
ENTRIES_FILES = [
    *sorted(KNOWLEDGE_DIR.glob("*" + ENTRIES_SUFFIX)),
    *sorted(SECOND_KNOWLEDGE.glob("*" + ENTRIES_SUFFIX)),
]


def _document_file(entries_file: Path) -> Path:
    """The document an entries file quotes: its `document`, else its own name."""
    raw = yaml.safe_load(entries_file.read_text("utf-8")) or {}
    name = raw.get("document") or entries_file.name[: -len(ENTRIES_SUFFIX)]
    return entries_file.parent / f"{name}.md"


# Read straight from the files, not through the loader, so the grounding check does not
# depend on the code it guards: every quote of every entries file, with its document.
RAW = yaml.safe_load(ENTRIES.read_text("utf-8"))
RAW_QUOTES = [
    pytest.param(
        _document_file(path),
        raw["id"],
        sentence,
        id=f"{_document_file(path).stem}-{raw['id']}-{field}-{i}",
    )
    for path in ENTRIES_FILES
    for raw in [
        *yaml.safe_load(path.read_text("utf-8"))["entries"],
        *(yaml.safe_load(path.read_text("utf-8")).get("tips") or ()),
    ]
    for field in ("quotes", "more", "quote")
    for i, sentence in enumerate(
        [raw[field]] if isinstance(raw.get(field), str) else raw.get(field) or ()
    )
]


# `ask_*` intents answered from the conversation's context or by other actions, not an entry.
NOT_TOPIC_INTENTS = {
    INTENT_WHAT_ABOUT,
    INTENT_HOW_MUCH,
    INTENT_FOLLOWUP,
    "ask_more",
    "ask_source",
    "ask_tip",
    "ask_capabilities",
}


def test_the_article_parses_into_its_title_and_sections(knowledge: KnowledgeBase) -> None:
    document = knowledge.documents[DOC_ID]

    assert document.title == "Osteoporosis and Hair Loss"
    assert [section.heading for section in document.sections] == HEADINGS


def test_sentence_splitting_keeps_every_word_of_every_section(knowledge: KnowledgeBase) -> None:
    for section in knowledge.documents[DOC_ID].sections:
        assert " ".join(section.sentences) == section.text.replace("\n", " ")
    counts = [len(section.sentences) for section in knowledge.documents[DOC_ID].sections]
    assert counts == [4, 7, 11, 7, 11]


def test_numbers_and_brackets_do_not_split_a_sentence(knowledge: KnowledgeBase) -> None:
    nutrition = knowledge.documents[DOC_ID].sections[-1]

    assert (
        "Adults typically need 1,000 to 1,200 mg of calcium daily, which can be sourced from "
        "dairy products, fortified plant milks, and dark leafy greens." in nutrition.sentences
    )
    assert (
        "Furthermore, B vitamins, such as Biotin (B7), and Iron are essential micronutrients "
        "that support hair follicle health and red blood cell production." in nutrition.sentences
    )


@pytest.mark.parametrize(
    ("markdown", "problem"),
    [
        ("## Introduction\n\nText.\n", "front matter"),
        ("---\nsource: x\n---\n## Introduction\n\nText.\n", "title"),
        ("---\ntitle: T\n---\nStray text.\n## Introduction\n\nText.\n", "before the first"),
        ("---\ntitle: T\n---\n\n", "no sections"),
    ],
)
def test_a_malformed_document_is_refused(markdown: str, problem: str) -> None:
    with pytest.raises(KnowledgeError, match=problem):
        parse_document("broken", markdown)


def test_every_entries_file_is_checked_the_fixture_included() -> None:
    assert {_document_file(p).stem for p in ENTRIES_FILES} >= {DOC_ID, "honey-bees"}
    assert len(RAW_QUOTES) > 60


@pytest.mark.parametrize(("document", "owner", "sentence"), RAW_QUOTES)
def test_every_quoted_sentence_is_in_its_own_document_verbatim(
    document: Path, owner: str, sentence: str
) -> None:
    text = document.read_text("utf-8")
    assert sentence in text, f"{owner} quotes a sentence {document.name} does not contain"


@pytest.mark.parametrize(("document", "owner", "sentence"), RAW_QUOTES)
def test_every_quote_is_one_whole_sentence_of_its_document(
    document: Path, owner: str, sentence: str
) -> None:
    # Retrieval links a passage to its entries by whole sentences: a fragment would not link.
    parsed = parse_document(document.stem, document.read_text("utf-8"))
    sentences = {s for section in parsed.sections for s in section.sentences}
    assert sentence in sentences, f"{owner}: not a whole sentence of {document.name}"


def test_loaded_quotes_stand_in_the_section_they_name(knowledge: KnowledgeBase) -> None:
    quotes = [q for e in knowledge.entries.values() for q in (*e.quotes, *e.more)]
    quotes += [tip.quote for tip in knowledge.tips]

    assert len(quotes) == sum(
        len(e.get("quotes") or ()) + len(e.get("more") or ()) for e in RAW["entries"]
    ) + len(RAW["tips"])
    for quote in quotes:
        assert quote.text in quote.section.text
        assert quote.section in quote.document.sections


@pytest.mark.parametrize("raw", RAW["entries"] + RAW["tips"], ids=lambda raw: raw["id"])
def test_the_section_written_in_the_entries_file_is_where_its_quotes_are(
    knowledge: KnowledgeBase, raw: dict[str, Any]
) -> None:
    document = knowledge.documents[DOC_ID]
    quotes = raw.get("quotes") or [raw["quote"]]

    assert {document.section_of(q).heading for q in quotes} == {raw["section"]}


def test_every_entry_and_tip_of_the_file_is_loaded(knowledge: KnowledgeBase) -> None:
    assert list(knowledge.entries) == [e["id"] for e in RAW["entries"]]
    assert [tip.id for tip in knowledge.tips] == [t["id"] for t in RAW["tips"]]


def test_every_entry_intent_is_declared_in_the_domain(
    knowledge: KnowledgeBase, domain: dict[str, Any]
) -> None:
    undeclared = [e.intent for e in knowledge.entries.values() if e.intent not in domain["intents"]]
    assert undeclared == []


def test_every_topic_intent_of_the_domain_has_an_entry(
    knowledge: KnowledgeBase, domain: dict[str, Any]
) -> None:
    topic_intents = {i for i in domain["intents"] if i.startswith("ask_")} - NOT_TOPIC_INTENTS
    assert topic_intents == set(knowledge.by_intent)


def test_every_related_entry_exists(knowledge: KnowledgeBase) -> None:
    for entry in knowledge.entries.values():
        assert entry.related, f"{entry.id} offers no follow-up"
        for related in entry.related:
            assert related in knowledge.entries
            assert related != entry.id


def _examples(item: dict[str, Any]) -> list[str]:
    return [line[2:].strip().lower() for line in item["examples"].splitlines() if line.strip()]


def test_every_entity_value_names_a_subject_the_knowledge_answers(
    knowledge: KnowledgeBase,
) -> None:
    nlu = yaml.safe_load(LOOKUPS.read_text("utf-8"))["nlu"]
    synonyms = {x: item["synonym"] for item in nlu if "synonym" in item for x in _examples(item)}
    # What EntitySynonymMapper outputs for every text the lookup tables can match.
    values = {synonyms.get(x, x) for item in nlu if "lookup" in item for x in _examples(item)}

    assert {"glucocorticoids", "vitamin_d", "exercise", "iron"} <= values
    assert sorted(v for v in values if knowledge.find(v) is None) == []


def _copy_knowledge(tmp_path: Path, edit: tuple[str, str] | None = None) -> Path:
    """The real knowledge files in `tmp_path`; `edit` replaces one string in the entries."""
    shutil.copy(ARTICLE, tmp_path / ARTICLE.name)
    text = ENTRIES.read_text("utf-8")
    if edit:
        old, new = edit
        assert text.count(old) == 1, "the edit must change exactly one place"
        text = text.replace(old, new)
    (tmp_path / ENTRIES.name).write_text(text, "utf-8")
    return tmp_path


def test_an_unchanged_copy_of_the_knowledge_loads(tmp_path: Path) -> None:
    copy = load_directory(_copy_knowledge(tmp_path))

    assert list(copy.entries) == list(load_knowledge().entries)


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        # A quote of the calcium entry, with "dairy products" now "dairy foods".
        (
            'quotes:\n      - "Adults typically need 1,000 to 1,200 mg of calcium daily, which '
            "can be sourced from dairy products",
            'quotes:\n      - "Adults typically need 1,000 to 1,200 mg of calcium daily, which '
            "can be sourced from dairy foods",
            "entry 'calcium'",
        ),
        # A `more` sentence of causal_link, with "skeletal" now "bone".
        (
            '"Osteoporosis is a skeletal disease',
            '"Osteoporosis is a bone disease',
            "entry 'causal_link'",
        ),
        # A tip's quote, with "Effective" now "Good".
        (
            'quote: "Effective stress management',
            'quote: "Good stress management',
            "tip 'tip_stress'",
        ),
        # A related id that does not exist.
        ("related: [inflammation, exercise]", "related: [inflammation, sport]", "'stress'"),
        # Lifestyle quotes with no words to ask for them.
        (
            "        words: [lifestyle, life style,",
            "        wards: [lifestyle, life style,",
            "'what_can_i_do'",
        ),
    ],
    ids=["quote", "more", "tip", "related", "quotes-for"],
)
def test_a_broken_copy_of_the_knowledge_is_refused_naming_the_culprit(
    tmp_path: Path, old: str, new: str, named: str
) -> None:
    directory = _copy_knowledge(tmp_path, (old, new))

    with pytest.raises(KnowledgeError) as refused:
        load_directory(directory)
    assert named in str(refused.value)


@pytest.mark.parametrize(
    ("document", "old", "new", "named"),
    [
        # The article now says "dairy foods" where the calcium entry quotes "dairy products".
        (
            ARTICLE.name,
            "sourced from dairy products",
            "sourced from dairy foods",
            "entry 'calcium'",
        ),
        # The fixture article, loaded beside the real one: "a thin cap of wax" is now
        # "a thin wax cap".
        ("honey-bees.md", "a thin cap of wax", "a thin wax cap", "entry 'making_honey'"),
        # A quoted sentence moved to another section: the citation would name the wrong one.
        (
            "honey-bees.md",
            "The queen is the only bee in the colony that lays eggs. ",
            "",
            "entry 'bee_colony'",
        ),
    ],
    ids=["article-reworded", "second-document-reworded", "sentence-removed"],
)
def test_an_edited_article_whose_quoted_sentence_no_longer_stands_is_refused(
    tmp_path: Path, document: str, old: str, new: str, named: str
) -> None:
    directory = _copy_knowledge(tmp_path)
    add_knowledge(directory)
    assert len(load_directory(directory).documents) == 2  # both load before the edit
    article = directory / document
    text = article.read_text("utf-8")
    assert text.count(old) == 1, "the edit must change exactly one place"
    article.write_text(text.replace(old, new), "utf-8")

    with pytest.raises(KnowledgeError) as refused:
        load_directory(directory)
    assert named in str(refused.value)
    assert document in str(refused.value)


def test_a_quote_moved_to_another_section_than_its_entry_names_is_refused(
    tmp_path: Path,
) -> None:
    directory = _copy_knowledge(tmp_path)
    add_knowledge(directory)
    article = directory / "honey-bees.md"
    sentence = "The queen is the only bee in the colony that lays eggs."
    text = article.read_text("utf-8").replace(sentence + " ", "")
    article.write_text(text.replace("## Making Honey\n\n", f"## Making Honey\n\n{sentence} "))

    with pytest.raises(KnowledgeError, match="stands in section 'Making Honey'"):
        load_directory(directory)


def test_an_edit_that_leaves_every_quote_standing_loads(tmp_path: Path) -> None:
    directory = _copy_knowledge(tmp_path)
    article = directory / ARTICLE.name
    article.write_text(article.read_text("utf-8") + "\n## Further Reading\n\nA new section.\n")

    assert list(load_directory(directory).documents[DOC_ID].sections)[-1].heading == (
        "Further Reading"
    )


def test_the_knowledge_is_loaded_once_and_cached() -> None:
    assert load_knowledge() is load_knowledge()


def test_the_retrieval_index_is_built_from_the_same_loaded_knowledge() -> None:
    # The article is parsed once per process: the index quotes the very same Document.
    index = load_index()
    document = load_knowledge().documents[DOC_ID]

    assert index.passages
    assert all(passage.quote.document is document for passage in index.passages)


# --- quote_for: a sentence shown to the user, found again in the article ----------------


@pytest.mark.parametrize(
    ("sentence", "heading"),
    [
        (CALCIUM, HEADINGS[4]),
        (REMODELING, HEADINGS[1]),
        # A sentence no entry quotes is in the article all the same.
        (UNQUOTED, HEADINGS[4]),
        (
            "Hair loss, or alopecia, is a dermatological condition where hair falls out from the "
            "scalp or body.",
            HEADINGS[0],
        ),
    ],
)
def test_quote_for_finds_a_sentence_of_the_article_with_its_section(
    knowledge: KnowledgeBase, sentence: str, heading: str
) -> None:
    quote = knowledge.quote_for(sentence)

    assert quote is not None
    assert quote.text == sentence
    assert quote.section.heading == heading
    assert quote.document is knowledge.documents[DOC_ID]
    assert sentence in quote.section.sentences


def test_quote_for_gives_the_same_quote_the_entry_holds(knowledge: KnowledgeBase) -> None:
    for entry in knowledge.entries.values():
        for quote in (*entry.quotes, *entry.more):
            assert knowledge.quote_for(quote.text) == quote


@pytest.mark.parametrize(
    "sentence",
    [
        # One word changed: "dairy products" -> "dairy foods".
        CALCIUM.replace("dairy products", "dairy foods"),
        # Straight apostrophe for the article's curly one.
        UNQUOTED.replace("’", "'"),
        "Osteoporosis is caused by hair loss.",
        "Sorry, the article I answer from doesn't cover that.",
    ],
    ids=["one-word-changed", "straight-apostrophe", "not-in-the-article", "a-bot-reply"],
)
def test_quote_for_finds_nothing_for_a_sentence_the_article_does_not_contain(
    knowledge: KnowledgeBase, sentence: str
) -> None:
    assert knowledge.quote_for(sentence) is None
