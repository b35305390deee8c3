"""Several documents in one knowledge directory: the project's article and the fixture's
second one (tests/fixtures/second-document/knowledge/) load together, quotes know their
document, retrieval and the answerability decision cover both, and a document's own
words come from its own vocabulary file. No Rasa, no classifier: the decision alone."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from actions.answerability import ANSWER, decide, read_question
from actions.concepts import VOCABULARY_SUFFIX, Vocabulary, vocabulary_of
from actions.knowledge import KNOWLEDGE_DIR, KnowledgeBase, KnowledgeError, load_directory
from actions.retrieval import PassageIndex
from tests.second_document import (
    ANSWERED,
    DECLINED,
    DOC_ID,
    TITLE,
    Answered,
    add_knowledge,
)

ORIGINAL = "osteoporosis-and-hair-loss"
SECOND = DOC_ID


@dataclass(frozen=True)
class Knowledge:
    directory: Path
    base: KnowledgeBase
    vocabulary: Vocabulary
    index: PassageIndex


def _with_second_document(directory: Path) -> Path:
    shutil.copytree(KNOWLEDGE_DIR, directory)
    return add_knowledge(directory)


def _sharing_a_sentence(directory: Path, shared: str) -> KnowledgeBase:
    """Both documents, the second with a section that repeats `shared` of the first."""
    _with_second_document(directory)
    bees = directory / f"{SECOND}.md"
    bees.write_text(bees.read_text("utf-8") + f"\n## Borrowed\n\n{shared}\n", "utf-8")
    return load_directory(directory)


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    directory = _with_second_document(tmp_path_factory.mktemp("two") / "knowledge")
    base = load_directory(directory)
    return Knowledge(directory, base, vocabulary_of(directory, base), PassageIndex(base.passages()))


def test_both_documents_load_with_their_titles_sources_and_entries(two: Knowledge) -> None:
    documents = two.base.documents

    assert sorted(documents) == [SECOND, ORIGINAL]
    assert documents[SECOND].title == TITLE
    assert documents[SECOND].source
    assert documents[ORIGINAL].title == "Osteoporosis and Hair Loss"
    assert {"bee_colony", "making_honey", "waggle_dance", "causal_link", "calcium"} <= set(
        two.base.entries
    )


def test_every_quote_knows_its_own_document_and_section(two: Knowledge) -> None:
    for entry in two.base.entries.values():
        expected = (
            SECOND if entry.id in {"bee_colony", "making_honey", "waggle_dance"} else ORIGINAL
        )
        for quote in entry.sentences:
            assert quote.document is two.base.documents[expected]
            assert quote.section in quote.document.sections
            assert quote.text in quote.section.text
    assert two.base.entries["waggle_dance"].quotes[0].section.heading == "The Waggle Dance"


def test_retrieval_covers_every_sentence_of_both_documents(two: Knowledge) -> None:
    documents = {p.quote.document.id for p in two.index.passages}
    sentences = sum(len(s.sentences) for d in two.base.documents.values() for s in d.sections)

    assert documents == {SECOND, ORIGINAL}
    assert len(two.index.passages) == sentences
    [bees] = two.index.ranked("how does the angle of the dance show direction", limit=1)
    assert bees.passage.quote.document.id == SECOND
    assert bees.passage.entry_ids == ("waggle_dance",)
    [bones] = two.index.ranked("how many mg of calcium daily", limit=1)
    assert bones.passage.quote.document.id == ORIGINAL


def test_a_documents_own_vocabulary_is_merged_with_the_shared_one(
    two: Knowledge, tmp_path: Path
) -> None:
    concepts = [t.concept for t in two.vocabulary.read("what does the waggle dance show")]
    assert "waggle_dance" in concepts
    assert "osteoporosis" in two.vocabulary.concepts  # the shared vocabulary.yml still counts

    without = _with_second_document(tmp_path / "knowledge")
    (without / f"{SECOND}{VOCABULARY_SUFFIX}").unlink()
    plain = vocabulary_of(without, load_directory(without))
    assert "waggle_dance" not in plain.concepts
    assert "osteoporosis" in plain.concepts


def test_a_vocabulary_file_without_its_document_is_refused(tmp_path: Path) -> None:
    directory = _with_second_document(tmp_path / "knowledge")
    (directory / f"{SECOND}.md").rename(directory / "bees.txt")
    (directory / f"{SECOND}.entries.yml").unlink()

    with pytest.raises(KnowledgeError, match=f"no document {SECOND}.md"):
        vocabulary_of(directory, load_directory(directory))


@pytest.mark.parametrize("asked", ANSWERED, ids=lambda a: a.question)
def test_each_documents_questions_are_answered_from_that_document(
    two: Knowledge, asked: Answered
) -> None:
    decision = decide(
        read_question(asked.question, two.vocabulary), two.base, two.vocabulary, two.index
    )

    assert decision.outcome == ANSWER, decision.reason
    assert asked.sentence in [q.text for q in decision.quotes]
    assert {(q.document.id, q.section.heading) for q in decision.quotes} == {
        (asked.document, asked.section)
    }


@pytest.mark.parametrize("question", DECLINED)
def test_questions_the_second_document_does_not_answer_are_not_answered(
    two: Knowledge, question: str
) -> None:
    decision = decide(read_question(question, two.vocabulary), two.base, two.vocabulary, two.index)

    assert decision.outcome != ANSWER, [q.text for q in decision.quotes]


def test_a_sentence_two_documents_share_links_only_to_its_own_documents_entries(
    tmp_path: Path,
) -> None:
    shared = "This imbalance results in a net loss of bone mass."
    base = _sharing_a_sentence(tmp_path / "knowledge", shared)

    links = {p.quote.document.id: p.entry_ids for p in base.passages() if p.quote.text == shared}

    assert links[SECOND] == ()
    assert set(links[ORIGINAL]) == {"bone_remodeling", "what_is_osteoporosis"}


def test_quote_for_finds_a_shared_sentence_in_the_document_it_is_asked_of(
    tmp_path: Path,
) -> None:
    shared = "This imbalance results in a net loss of bone mass."
    base = _sharing_a_sentence(tmp_path / "knowledge", shared)

    borrowed = base.quote_for(shared, SECOND)
    assert borrowed is not None
    assert (borrowed.document.id, borrowed.section.heading) == (SECOND, "Borrowed")
    original = base.quote_for(shared, ORIGINAL)
    assert original is not None and original.document.id == ORIGINAL
    assert (
        base.quote_for("The queen is the only bee in the colony that lays eggs.", ORIGINAL) is None
    )
