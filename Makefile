# NLP Atlas: `make run` serves the app, `make test` runs ruff and the whole suite (browser tests included).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
STAMP    := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test browser-deps bench clean screenshots

# Re-installs only when a requirements file changes (the stamp is older than it).
$(STAMP): requirements.txt requirements-nodeps.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0   # the CPU build first, so nothing pulls a CUDA one
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -r requirements-nodeps.txt
	touch $@

$(DEVSTAMP): $(STAMP) requirements-dev.txt
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

# The database (default: the SQLite file var/atlas.db; NLP_ATLAS_DATABASE_URL for PostgreSQL) is migrated first.
run: $(STAMP)
	$(BIN)/python -m store migrate
	$(BIN)/streamlit run app.py --server.headless true --server.port $(PORT)

# Upgrade the database at NLP_ATLAS_DATABASE_URL (or var/atlas.db) to the newest schema; see docs/database.md.
.PHONY: migrate
migrate: $(STAMP)
	$(BIN)/python -m store migrate

# Playwright drives Debian's Chromium (its own browser download cannot work offline).
# nginx too: the deploy tests render and run the replicas' config (tests/deploy/test_deploy.py), never skipped.
# postgresql too: the storage tests run on SQLite and on a throwaway PostgreSQL cluster (tests/conftest.py
# starts one with the server binaries in /usr/lib/postgresql/<version>/bin; in CI they fail without them).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1 || [ ! -x /usr/sbin/nginx ] || \
	    ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk nginx postgresql >/dev/null; fi

# Lint and format check first (fail fast: seconds, before minutes of tests); `$(BIN)/ruff format <files>` fixes format.
test: $(DEVSTAMP) browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

bench: $(DEVSTAMP)
	$(BIN)/python bench/run_all.py

clean:   # keeps var/ (the learners' progress)
	rm -rf $(VENV) tests/artifacts .pytest_cache

# Several replicas behind Debian's nginx with sticky sessions (a classroom outgrowing one process):
#   make serve-replicas N=2 PORT=8080   -> students open http://<host>:8080 ; see docs/classroom.md
.PHONY: serve-replicas
serve-replicas: $(STAMP)
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx >/dev/null; }
	N=$(or $(N),2) PORT=$(PORT) BIN=$(BIN) deploy/serve_replicas.sh

# Copy the browser test's screenshots (tests/artifacts/, from the last `make test`) to the ones README shows.
screenshots:
	cp tests/artifacts/*-en.png tests/artifacts/*-zh.png docs/screenshots/
