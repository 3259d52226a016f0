# The two commands of the README: `make run` and `make test` (which runs
# `make lint` first).
# (--no-control-socket: gunicorn 27's control socket is one path per user, which
# two portals on one machine would share.)
# Each creates .venv and installs Skiff into it first (once, again when
# pyproject.toml changes).

PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
BIN = $(VENV)/bin

.PHONY: run test lint bench clean demo-reset i18n i18n-add

# Translations: one catalog per language, compiled by `make run` and `make test`
# (never committed: the .po is the source).
TRANSLATIONS = webapp/translations
CATALOGS = $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
COMPILED = $(CATALOGS:.po=.mo)
# The markers of translatable strings, beyond pybabel's own (_, gettext, ngettext...).
KEYWORDS = -k _l -k lazy_gettext -k lazy_ngettext:1,2

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,redis]'
	touch $@

run: $(BIN)/.installed $(COMPILED)
	@echo "Skiff on http://$(HOST):$(PORT)/  (demo login: demo / demo unless SKIFF_CLOUD_AUTH_URL is set)"
	$(BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS) --threads 4 \
		--no-control-socket --access-logfile - wsgi:app

# ruff (lint and format) and mypy first: a failure there fails the tests.
lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The whole suite runs as two processes side by side: the devcloud's tests (mostly
# waiting for OpenStack), and all the others, the browser's last (by then the
# devcloud's are nearly done: they are the most sensitive to a busy machine). The
# devcloud's output is printed after the others'; any failing fails the run.
# PYTEST_ARGS given: one process, as asked.
test: lint $(COMPILED)
ifeq ($(strip $(PYTEST_ARGS)),)
	@mkdir -p test-artifacts; \
	$(BIN)/python -m pytest -m devcloud > test-artifacts/devcloud-tests.log 2>&1 & devcloud=$$!; \
	$(BIN)/python -m pytest -m "not devcloud and not browser"; others=$$?; \
	$(BIN)/python -m pytest -m "browser and not devcloud"; browser=$$?; \
	wait $$devcloud; status=$$?; \
	echo "== the devcloud's tests (test-artifacts/devcloud-tests.log) =="; \
	cat test-artifacts/devcloud-tests.log; \
	exit $$(( others != 0 ? others : browser != 0 ? browser : status ))
else
	$(BIN)/python -m pytest $(PYTEST_ARGS)
endif

bench: $(BIN)/.installed $(COMPILED)
	$(BIN)/python benchmarks/run.py

# A catalog compiled (fuzzy translations left out: they fall back to English).
%/LC_MESSAGES/messages.mo: %/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

# Extract every marked string, bring each catalog up to date and compile. New and
# changed strings come untranslated (no fuzzy guesses: a guess can carry another
# message's placeholders), and tests/i18n fails until they are translated.
i18n: $(BIN)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg $(KEYWORDS) --add-comments=Translators: \
		--sort-by-file --project=Skiff -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete \
		-i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)

# A new language: make i18n-add LANGUAGE=fr (then translate, add it to LANGUAGES).
# LANGUAGE is Babel's name for it, the folder Flask-Babel looks for: zh_Hans_CN
# for zh_CN (python -c "import babel; print(babel.Locale.parse('zh_CN'))").
i18n-add: i18n
	$(BIN)/pybabel init -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $(LANGUAGE)

# Forget everything the demo cloud holds (servers, key pairs, volumes, floating
# IPs): its state file is made afresh on next use. DEMO_DATABASE as in the config.
DEMO_DATABASE ?= $(or $(SKIFF_DEMO_DATABASE),instance/demo-cloud.sqlite)
demo-reset:
	rm -f $(DEMO_DATABASE) $(DEMO_DATABASE)-journal $(DEMO_DATABASE)-wal $(DEMO_DATABASE)-shm

clean:
	rm -rf $(VENV) instance test-artifacts $(COMPILED) $(TRANSLATIONS)/messages.pot
