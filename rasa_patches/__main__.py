"""`python -m rasa_patches <rasa arguments>`: Rasa's own command line, with this layer.

In this order, before anything imports Rasa:
1. STOCK_RASA=1: nothing is changed; Rasa runs as installed.
2. The installed Rasa must be the one the fixes were written for, or the command stops
   with a message that says what to do.
3. TensorFlow: RASA_TENSORFLOW=1 loads it; RASA_TENSORFLOW=0 puts the placeholder in its
   place whatever the model; unset, the placeholder is used when the command's model or
   config has no component that needs TensorFlow (tensorflow_needed.py).
4. The warnings this project expects are silenced (quiet.py), the fixes are applied,
   and Rasa's `main()` runs with the same arguments.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import rasa_patches
from rasa_patches import quiet, tensorflow_needed, tensorflow_placeholder


def choose_tensorflow(argv: Sequence[str]) -> tensorflow_needed.Decision:
    """Whether this command runs with the real TensorFlow, and why."""
    switch = os.environ.get(tensorflow_placeholder.SWITCH, "")
    if switch == "1":
        return tensorflow_needed.Decision(True, f"{tensorflow_placeholder.SWITCH}=1")
    if switch == "0":
        return tensorflow_needed.Decision(False, f"{tensorflow_placeholder.SWITCH}=0")
    if switch:
        raise SystemExit(
            f"error: {tensorflow_placeholder.SWITCH} must be 1 (load TensorFlow), 0 (never) "
            f"or unset (only when the model needs it), not '{switch}'"
        )
    return tensorflow_needed.decide(argv)


def prepare(argv: Sequence[str]) -> str:
    """Everything but running Rasa: the line that says what was done."""
    if rasa_patches.stock():
        return "STOCK_RASA=1: stock Rasa, no fixes, TensorFlow loaded"
    quiet.filter_imports()
    try:
        rasa_patches.check_version()
    except rasa_patches.UnsupportedRasaVersion as error:
        raise SystemExit(f"error: {error}") from None
    decision = choose_tensorflow(argv)
    if not decision.needs_tensorflow:
        tensorflow_placeholder.install(decision.reason)
    quiet.install()
    rasa_patches.apply()
    tensorflow = "loaded" if decision.needs_tensorflow else "placeholder"
    return (
        f"fixes for Rasa {rasa_patches.WRITTEN_FOR} applied; "
        f"TensorFlow {tensorflow}: {decision.reason}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    print(f"rasa_patches: {prepare(argv)}", file=sys.stderr, flush=True)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *argv]
    rasa_main()


if __name__ == "__main__":
    main()
