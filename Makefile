# Two commands for a fresh machine: `make demo` and `make test`. Both bootstrap .venv.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest postgres-test bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/lantu demo

lint: $(STAMP)
	$(BIN)/ruff check lantu tests bench
	$(BIN)/ruff format --check lantu tests bench

typecheck: $(STAMP)
	$(BIN)/mypy lantu

pytest: $(STAMP)
	$(BIN)/pytest -m "not slow"

test: lint typecheck pytest

# PostgreSQL store tests: LANTU_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/lantu_test
postgres-test: $(STAMP)
	$(BIN)/pytest -m "postgres and not slow"

clean:
	rm -rf $(VENV) var/*.sqlite3*
