# Homeward: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test install migrate demo serve bench clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

run: install
	$(BIN)/homeward migrate
	$(BIN)/homeward demo --if-empty
	$(BIN)/homeward serve

# Lint and format first (a second or two), then the suite in parallel: one worker per core, each
# test file kept on one worker so a browser module's live server is started once.
PYTEST_ARGS ?= -n auto --dist loadfile

# The sign-in tests run node's oidc-provider (tests/oidc); installed from its lock file when missing.
tests/oidc/node_modules: tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund
	touch $@

test: install tests/oidc/node_modules
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every budget measured on the county data set in PostgreSQL (docs/performance.md); BENCH_ARGS="--scale small" for a first look.
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/*.db
