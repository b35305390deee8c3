"""`make shell`: the bot in a terminal or a pipe, on the configured port, leaving cleanly."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from scripts.servers import ROOT, free_port


def test_the_shell_answers_piped_questions_and_buttons_then_stops_at_end_of_input(
    tmp_path: Path,
) -> None:
    rasa_port, action_port = free_port(), free_port()
    env = {**os.environ, "RASA_PORT": str(rasa_port), "ACTION_PORT": str(action_port)}
    env["TRACKER_SQLITE_DB"] = str(tmp_path / "tracker.db")
    done = subprocess.run(
        [str(ROOT / "scripts" / "run.sh"), "--shell"],
        cwd=ROOT,
        env=env,
        input="does stress cause hair loss?\n1\n",
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert "Bot: " in done.stdout and "chronic stress" in done.stdout
    assert "[1] " in done.stdout  # the suggestions, numbered; "1" pressed the first
    assert done.stdout.count("Source: [Osteoporosis and Hair Loss") >= 2
    assert "Traceback" not in done.stdout + done.stderr
    assert "EOFError" not in done.stdout + done.stderr
    # The servers ran on the ports asked for and stopped with the shell.
    found = subprocess.run(
        ["pgrep", "-f", f"--port {rasa_port}"], capture_output=True, text=True, check=False
    )
    assert found.stdout.strip() == ""
