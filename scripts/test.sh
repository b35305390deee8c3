#!/usr/bin/env bash
# Every test, as `make test` runs it (after installing and training): static checks,
# Rasa's data validation, then pytest: unit tests, conversation tests (rasa test),
# the held-out evaluation and the end-to-end tests, which start their own servers.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONDONTWRITEBYTECODE=1
CODE=(actions channels components rasa_patches scripts tests)

echo "== ruff"
"$BIN/ruff" check "${CODE[@]}"
"$BIN/ruff" format --check "${CODE[@]}"
echo "== mypy"
"$BIN/mypy" actions channels components rasa_patches scripts
echo "== rasa data validate"
"$BIN/python" -m rasa_patches data validate --fail-on-warnings --quiet
echo "== pytest"
set +e
"$BIN/pytest" "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "error: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
