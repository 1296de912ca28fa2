# ofsted-qa: `make demo` sets up and runs the app over the demo corpus; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The shared corpus when it is beside the repo; else `make demo` downloads the demo set into data/reports.
SHARED := ../shared/corpus/reports
CORPUS ?= $(if $(wildcard $(SHARED)),$(SHARED),data/reports)
INDEX  ?= data/demo-index
HOST   ?= 127.0.0.1
PORT   ?= 7860
DEMO_FILES = $(addprefix $(CORPUS)/,$(shell grep -v '^\s*\#' corpus/demo.txt | grep -v '^\s*$$'))
PYTEST_ARGS ?=

export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export GRADIO_ANALYTICS_ENABLED=False

.PHONY: install demo demo-index test test-fast lint browser-deps clean

$(BIN)/.installed: pyproject.toml
	@echo "setting up $(VENV) (once: a few minutes)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --upgrade pip
	@# The CPU build of torch first, so sentence-transformers does not pull the CUDA one.
	@$(BIN)/pip install --quiet torch==2.13.0
	@$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/.installed

$(CORPUS):
	$(BIN)/ofsted-qa fetch-corpus $(CORPUS) --demo

# Quiet recipes: the ingest's own lines say what it does (echoed, the command named all 33 files).
demo-index: install | $(CORPUS)
	@echo "indexing the $(words $(DEMO_FILES)) demo reports of $(CORPUS) into $(INDEX) (a second run skips them)"
	@$(BIN)/ofsted-qa ingest $(DEMO_FILES) --index $(INDEX)

demo: demo-index
	@$(BIN)/ofsted-qa serve --index $(INDEX) --host $(HOST) --port $(PORT)

# Debian's Chromium and its driver for the browser test (never `playwright install`, which downloads).
# Without it the browser test is skipped, or fails when CI is set (tests/conftest.py: missing).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null) \
	    || echo "could not install chromium: the browser test will be skipped (a failure when CI is set)"; \
	  else echo "chromium missing and not root: the browser test will be skipped (a failure when CI is set)"; fi; }

test: install browser-deps
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m "not corpus and not slow and not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data/demo-index .pytest_cache
