"""The TensorFlow placeholder (rasa_patches/tensorflow_placeholder.py) changes the cost,
never the answers, and never stands in for a model that needs TensorFlow.

- The bot as `make run` starts it has no TensorFlow in memory, and gives the development
  set the same replies, message for message, as the bot with TensorFlow
  (RASA_TENSORFLOW=1).
- A config with DIET trains with the real TensorFlow (the launcher decides so from the
  config); forced onto the placeholder (RASA_TENSORFLOW=0) it stops with the clear
  error, naming DIETClassifier, instead of training a fake.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from actions.knowledge import load_knowledge
from scripts.evaluate import DEV_SETS, Judge, evaluate, load_set
from scripts.servers import ROOT, Bot, running_bot


def _tensorflow_libraries(pid: int) -> list[str]:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return sorted({line.split()[-1] for line in maps.splitlines() if "tensorflow" in line})


def test_the_served_bot_has_no_tensorflow_in_memory(bot: Bot) -> None:
    pid = bot.children()["rasa"]
    assert _tensorflow_libraries(pid) == []
    assert "TensorFlow placeholder: the model" in bot.log()


def _replies_to_the_development_set(bot: Bot) -> list[tuple[str, list[dict]]]:
    asked: list[tuple[str, list[dict]]] = []

    def recording(sender: str, text: str) -> list[dict]:
        replies = bot.send(sender, text)
        # Everything the user is sent; the conversation id is a new random one each time,
        # and links to the article are on each bot's own address.
        seen = [{k: v for k, v in r.items() if k != "recipient_id"} for r in replies]
        asked.append((text, json.loads(json.dumps(seen).replace(bot.url, "<bot>"))))
        return replies

    knowledge = load_knowledge()
    evaluate(
        recording, load_set(DEV_SETS[0], knowledge, sealed=False), Judge.for_project(knowledge)
    )
    return asked


def test_the_development_set_gets_the_same_replies_with_tensorflow(bot: Bot) -> None:
    without = _replies_to_the_development_set(bot)
    with running_bot(env={"RASA_TENSORFLOW": "1"}) as with_tensorflow:
        assert _tensorflow_libraries(with_tensorflow.children()["rasa"])  # really loaded
        with_ = _replies_to_the_development_set(with_tensorflow)
    assert len(without) >= 250
    assert [text for text, _ in with_] == [text for text, _ in without]
    for (text, ours), (_, theirs) in zip(without, with_, strict=True):
        assert ours == theirs, text


DIET_CONFIG = """\
recipe: default.v1
language: en
assistant_id: diet-check
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: DIETClassifier
    epochs: 1
policies:
  - name: RulePolicy
"""
NLU = """\
version: "3.1"
nlu:
  - intent: greet
    examples: |
      - hello
      - hi there
  - intent: bye
    examples: |
      - goodbye
      - see you later
"""


def _rasa(tmp_path: Path, switch: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    """`rasa <args>` through the launcher, with a training cache of its own (Rasa would
    otherwise restore the components of an earlier run instead of training them)."""
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_CACHE_DIRECTORY": str(tmp_path / "cache"),
    }
    env.pop("RASA_TENSORFLOW", None)
    if switch is not None:
        env["RASA_TENSORFLOW"] = switch
    return subprocess.run(
        [str(ROOT / ".venv/bin/python"), "-m", "rasa_patches", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _train_diet(tmp_path: Path, switch: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "config.yml").write_text(DIET_CONFIG, "utf-8")
    (tmp_path / "nlu.yml").write_text(NLU, "utf-8")
    return _rasa(
        tmp_path,
        switch,
        *("train", "nlu", "--config", str(tmp_path / "config.yml")),
        *("--nlu", str(tmp_path / "nlu.yml"), "--out", str(tmp_path / "models"), "--quiet"),
    )


CLEAR_ERROR = "TensorFlowNotLoaded: the component DIETClassifier"


def test_a_config_with_diet_trains_with_the_real_tensorflow(tmp_path: Path) -> None:
    result = _train_diet(tmp_path, None)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "TensorFlow loaded: the config" in result.stderr
    assert "DIETClassifier" in result.stderr
    [model] = (tmp_path / "models").glob("*.tar.gz")

    # The DIET model, forced onto the placeholder, is not loaded as a fake either.
    forced = _rasa(tmp_path, "0", "test", "nlu", "--model", str(model), "--nlu", "data/nlu.yml")
    assert forced.returncode != 0
    assert CLEAR_ERROR in forced.stderr, forced.stderr[-3000:]


def test_diet_forced_onto_the_placeholder_stops_with_the_clear_error(tmp_path: Path) -> None:
    result = _train_diet(tmp_path, "0")
    assert result.returncode != 0
    assert CLEAR_ERROR in result.stderr, result.stderr[-3000:]
    assert "Set RASA_TENSORFLOW=1 to run with TensorFlow" in result.stderr
    assert not list((tmp_path / "models").glob("*.tar.gz"))
