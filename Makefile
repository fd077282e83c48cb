# taxicert: two commands for a fresh machine.
#   make run    builds the app and starts the reference server on http://127.0.0.1:8080/
#   make test   runs every test: native, server black-box, wasm in Chromium, end-to-end
# Both install what is missing first, and skip what is already installed or built.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

TRUNK_VERSION := 0.21.14
WASM_BINDGEN_VERSION := 0.2.130
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export CARGO_TERM_COLOR ?= never
export DEBIAN_FRONTEND := noninteractive

# The tools share the lead's build folder when CARGO_TARGET_DIR names one.
TARGET := $(or $(CARGO_TARGET_DIR),target)
SERVER := $(TARGET)/debug/taxicert-server
VENV := target/venv
DIST := dist/index.html
STAMP := target/.stamps
SPA_SOURCES := $(shell find src api/src api/data photo/src worker/src style public -type f) index.html driver/index.html staff/index.html Trunk.toml Cargo.toml Cargo.lock api/Cargo.toml photo/Cargo.toml worker/Cargo.toml scripts/build-simd-worker.sh scripts/start-after-paint.mjs scripts/precompress.mjs

.PHONY: help run test bench setup setup-test server test-build openapi clean test-native test-wasm test-e2e test-contract

help:
	@echo "make run    build the app and start it on http://127.0.0.1:8080/"
	@echo "make test   run every test"
	@echo "make bench  print the size of every file the app serves, Lighthouse's figures, the photo pipeline's speed and accuracy, and the server's load figures on SQLite and PostgreSQL"

# ---------------------------------------------------------------- installs

# Rust's wasm target, Trunk and wasm-bindgen at the pinned versions, the npm packages, and
# Tesseract with its Chinese model (the reference server reads ID cards with it).
setup: $(STAMP)/wasm-target $(STAMP)/trunk-$(TRUNK_VERSION) $(STAMP)/wasm-bindgen-$(WASM_BINDGEN_VERSION) node_modules/.package-lock.json $(STAMP)/tesseract $(STAMP)/font

# The voucher PDFs embed a subset of a CJK font (see voucher_font in the README).
$(STAMP)/font:
	@mkdir -p $(STAMP)
	dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || { apt-get update && apt-get install -y fonts-wqy-microhei; }
	@touch $@

$(STAMP)/tesseract:
	@mkdir -p $(STAMP)
	dpkg -s tesseract-ocr tesseract-ocr-chi-sim >/dev/null 2>&1 || { apt-get update && apt-get install -y tesseract-ocr tesseract-ocr-chi-sim; }
	@touch $@

$(STAMP)/wasm-target:
	@mkdir -p $(STAMP)
	rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@touch $@

$(STAMP)/trunk-$(TRUNK_VERSION):
	@mkdir -p $(STAMP)
	trunk --version 2>/dev/null | grep -qx "trunk $(TRUNK_VERSION)" || cargo install --locked trunk@$(TRUNK_VERSION)
	@touch $@

# wasm-bindgen-cli cannot be installed --locked: one of its locked dependencies is gone from the registry.
$(STAMP)/wasm-bindgen-$(WASM_BINDGEN_VERSION):
	@mkdir -p $(STAMP)
	wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $(WASM_BINDGEN_VERSION)" || cargo install wasm-bindgen-cli@$(WASM_BINDGEN_VERSION)
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json | $(STAMP)/node
	npm ci --no-audit --no-fund
	@touch $@

$(STAMP)/node:
	@mkdir -p $(STAMP)
	command -v npm >/dev/null || { apt-get update && apt-get install -y nodejs npm; }
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || { echo "Node.js 20 or newer is needed (playwright-core); found $$(node --version)"; exit 1; }
	@touch $@

setup-test: setup $(STAMP)/browser $(STAMP)/postgres $(VENV)/.installed

# The server's black-box tests run a second time on PostgreSQL: Debian's server, which the
# harness starts itself in a temporary folder (server/tests/api/common/postgres.rs).
$(STAMP)/postgres:
	@mkdir -p $(STAMP)
	dpkg -s postgresql postgresql-client >/dev/null 2>&1 || { apt-get update && apt-get install -y postgresql postgresql-client; }
	@touch $@

# The HTTP load generator of `make bench`'s load figures (scripts/bench-load.sh).
$(STAMP)/wrk:
	@mkdir -p $(STAMP)
	dpkg -s wrk >/dev/null 2>&1 || { apt-get update && apt-get install -y wrk; }
	@touch $@

# The Python tools of the server's tests (schemathesis; moto, an S3-compatible server), at the versions pinned in
# server/tests/requirements.txt, in their own virtualenv; redone when that file changes.
$(VENV)/.installed: server/tests/requirements.txt
	@mkdir -p target
	dpkg -s python3-venv >/dev/null 2>&1 || { apt-get update && apt-get install -y python3-venv; }
	[ -x $(VENV)/bin/pip ] || python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r server/tests/requirements.txt
	@touch $@

# The browser, its driver and a CJK font, for the wasm and end-to-end tests; poppler-utils
# reads the voucher PDFs back in the server's tests (pdftotext, pdftoppm); the AR PL fonts
# draw the photo checks' second labelled set in other typefaces than WenQuanYi.
$(STAMP)/browser:
	@mkdir -p $(STAMP)
	dpkg -s chromium chromium-driver fonts-wqy-microhei poppler-utils fonts-arphic-uming fonts-arphic-ukai >/dev/null 2>&1 || { apt-get update && apt-get install -y chromium chromium-driver fonts-wqy-microhei poppler-utils fonts-arphic-uming fonts-arphic-ukai; }
	@touch $@

# ---------------------------------------------------------------- builds

# Three entry pages, each its own wasm (taxicert_api::ENTRY_PAGES): the front (dist/), the
# driver's work (dist/driver/) and the clerks' console (dist/staff/). The front's build empties
# dist/, so it goes first. Their wasm is built first in one cargo call, so that the three
# whole-program (LTO) links, each on one core, run side by side, and the photo worker's SIMD
# twin (scripts/build-simd-worker.sh, its own target folder) builds meanwhile; Trunk then finds
# them built. This saves minutes of a cold `make test` on two cores.
$(DIST): $(SPA_SOURCES) | setup
	RUSTFLAGS="-C target-feature=+simd128" cargo build --release -p taxicert-photo-worker --bin photo_worker \
	  --target wasm32-unknown-unknown --target-dir target/simd & simd=$$!; \
	  cargo build --release --target wasm32-unknown-unknown --bins \
	    && cargo build --release --target wasm32-unknown-unknown --manifest-path worker/Cargo.toml --bin photo_worker \
	    || { wait $$simd; exit 1; }; \
	  wait $$simd
	trunk build --release --offline
	trunk build driver/index.html --release --offline --dist dist/driver --public-url ./driver/
	trunk build staff/index.html --release --offline --dist dist/staff --public-url ./staff/
	@touch $@

# The reference server, and the tools that draw fictional ID cards and photos for the tests.
server:
	cargo build -p taxicert-server -p taxicert-testkit

# The same, for the tests: built with the whole workspace's features, as `cargo test
# --workspace` resolves them, so that the tests reuse this build instead of compiling it all again.
test-build: | setup-test
	cargo build --workspace --bins --tests

# ---------------------------------------------------------------- commands

run: $(DIST) server
	@mkdir -p data
	TAXICERT_DEV=true TAXICERT_REALNAME_AUTO_APPROVE=true TAXICERT_LOG_FORMAT=pretty $(SERVER)

test: setup-test $(DIST) test-build test-native test-contract test-wasm test-e2e

# Every crate's tests on the embedded default (SQLite), then the server's black-box binary
# again on PostgreSQL. The second run starts the binary the first one built: `cargo test -p
# taxicert-server` would resolve the dependencies' features for that one package instead of
# the workspace, and compile the dependency tree a second time (~14 min on two cores).
API_TEST_BINARY = cargo test --workspace --no-run --message-format=json 2>/dev/null | python3 -c 'import json, sys; \
  print(next(m["executable"] for m in map(json.loads, sys.stdin) if m.get("reason") == "compiler-artifact" \
    and m["target"]["name"] == "api" and "/server" in m["manifest_path"] and m.get("executable")))'

test-native: | setup-test
	cargo test --workspace
	api=$$($(API_TEST_BINARY)); cd server && TAXICERT_TEST_BACKEND=postgres "$$api"

test-wasm: | setup-test
	CHROMEDRIVER=/usr/bin/chromedriver cargo test -p taxicert --target wasm32-unknown-unknown --test browser

# schemathesis against the real server, with a driver's and a clerk's session: every answer
# as openapi.yaml says (scripts/contract-test.sh; about two minutes on two cores). It reuses
# the test build, whose server and draw-id-card are built with the workspace's features.
test-contract: test-build | setup-test
	scripts/contract-test.sh $(SERVER) $(TARGET)/debug/draw-id-card $(VENV)

test-e2e: $(DIST) test-build | setup-test
	node --test --test-concurrency=1 tests/e2e/

# The load figures last: a release build of the server and its load driver (load_seed), then
# about four minutes of seeding and load on SQLite and on a throwaway PostgreSQL.
bench: $(DIST) server | setup-test $(STAMP)/wrk
	node scripts/bench-sizes.mjs dist
	node scripts/bench-lighthouse.mjs dist
	cargo build --release -p taxicert-photo --example photo-bench
	node scripts/bench-photos.mjs dist/driver target/release/examples/photo-bench
	cargo build --release -p taxicert-server --bin taxicert-server --example load_seed
	scripts/bench-load.sh

# Regenerates the contract from the server's routes; the tests fail until it is committed.
# The test build's server: `cargo run -p` would resolve other features and build it all again.
openapi: test-build
	$(SERVER) openapi > openapi.yaml

clean:
	rm -rf dist target/trunk-css target/e2e
