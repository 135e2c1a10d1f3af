# Two commands on a fresh machine: `make up` (the whole stack with demo data) and `make test`.
# Each makes its own virtual environment from pyproject.toml, pinned by constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: up test test-postgres lint bench bench-gates bench-quota bench-reminders bench-inbox bench-dashboard clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

up: $(STAMP)
	$(BIN)/passage up

test: $(STAMP)
	$(BIN)/pytest

# The suite again on the PostgreSQL at PGHOST:PGPORT (default 127.0.0.1:5432), in throwaway databases.
test-postgres: $(STAMP)
	bash .ci/postgres-pass

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

# Benchmarks print Markdown tables (copied into the README with the machine they ran on).
bench: bench-gates bench-quota bench-reminders bench-inbox bench-dashboard

bench-gates: $(STAMP)
	$(BIN)/python -m bench.gates

bench-quota: $(STAMP)
	$(BIN)/python -m bench.quota_year

bench-reminders: $(STAMP)
	$(BIN)/python -m bench.reminders

bench-inbox: $(STAMP)
	$(BIN)/python -m bench.inbox_query

bench-dashboard: $(STAMP)
	$(BIN)/python -m bench.dashboard

clean:
	rm -rf $(VENV) .passage
