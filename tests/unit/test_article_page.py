"""The article pages answers link to (/chat/article/<document>), without a server."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.knowledge import load_knowledge
from actions.messages import citation
from channels.article import (
    anchor,
    article_file,
    article_link,
    fingerprint,
    load_article,
    parse_article,
    render_article,
)
from tests.unit.article import FOSAMAX

DOCUMENT = "osteoporosis-and-hair-loss"


def test_a_heading_becomes_a_stable_readable_anchor() -> None:
    assert anchor("Is There a Direct Causal Link?") == "is-there-a-direct-causal-link"
    assert anchor("Vitamin D & Calcium: 600–800 IU") == "vitamin-d-calcium-600-800-iu"
    assert anchor("Café au lait") == "cafe-au-lait"
    assert anchor("???") == "section"


def test_every_section_of_the_article_has_its_anchor_on_the_page() -> None:
    article = load_article(DOCUMENT)
    assert article is not None
    page = render_article(article)

    assert article.title == "Osteoporosis and Hair Loss"
    assert len(article.sections) == 5
    for heading, paragraphs in article.sections:
        assert f'<section id="{anchor(heading)}">' in page
        assert paragraphs
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page


def test_an_answers_link_points_at_the_section_its_quote_stands_in() -> None:
    quote = load_knowledge().quote_for(FOSAMAX)
    assert quote is not None

    link = citation([quote])["link"]

    assert link == (
        f"/chat/article/{DOCUMENT}?quote={fingerprint(FOSAMAX)}"
        "#medication-side-effects-and-hair-loss"
    )
    page = render_article(load_article(DOCUMENT), [fingerprint(FOSAMAX)])  # type: ignore[arg-type]
    assert f'<mark class="quote">{FOSAMAX}</mark>' in page
    assert page.index('id="medication-side-effects-and-hair-loss"') < page.index("<mark")


def test_every_quote_of_every_answer_links_to_an_anchor_its_page_has() -> None:
    knowledge = load_knowledge()
    for entry in knowledge.entries.values():
        for quote in entry.sentences:
            link = citation([quote])["link"]
            document, fragment = (
                link.removeprefix("/chat/article/").split("?")[0],
                link.split("#")[1],
            )
            article = load_article(document)
            assert article is not None, link
            assert f'<section id="{fragment}">' in render_article(article), link


def test_a_quote_that_is_not_in_the_article_marks_nothing() -> None:
    page = render_article(load_article(DOCUMENT), ["<script>alert(1)</script>"])  # type: ignore[arg-type]

    assert "<mark" not in page
    assert "<script>" not in page


def test_article_text_is_escaped() -> None:
    article = parse_article("---\ntitle: A <b> & C\n---\n\n## H <i>\n\nx < y & z\n")
    page = render_article(article)

    assert "<title>A &lt;b&gt; &amp; C</title>" in page
    assert "x &lt; y &amp; z" in page
    assert "H &lt;i&gt;" in page


@pytest.mark.parametrize(
    "document",
    [
        "no-such-article",
        "../README",
        "..",
        "osteoporosis-and-hair-loss.md",
        "osteoporosis-and-hair-loss.entries",
        "/etc/passwd",
        "vocabulary",  # a .yml, not an article
        "",
        "Osteoporosis-and-hair-loss",
    ],
)
def test_only_the_articles_in_the_knowledge_directory_are_served(document: str) -> None:
    assert load_article(document) is None


def test_every_article_in_the_directory_is_served(tmp_path: Path) -> None:
    (tmp_path / "second.md").write_text("---\ntitle: Second\n---\n\n## One\n\nText.\n")
    (tmp_path / "notes.txt").write_text("not an article")

    assert article_file("second", tmp_path) == tmp_path / "second.md"
    assert article_file("notes", tmp_path) is None
    article = load_article("second", tmp_path)
    assert article is not None and article.title == "Second"
    assert article_link("second", "One", ["Text."]) == (
        f"/chat/article/second?quote={fingerprint('Text.')}#one"
    )
    page = render_article(article, [fingerprint("Text.")])
    assert '<mark class="quote">Text.</mark>' in page


def test_a_symlink_out_of_the_directory_is_not_served(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("---\ntitle: Secret\n---\n\n## S\n\nsecret\n")
    inside = tmp_path / "knowledge"
    inside.mkdir()
    (inside / "linked.md").symlink_to(outside)

    assert load_article("linked", inside) is None
