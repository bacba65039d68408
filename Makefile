# localangle — everything a fresh machine needs is behind these targets.
#   make demo   the whole flow offline on the seed articles
#   make test   every check: lint, format, types, template lint, all tests
#   make build  the deployable artifacts (build/), for python3.13 on arm64, without Docker
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
# checkov pins its own boto3 and friends, older than ours: it lives in a venv of its own.
CHECKOV_VENV  := .tools/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(shell cksum < .ci/checkov-constraints.txt | cut -d' ' -f1)

.PHONY: setup demo test lint typecheck template pytest browser replay bench build clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)

demo: setup
	$(BIN)/localangle demo

replay: setup
	$(BIN)/localangle replay seeds/articles/*.txt

bench: setup
	$(BIN)/localangle bench

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy
	$(BIN)/mypy .ci/build.py

# The layer and functions for python3.13 on arm64, without Docker: see build/manifest.json, then
#   sam deploy --guided --template-file build/template.yaml
build: setup
	$(BIN)/python .ci/build.py --out build

$(CHECKOV_STAMP): .ci/checkov-constraints.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -c .ci/checkov-constraints.txt checkov
	rm -f $(CHECKOV_VENV)/.installed-*
	touch $@

# cfn-lint with the serverless rules, then checkov; suppressions are justified inline in template.yaml.
template: setup $(CHECKOV_STAMP)
	$(BIN)/cfn-lint --append-rules cfn_lint_serverless.rules -- template.yaml
	$(CHECKOV_VENV)/bin/checkov --quiet --compact --skip-download --framework cloudformation -f template.yaml

# Headless Chromium (Debian's package) for the test that screenshots the ledger page.
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium) \
	  || sudo sh -c 'apt-get update -qq && apt-get install -y -qq chromium'

pytest: setup browser
	$(BIN)/pytest

test: lint typecheck template pytest

clean:
	rm -rf $(VENV) .tools build out .pytest_cache .mypy_cache .ruff_cache .aws-sam
