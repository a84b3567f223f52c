# `make run` and `make test` set up everything on a fresh machine: system packages (Tesseract
# chi_sim), a virtualenv with the project installed, then run or test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VAR ?= var
DEMO := $(VAR)/demo
RECORDS ?= 6
export OMP_THREAD_LIMIT := 1
# The portal's instance folder (database, secret key, embedded Redis, exports) and archive.
export EMR_INSTANCE_PATH ?= $(abspath $(VAR))/instance
export EMR_ARCHIVE ?= $(abspath $(DEMO))
export EMR_DEV ?= 1

.PHONY: setup run test demo export portal-db clean

setup: $(VENV)/.installed
	@scripts/install-system-deps

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

$(DEMO)/manifest.json: | setup
	$(BIN)/emr-redact demo-archive $(DEMO) --records $(RECORDS) --seed 1

demo: setup $(DEMO)/manifest.json

# One anonymized export of the first demo visit, verified, with its report.
export: demo
	$(BIN)/emr-redact run --out $(VAR)/exports/V0001.pdf --report $(VAR)/exports/V0001.json \
	    --patient $(DEMO)/records/V0001/patient.json $(DEMO)/records/V0001/*.pdf

# Database schema, demo users (fixed passwords, listed in README.md) and the shipped policy.
portal-db: setup
	@mkdir -p $(EMR_INSTANCE_PATH)
	$(BIN)/flask --app portal db upgrade
	EMR_DEMO_PASSWORDS=fixed $(BIN)/flask --app portal seed-demo-users
	$(BIN)/flask --app portal rulesets seed

run: demo portal-db
	BIN=$(BIN) scripts/run-portal

# The same set-up as `make run`, then every test. Tests make their own databases, archives and
# instance folders, so the portal's settings above are not passed on to them.
test: demo portal-db
	env -u EMR_INSTANCE_PATH -u EMR_ARCHIVE -u EMR_DEV $(BIN)/pytest

clean:
	rm -rf $(VAR) $(VENV) *.egg-info
