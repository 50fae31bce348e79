# The two commands a newcomer needs: `make demo` and `make test`. Both set themselves up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PULUMI_BIN := .tools/pulumi/bin

.PHONY: help venv lint typecheck test test-fast pulumi-cli sdkgen goexample demo demo-destroy bench docs sdks dist clean

help:
	@echo "make demo          pulumi up of the 'local' stack against the offline emulators"
	@echo "                   (DNS=hosted_zone: one endpoint shared with two more VPCs)"
	@echo "make demo-destroy  tear the demo stack down"
	@echo "make test          lint, type-check and all tests (builds what is missing)"
	@echo "make bench         run the benchmarks and rewrite docs/performance.md"
	@echo "                   (ONLY=P7: run only P7 and rewrite only its section)"
	@echo "make docs          rewrite docs/configuration.md's PrivateLinkArgs and outputs tables, the plugin's schema.json and the SDKs"
	@echo "make sdks          rewrite the TypeScript and Go SDKs (sdk/nodejs, sdk/go) from schema.json"
	@echo "make dist          build the wheel and the rockset plugin archive into dist/"

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy rockset_pulumi rockset_emulator devtools tests bench __main__.py

pulumi-cli:
	@if command -v go >/dev/null 2>&1; then bash tools/pulumi/build.sh && bash tools/pulumi-yaml/build.sh; \
	else echo "WARNING: Go is not installed: the Pulumi CLI cannot be built, engine tests will be skipped (apt-get install golang or see docs/testing.md)."; fi

sdkgen:
	@if command -v go >/dev/null 2>&1; then bash tools/sdkgen/build.sh; \
	else echo "WARNING: Go is not installed: the SDK generator cannot be built, the SDK drift test will be skipped."; fi

# Three workers on two cores: engine tests spend much of their time waiting on subprocesses. Each
# file runs on one worker (--dist loadfile), as an engine module's tests share one stack in order.
TEST_WORKERS ?= 3

goexample:
	@if command -v go >/dev/null 2>&1; then bash tools/goexample/build.sh; \
	else echo "WARNING: Go is not installed: the Go example's driver cannot be built, its engine test will be skipped."; fi

test: $(STAMP) pulumi-cli sdkgen goexample lint
	PATH="$(CURDIR)/$(PULUMI_BIN):$$PATH" $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

test-fast: $(STAMP)
	$(PY) -m pytest -m "not engine"

demo: $(STAMP) pulumi-cli
	PATH="$(CURDIR)/$(PULUMI_BIN):$$PATH" $(PY) -m devtools.demo up --dns $(or $(DNS),endpoint)

demo-destroy: $(STAMP) pulumi-cli
	PATH="$(CURDIR)/$(PULUMI_BIN):$$PATH" $(PY) -m devtools.demo destroy

bench: $(STAMP) pulumi-cli
	PATH="$(CURDIR)/$(PULUMI_BIN):$$PATH" $(PY) -m bench $(if $(ONLY),--only $(ONLY))

docs: $(STAMP)
	$(PY) -m devtools.docs
	$(PY) -m devtools.schema
	$(MAKE) sdks

sdks: $(STAMP)
	bash tools/sdkgen/build.sh
	$(PY) -m devtools.sdks

dist: $(STAMP)
	$(PY) -m devtools.dist

clean:
	rm -rf .pulumi-local .mypy_cache .ruff_cache .pytest_cache
