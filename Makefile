# Two commands set up everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DB    := reports/demo.duckdb
DEMO_AS_OF := 2026-11-30
DEMO_OUT   := reports

.PHONY: install demo test lab bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/plan-analytics load data/sample --db $(DEMO_DB)
	$(BIN)/plan-analytics check --db $(DEMO_DB) --as-of $(DEMO_AS_OF) --out $(DEMO_OUT)/$(DEMO_AS_OF)
	$(BIN)/plan-analytics report --db $(DEMO_DB) --as-of $(DEMO_AS_OF) --all-providers --out $(DEMO_OUT)
	$(BIN)/plan-analytics packet --db $(DEMO_DB) --as-of $(DEMO_AS_OF) --request CR0001 --out $(DEMO_OUT)/packets
	@echo "database:  $(DEMO_DB)  (load reconciliation above)"
	@echo "findings:  $(DEMO_OUT)/$(DEMO_AS_OF)/findings.csv"
	@echo "packet:    $(DEMO_OUT)/packets/CR0001/packet.pdf"
	@echo "reports:   $(DEMO_OUT)/$(DEMO_AS_OF)/index.html"

test: install
	$(BIN)/pytest

lab: install
	$(BIN)/python -m ipykernel install --sys-prefix --name plan-analytics --display-name "plan-analytics" >/dev/null
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) reports/*/ reports/*.duckdb*
