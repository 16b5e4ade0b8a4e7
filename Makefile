# Two commands: `make run` (local gateway with everything set up) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

TS := clients/typescript
TS_STAMP := $(TS)/node_modules/.installed-$(shell cksum < $(TS)/package-lock.json | cut -d' ' -f1)

CHECKOV := build/tools/checkov
CHECKOV_STAMP := $(CHECKOV)/.installed-$(shell cksum < infra/checkov.lock | cut -d' ' -f1)

SCHEMAS := build/tools/provider-schema
SCHEMAS_STAMP := $(SCHEMAS)/.downloaded-$(shell cksum < infra/provider-schema.lock | cut -d' ' -f1)

.PHONY: run stop redteam test test-fast lint typecheck unit client client-generate install package infra-tools browser clean

run: $(STAMP)
	$(BIN)/dovvy serve

# The embedded database that `dovvy db-url` leaves running (a running `make run` keeps its own).
stop: $(STAMP)
	$(BIN)/dovvy db stop

# The red-team cases over HTTP against a gateway you started (`make run` in another terminal);
# `make test` runs them against one it starts itself.
REDTEAM_URL ?= http://127.0.0.1:8080
redteam: $(STAMP)
	REDTEAM_URL=$(REDTEAM_URL) $(BIN)/pytest tests/test_redteam.py

test: $(STAMP) lint typecheck client infra-tools browser unit

# While working: lint, types and every test but the slow ones (bundles, Terraform, browser, fuzzing),
# on two or more processes (each its own embedded database). `make test` stays in one process: its
# slow preparations start once, in the background (tests/ahead.py).
test-fast: $(STAMP) lint typecheck
	$(BIN)/pytest -m "not slow" -n auto --maxprocesses=4

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/dovvy validate --strict content

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

# The TypeScript client: regenerated from openapi.yaml and compared with the checked-in copy,
# compiled with its typed usage file, built to JavaScript and declarations in dist/ (not committed),
# imported by plain node through its package exports, and its stream tests run on the build (node and
# npm from the machine; packages pinned by the lock). tests/test_browser.py loads the same dist/.
$(TS_STAMP): $(TS)/package.json $(TS)/package-lock.json
	cd $(TS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

client: $(TS_STAMP)
	cd $(TS) && npx --no-install openapi-typescript ../../openapi.yaml --output node_modules/.generated/schema.ts >/dev/null
	@diff -u $(TS)/src/schema.ts $(TS)/node_modules/.generated/schema.ts \
		|| (echo "$(TS)/src/schema.ts is stale: run 'make client-generate' and commit it" >&2; exit 1)
	cd $(TS) && npx --no-install tsc --noEmit
	cd $(TS) && npm run --silent build
	cd $(TS) && node --input-type=module -e "const m = await import('@dovvybuddy/api-client'); \
		for (const f of ['createDovvyClient', 'streamChat']) if (typeof m[f] !== 'function') \
		throw new Error('dist/index.js does not export ' + f);"
	cd $(TS) && node --test --test-reporter=spec test/stream.test.mjs

client-generate: $(TS_STAMP)
	cd $(TS) && npx --no-install openapi-typescript ../../openapi.yaml --output src/schema.ts

# checkov in its own environment (its pins are not the app's); the infrastructure tests run it.
# The google providers' schema: their cdktf bindings' wheels, downloaded but not installed (100 MB of
# generated code the app never imports); tests/terraform_schema.py reads them.
infra-tools: $(CHECKOV_STAMP) $(SCHEMAS_STAMP)

$(CHECKOV_STAMP): infra/checkov.lock
	rm -rf $(CHECKOV)
	$(PYTHON) -m venv $(CHECKOV)
	$(CHECKOV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r infra/checkov.lock
	touch $@

$(SCHEMAS_STAMP): infra/provider-schema.lock
	rm -rf $(SCHEMAS)
	$(PYTHON) -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
		--only-binary=:all: --dest $(SCHEMAS) -r infra/provider-schema.lock
	touch $@

# Headless Chromium from Debian's packages, for tests/test_browser.py (Playwright drives it; it never
# downloads a browser of its own). Skipped when it is already there.
browser:
	@test -x /usr/bin/chromium || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

package: $(STAMP)
	$(BIN)/python scripts/package_functions.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache build $(TS)/node_modules $(TS)/dist
