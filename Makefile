# procalg: `make demo` sets up and checks the bundled models; `make test` sets up and runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test lint bench clean

$(BIN)/procalg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/procalg

# byte-compiled once here: with PYTHONDONTWRITEBYTECODE set (CI's sandboxes set it) every
# `procalg` process would otherwise compile ~350 modules again (~0.7 s CPU per CLI call)
setup: $(BIN)/procalg
	@$(BIN)/python -m compileall -q procalg benchmarks >/dev/null

demo: setup
	@status=0; for model in models/*.proc; do \
	  echo "== $$model"; \
	  $(BIN)/procalg check "$$model"; code=$$?; echo; \
	  if [ $$code -ge 2 ]; then status=1; fi; \
	done; \
	echo "Some assertions fail on purpose: each model's header lists the expected verdicts."; \
	exit $$status

# -n auto: one pytest-xdist worker per core; worksteal rebalances the slow modules at the end
test: setup
	$(BIN)/pytest -n auto --dist worksteal

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache build dist
