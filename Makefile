# Two commands do all the set-up: `make demo` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint bench install browser messages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtual environment. On Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/dieuhanh demo

# Runs on PostgreSQL when DATABASE_URL is set, on SQLite otherwise. One test process per core (pytest-xdist);
# each has its own test database. TEST_JOBS=0 runs them in this process.
TEST_JOBS ?= auto
test: install browser lint
	$(BIN)/pytest -n $(TEST_JOBS) $(PYTEST_ARGS)

# Browser tests drive Debian's chromium; never a browser downloaded by a tool.
browser:
	@scripts/ensure-system-packages

# ruff, then the layer contract of docs/architecture.md (import-linter), then types (mypy; both configured in
# pyproject.toml, decision 0043).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/units_bench.py

# Extract UI strings, fill Vietnamese from dieuhanh/locale/vi.json, compile the .mo files (committed).
messages: install
	cd dieuhanh && ../$(BIN)/dieuhanh makemessages -l vi -l en --no-obsolete
	$(BIN)/python scripts/po_fill.py dieuhanh/locale/vi/LC_MESSAGES/django.po dieuhanh/locale/vi.json
	cd dieuhanh && ../$(BIN)/dieuhanh compilemessages

clean:
	rm -rf $(VENV) var test-output
