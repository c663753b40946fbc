# Conecta–Zoho gateway. `make help` lists the targets.

GO        ?= go
BIN       := bin/gateway
PKGS      := ./...
# Chromium for the browser tests (Debian packages).
CHROMIUM  ?= /usr/bin/chromium
# What `gateway version` prints (the Dockerfile takes the same as build arguments).
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BUILD_DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS   := -X github.com/conecta-zoho/gateway/internal/buildinfo.version=$(VERSION) \
             -X github.com/conecta-zoho/gateway/internal/buildinfo.commit=$(COMMIT) \
             -X github.com/conecta-zoho/gateway/internal/buildinfo.date=$(BUILD_DATE)

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# DEV_DIR holds the private PostgreSQL cluster and the generated secrets.
DEV_DIR   ?= .dev

# Built, then run directly: `go run` exits 1 whenever it was interrupted,
# even after the program stopped cleanly (golang/go#40467), and make then
# reported "Error 1" for a Ctrl-C.
.PHONY: run
run: ## Run the whole product locally (private PostgreSQL, simulators, demo data); EVENTS=channel for the event channel
	@$(GO) build -o $(BIN) ./cmd/gateway
	@$(BIN) dev --dir $(DEV_DIR) $(if $(EVENTS),--events $(EVENTS))

.PHONY: build
build: ## Build bin/gateway
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/gateway

.PHONY: generate
generate: ## Regenerate templ components
	$(GO) tool templ generate -path web

.PHONY: check-generated
check-generated: ## Fail if generated files are stale
	@$(GO) tool templ generate -path web >/dev/null 2>&1
	@if [ -n "$$(git status --porcelain -- web)" ]; then \
		echo "Generated templ files are stale: run 'make generate' and commit the result."; \
		git status --short -- web; exit 1; fi

.PHONY: lint
lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) tool staticcheck $(PKGS)

.PHONY: browser
browser: ## Install Chromium for the browser tests if it is missing
	@./scripts/ensure-chromium.sh $(CHROMIUM)

# The tests wait on PostgreSQL, the simulators and Chromium far more than
# they compute: four at a time per package keep two cores busy, and lint
# runs beside them. The browser tests, the longest package, run beside the
# others and without the race detector, which slows the gateway they drive
# several times over; the handlers they exercise run under -race in their
# own packages' tests. Any part failing fails the target.
E2E := ./internal/e2e

.PHONY: test
test: check-generated browser ## Every test, browser tests included, on a throwaway PostgreSQL (lint beside them)
	@$(MAKE) --no-print-directory lint & lint=$$!; \
	CHROMIUM=$(CHROMIUM) $(GO) run ./cmd/withpg sh -c '\
		$(GO) test -count=1 -parallel 4 -timeout 15m $(E2E) & e2e=$$!; \
		$(GO) test -race -count=1 -parallel 4 -timeout 15m $$($(GO) list $(PKGS) | grep -v "/internal/e2e$$"); race=$$?; \
		wait $$e2e && [ $$race -eq 0 ]'; tests=$$?; \
	wait $$lint; linted=$$?; \
	if [ $$linted -ne 0 ]; then echo "make test: lint failed"; fi; \
	[ $$tests -eq 0 ] && [ $$linted -eq 0 ]

# Where `make screenshots` writes its pictures (git-ignored).
SCREENSHOTS ?= screenshots

.PHONY: screenshots
screenshots: browser ## Screenshots of every screen at 1366 and 375 px, into screenshots/ (not committed)
	@mkdir -p $(SCREENSHOTS)
	CHROMIUM=$(CHROMIUM) E2E_SCREENSHOTS=$(abspath $(SCREENSHOTS)) $(GO) run ./cmd/withpg $(GO) test -count=1 -run '^(TestEveryScreen|TestOperatorConsole)$$' ./internal/e2e
	@echo "Screenshots in $(SCREENSHOTS)/"

# The bench's PostgreSQL is durable (fsync, synchronous_commit and
# full_page_writes on), as production runs, with pg_stat_statements loaded to
# count statements; BENCH_FAST=1 turns durability off as the tests do
# (faster, but not what production sees). BENCH_ARGS go to gwbench, e.g.
# BENCH_ARGS='-only table -duration 5s'.
BENCH_FAST ?=
BENCH_ARGS ?=

.PHONY: bench
bench: ## Measure the gateway against side-by-side baselines on a durable PostgreSQL (BENCH_FAST=1: fsync off, as tests; figures in README.md)
	$(GO) run ./cmd/withpg $(if $(BENCH_FAST),,-durable) -set shared_preload_libraries=pg_stat_statements \
		$(GO) run ./cmd/gwbench $(BENCH_ARGS)

.PHONY: fuzz
fuzz: ## Fuzz the Xsi event parser, number normalisation, the session codec and Zoho endpoints for FUZZTIME each (default 1m)
	$(GO) test -run '^$$' -fuzz FuzzParseEvent -fuzztime $${FUZZTIME:-1m} ./internal/centrex/xsi
	$(GO) test -run '^$$' -fuzz FuzzNormalize -fuzztime $${FUZZTIME:-1m} ./internal/phonenumber
	$(GO) test -run '^$$' -fuzz FuzzSessionCodec -fuzztime $${FUZZTIME:-1m} ./internal/site
	$(GO) run ./cmd/withpg $(GO) test -run '^$$' -fuzz FuzzZohoEndpoints -fuzztime $${FUZZTIME:-1m} ./internal/bridge

.PHONY: migrate
migrate: ## Apply migrations to DATABASE_URL
	$(GO) run ./cmd/gateway migrate

.PHONY: clean
clean: ## Remove build output (not the .dev/ data)
	rm -rf bin
