"""What the widget's socket.io channel accepts from a browser, without a server."""

from __future__ import annotations

import pytest

from channels.rest import MAX_MESSAGE_CHARS
from channels.webchat import (
    PAGE_DIR,
    PAGE_SECURITY_HEADERS,
    TOO_LONG_MESSAGE,
    metadata_from,
    session_id_from,
    text_from,
)


def test_a_well_formed_session_id_is_kept() -> None:
    assert session_id_from({"session_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0"}) == (
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        "text",
        [],
        {},
        {"session_id": None},
        {"session_id": 7},
        {"session_id": "short"},
        {"session_id": "has spaces in it"},
        {"session_id": "../../../etc"},
        {"session_id": "x" * 129},
    ],
)
def test_a_missing_or_odd_session_id_is_replaced_by_a_fresh_one(data: object) -> None:
    fresh = session_id_from(data)
    assert len(fresh) == 32 and fresh.isalnum()
    assert fresh != session_id_from(data)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"message": "does osteoporosis cause hair loss?"}, "does osteoporosis cause hair loss?"),
        ({"message": ""}, ""),  # the bot answers blank messages itself
        ({"message": "🦴 ¿pérdida de cabello?"}, "🦴 ¿pérdida de cabello?"),
        ({"message": "x" * MAX_MESSAGE_CHARS}, "x" * MAX_MESSAGE_CHARS),
        ({"message": "x" * (MAX_MESSAGE_CHARS + 1)}, TOO_LONG_MESSAGE),
        ({"message": 42}, None),
        ({"message": None}, None),
        ({}, None),
        ("a bare string", None),
        (None, None),
    ],
    ids=[
        "question",
        "blank",
        "emoji",
        "at-limit",
        "over-limit",
        "number",
        "null",
        "none",
        "not-an-object",
        "no-data",
    ],
)
def test_the_text_handed_to_the_bot(data: object, text: str | None) -> None:
    assert text_from(data) == text


@pytest.mark.parametrize(
    ("data", "metadata"),
    [
        ({"customData": {"language": "en"}}, {"language": "en"}),
        ({"customData": '{"language": "en"}'}, {"language": "en"}),
        ({"customData": "not json"}, {}),
        ({"customData": "[1, 2]"}, {}),
        ({"customData": 5}, {}),
        ({}, {}),
        (None, {}),
    ],
)
def test_metadata_is_an_object_or_nothing(data: object, metadata: dict) -> None:
    assert metadata_from(data, "customData") == metadata


def test_the_page_allows_no_inline_or_third_party_scripts() -> None:
    policy = PAGE_SECURITY_HEADERS["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    page = (PAGE_DIR / "index.html").read_text("utf-8")
    assert "<script>" not in page  # only script files, which the policy allows
    assert "http://" not in page and "https://" not in page  # nothing from a CDN
