# The two commands a newcomer needs (README): `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: setup demo test test-slow test-all bench clean-demo

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "dipnews needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

# Ingest the bundled sample corpus (served on loopback, offline), then query the result.
demo: setup
	$(BIN)/dipnews run --sample
	$(BIN)/dipnews sql "select source_id, count(*) as articles, count(*) filter (where not is_duplicate) as distinct_stories, round(avg(relevance), 2) as avg_relevance from articles group by source_id order by source_id"
	$(BIN)/dipnews sql "select e.name, count(distinct m.article_id) as articles from mentions m join entities e using (entity_id) group by e.name order by articles desc, e.name limit 10"

# Lint and the default test suite (fast; excludes tests marked slow or benchmark).
test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# Only the slow end-to-end and crash-safety tests (CI runs them after `make test`).
test-slow: setup
	$(BIN)/python -m pytest -q -m slow

# Everything but the benchmarks: `make test` and `make test-slow` in one go.
test-all: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not benchmark"

# Benchmarks print their figures (README: "Benchmarks").
bench: setup
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m pytest -q -s -m benchmark

clean-demo:
	rm -rf warehouse/data warehouse/_manifest warehouse/catalog.duckdb warehouse/dipnews.lock
