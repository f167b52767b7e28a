# Homeward: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test install migrate demo serve bench clean i18n

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

# The family screens' catalogs (docs/i18n.md): `make i18n` extracts every marked string into
# messages.pot, merges it into each language's .po and compiles them; install compiles them only.
# (app/i18n.py compiles a missing or stale .mo in memory, so a wheel or image works regardless.)
LOCALES := $(wildcard app/locale/*/LC_MESSAGES/messages.po)
MO_FILES := $(LOCALES:.po=.mo)

app/locale/%/LC_MESSAGES/messages.mo: app/locale/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -d app/locale -l $* -i $< -o $@

i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --omit-header -k gettext_in:2 -c TRANSLATORS: -o app/locale/messages.pot . app/templates/_macros
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale --no-fuzzy-matching --ignore-obsolete --width 100
	$(MAKE) $(MO_FILES)

install: $(STAMP) $(MO_FILES)

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

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var/*.db
