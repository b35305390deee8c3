"""The conversation tests of tests/test_stories.yml, run by `rasa test` against the
trained model and a real action server; any wrong intent, entity or action fails."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import requests
import yaml

from scripts.servers import ROOT, free_port


def test_every_story_is_predicted_without_errors(tmp_path: Path) -> None:
    stories = yaml.safe_load((ROOT / "tests" / "test_stories.yml").read_text("utf-8"))
    assert len(stories["stories"]) >= 25
    port = free_port()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    actions = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/python"),
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
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
        endpoints = tmp_path / "endpoints.yml"
        endpoints.write_text(f"action_endpoint:\n  url: http://127.0.0.1:{port}/webhook\n")
        result = subprocess.run(
            [
                str(ROOT / ".venv/bin/rasa"),
                "test",
                "core",
                "--model",
                "models/osteo-hair-faq.tar.gz",
                "--stories",
                "tests/test_stories.yml",
                "--endpoints",
                str(endpoints),
                "--fail-on-prediction-errors",
                "--out",
                str(tmp_path / "results"),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        actions.terminate()
        actions.wait(30)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    failed = tmp_path / "results" / "failed_test_stories.yml"
    assert not failed.exists() or "stories:" not in failed.read_text("utf-8")
