# One command to run the bot (`make run`) and one to test it (`make test`). Rasa is always
# started through `python -m rasa_patches` (its fixes, applied explicitly; README).
# Both create the Python 3.10 virtual environment, install pinned packages and train
# only when needed, so the second run is fast.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
INSTALLED := $(VENV)/.installed
SPACY_MODEL := build/spacy-en-lookup
LEXICON := build/wordnet-lexicon.json
MODEL := models/osteo-hair-faq.tar.gz
WEBCHAT := build/webchat/webchat.js
CHROMIUM := /usr/bin/chromium
# Every training file: data/nlu.yml, data/nlu/*.yml (one per topic), rules, stories...
TRAINING_DATA := config.yml domain.yml $(wildcard components/*.py) $(shell find data -name '*.yml' -not -path 'data/knowledge/*')
# The knowledge entries name the topic intents (scripts/topic_lists.py writes them into
# domain.yml and data/rules.yml before training).
ENTRIES := $(wildcard data/knowledge/*.entries.yml)

export RASA_TELEMETRY_ENABLED := false
# Rasa's training cache (.rasa/cache) is off: a training reuses it only when the data and
# config come back to those of an earlier training (a branch switched back, a change
# undone), and filling it costs every training its fingerprints (BENCHMARKS.md, "Training";
# with it off, rasa_patches/training_cache.py skips them).
# `RASA_MAX_CACHE_SIZE=1000 make train` turns it on (Rasa's default size, in MB).
export RASA_MAX_CACHE_SIZE ?= 0
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install train run shell test unit lint types validate eval crossval bench clean \
  telegram-webhook report

install: $(INSTALLED) $(SPACY_MODEL)/meta.json $(LEXICON) $(WEBCHAT)

$(INSTALLED): requirements.txt constraints.txt
	@python310="$$(scripts/find_python310.sh)" || exit 1; \
	  [ -x $(PY) ] || "$$python310" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $@

$(SPACY_MODEL)/meta.json: scripts/build_spacy_model.py $(INSTALLED)
	$(PY) scripts/build_spacy_model.py $(SPACY_MODEL)

# WordNet's word classes, read by the answerability decision (actions/wordclasses.py).
$(LEXICON): scripts/build_wordnet_lexicon.py $(INSTALLED)
	$(PY) scripts/build_wordnet_lexicon.py $(LEXICON)

# The website widget's script, from the npm registry (no CDN at run time).
$(WEBCHAT): scripts/build_webchat.sh
	scripts/build_webchat.sh $@

# Debian's Chromium, for the widget's browser test (Playwright drives it; it never
# downloads a browser of its own).
$(CHROMIUM):
	@sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get install -y --no-install-recommends chromium \
	  || { $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends chromium; }

train: $(MODEL)

$(MODEL): $(TRAINING_DATA) $(ENTRIES) $(SPACY_MODEL)/meta.json
	$(PY) -m scripts.topic_lists
	$(PY) -m rasa_patches train --quiet --out models --fixed-model-name osteo-hair-faq
	@touch $@

run: install $(MODEL)
	scripts/run.sh

shell: install $(MODEL)
	scripts/run.sh --shell

# What went unanswered, and the answers' feedback, from the tracker store the bot uses
# (TRACKER_STORE, TRACKER_SQLITE_DB, POSTGRES_*): reports/report.html and report.csv
# (OUT=folder to write elsewhere). scripts/report.py.
report: install
	$(PY) -m scripts.report $(if $(OUT),--out $(OUT))

# Register the Telegram webhook (only if not registered; FORCE=1 registers again).
telegram-webhook: install
	$(PY) -m scripts.telegram_webhook $(if $(FORCE),--force)

validate: install
	$(PY) -m scripts.topic_lists
	$(PY) -m rasa_patches data validate --fail-on-warnings

lint: install
	$(BIN)/ruff check actions channels components rasa_patches scripts tests
	$(BIN)/ruff format --check actions channels components rasa_patches scripts tests

types: install
	$(BIN)/mypy actions channels components rasa_patches scripts

unit: install
	$(BIN)/pytest -q tests/unit

# Every test: checks, unit tests, conversation tests, held-out evaluation, end to end.
test: install $(MODEL) $(CHROMIUM)
	scripts/test.sh

crossval: install $(SPACY_MODEL)/meta.json
	$(PY) -m scripts.nlu_crossval

# Answer quality on the development sets (failures in results/) and the sealed set
# (figures only): scripts/evaluate.py.
eval: install $(MODEL)
	$(PY) -m scripts.evaluate

# Our assistant against stock Rasa (DIET + TED) on the same data: BENCHMARKS.md.
# (It trains both models itself, to time the training.)
bench: install
	$(PY) -m scripts.bench

clean:
	rm -rf models .rasa build results rasa.db channel-journal.db* .pytest_cache .mypy_cache .ruff_cache
