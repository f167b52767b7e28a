# Homeward: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What is installed follows the lock files (pinned versions, committed): `make run` installs the
# app alone, `make test` adds the test tools. `make lock` rewrites both after pyproject.toml changes.
APP_STAMP := $(VENV)/.app-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.dev-$(shell cat requirements-dev.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test install install-dev lock migrate demo serve bench clean i18n

$(APP_STAMP): requirements.lock pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.app-*
	touch $@

# The family screens' catalogs (docs/i18n.md): `make i18n` extracts every marked string into
# messages.pot, merges it into each language's .po and compiles them; install compiles them only.
# (app/i18n.py compiles a missing or stale .mo in memory, so a wheel or image works regardless.)
LOCALES := $(wildcard app/locale/*/LC_MESSAGES/messages.po)
MO_FILES := $(LOCALES:.po=.mo)

app/locale/%/LC_MESSAGES/messages.mo: app/locale/%/LC_MESSAGES/messages.po $(APP_STAMP)
	$(BIN)/pybabel compile --statistics -d app/locale -l $* -i $< -o $@

i18n: $(APP_STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --omit-header -k gettext_in:2 -c TRANSLATORS: -o app/locale/messages.pot . app/templates/_macros
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale --no-fuzzy-matching --ignore-obsolete --width 100
	$(MAKE) $(MO_FILES)


$(DEV_STAMP): requirements-dev.lock pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.dev-* $(VENV)/.app-*
	touch $@ $(APP_STAMP)

install: $(APP_STAMP) $(MO_FILES)

install-dev: $(DEV_STAMP) $(MO_FILES)

# Resolve pyproject.toml afresh in a scratch environment and pin what it chose.
lock:
	rm -rf $(VENV)-lock && $(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet --upgrade pip
	$(VENV)-lock/bin/python -m pip install --quiet .
	{ echo '# Pinned by `make lock` from pyproject.toml: what `make run` installs (the app alone).'; \
	  $(VENV)-lock/bin/python -m pip freeze --exclude-editable | grep -v '^homeward'; } > requirements.lock
	$(VENV)-lock/bin/python -m pip install --quiet '.[dev]'
	{ echo '# Pinned by `make lock` from pyproject.toml: the app and its test tools, what `make test` installs.'; \
	  $(VENV)-lock/bin/python -m pip freeze --exclude-editable | grep -v '^homeward'; } > requirements-dev.lock
	rm -rf $(VENV)-lock build

run: install
	$(BIN)/homeward migrate
	$(BIN)/homeward demo --if-empty
	$(BIN)/homeward serve

# Lint and format first (a second or two), then the suite in parallel: one worker per core, tests
# handed out one at a time as workers free up (the browser tests share one live server per worker),
# so no worker idles while the other finishes a long file; the few modules whose module-scoped
# fixture starts a process are kept on one worker with pytest.mark.xdist_group.
PYTEST_ARGS ?= -n auto --dist loadgroup --durations=15

# The sign-in tests run node's oidc-provider (tests/oidc); installed from its lock file when missing.
tests/oidc/node_modules: tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund
	touch $@

# PYTHONDONTWRITEBYTECODE is emptied for the suite: where the environment sets it (these machines
# do), every test process compiled the app and rewrote the tests' asserts afresh, about 7 s of CPU
# per process, and the second database's run found nothing kept from the first's.
test: install-dev tests/oidc/node_modules
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest $(PYTEST_ARGS)

# Every budget measured on the county data set in PostgreSQL (docs/performance.md); BENCH_ARGS="--scale small" for a first look.
bench: install-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/*.db
