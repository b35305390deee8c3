"""The conversation tests of tests/test_stories.yml, run by `rasa test` against the
trained model and a real action server; any wrong intent, entity or action fails.

They run three times, through the launcher as the server is started: as served (the
fixes of rasa_patches and the TensorFlow placeholder), with the real TensorFlow
(RASA_TENSORFLOW=1), and as stock Rasa (STOCK_RASA=1: no fixes, TensorFlow loaded). All
three must pass with the same report, action by action and entity by entity: the
fixes and the placeholder change the cost, not the conversation.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from scripts.servers import ROOT, free_port

REPORTS = ("story_report.json", "TEDPolicy_report.json", "TEDPolicy_errors.json")
VARIANTS = {
    "as-served": {},
    "with-tensorflow": {"RASA_TENSORFLOW": "1"},
    "stock-rasa": {"STOCK_RASA": "1"},
}


@pytest.fixture(scope="module")
def action_endpoints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An action server of its own, and an endpoints file that points at it."""
    port = free_port()
    python = str(ROOT / ".venv/bin/python")
    actions = subprocess.Popen(
        [python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(120):
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.25)
        endpoints = tmp_path_factory.mktemp("endpoints") / "endpoints.yml"
        endpoints.write_text(f"action_endpoint:\n  url: http://127.0.0.1:{port}/webhook\n")
        yield endpoints
    finally:
        actions.terminate()
        actions.wait(30)


def run_stories(endpoints: Path, out: Path, env: dict[str, str]) -> dict[str, Any]:
    """`rasa test core` on the test stories, through the launcher; its reports."""
    command = [
        *(str(ROOT / ".venv/bin/python"), "-m", "rasa_patches", "test", "core"),
        *("--model", "models/osteo-hair-faq.tar.gz", "--stories", "tests/test_stories.yml"),
        *("--endpoints", str(endpoints), "--fail-on-prediction-errors", "--out", str(out)),
    ]
    result = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false", **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    failed = out / "failed_test_stories.yml"
    assert not failed.exists() or "stories:" not in failed.read_text("utf-8")
    reports = {name: json.loads((out / name).read_text("utf-8")) for name in REPORTS}
    return {"launcher": _launcher_line(result.stderr), **reports}


def _launcher_line(stderr: str) -> str:
    return next((line for line in stderr.splitlines() if line.startswith("rasa_patches:")), "")


@pytest.fixture(scope="module")
def as_served(action_endpoints: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    return run_stories(action_endpoints, tmp_path_factory.mktemp("as-served"), {})


def test_every_story_is_predicted_without_errors(as_served: dict[str, Any]) -> None:
    stories = yaml.safe_load((ROOT / "tests" / "test_stories.yml").read_text("utf-8"))
    assert len(stories["stories"]) >= 25
    assert "TensorFlow placeholder" in as_served["launcher"], as_served["launcher"]
    assert as_served["story_report.json"]["accuracy"] == 1.0


@pytest.mark.parametrize("variant", ["with-tensorflow", "stock-rasa"])
def test_the_stories_are_predicted_the_same_without_the_patch_layer(
    action_endpoints: Path,
    tmp_path: Path,
    as_served: dict[str, Any],
    variant: str,
) -> None:
    other = run_stories(action_endpoints, tmp_path / variant, VARIANTS[variant])
    assert "placeholder" not in other["launcher"], other["launcher"]
    for name in REPORTS:
        assert other[name] == as_served[name], name
