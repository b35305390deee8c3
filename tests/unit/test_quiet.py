"""Only the warnings this project expects are silenced (rasa_patches/quiet.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from rasa_patches import quiet
from tests.conftest import PROJECT_DIR


def _silenced(project: Path = PROJECT_DIR) -> list[str]:
    return [message for _, message in quiet.expected(project)]


def test_a_response_the_actions_send_is_not_reported_as_unused() -> None:
    assert "The utterance 'utter_tip' is not used in any story or rule" in _silenced()


def test_a_response_no_code_sends_is_still_reported(tmp_path: Path) -> None:
    for package in quiet.SENDERS:
        shutil.copytree(PROJECT_DIR / package, tmp_path / package)
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text("utf-8"))
    domain["responses"]["utter_forgotten"] = [{"text": "Nobody sends this."}]
    (tmp_path / "domain.yml").write_text(yaml.safe_dump(domain), "utf-8")

    silenced = " ".join(_silenced(tmp_path))

    assert "utter_forgotten" not in silenced
    assert "utter_tip" in silenced


def test_an_intent_code_assigns_is_not_reported_as_untrained() -> None:
    assert any("'message_too_long' is listed in the domain file" in m for m in _silenced())
    # An intent the classifier is trained for is never in the list.
    assert not any("'ask_calcium'" in m for m in _silenced())


def test_only_the_expected_deprecations_are_dropped() -> None:
    expected = quiet.IMPORT_TIME
    assert quiet.is_expected(
        DeprecationWarning, "pkg_resources is deprecated as an API. See https://…", expected
    )
    assert not quiet.is_expected(DeprecationWarning, "something else is deprecated", expected)
    assert not quiet.is_expected(UserWarning, "pkg_resources is deprecated as an API", expected)
