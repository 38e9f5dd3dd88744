# cardconsole — run `make help` for the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO        ?= go
NPM       ?= npm
PGDEV     := $(GO) run ./cmd/pgdev
TEMPL     := $(GO) tool templ
TAILWIND  := ./node_modules/.bin/tailwindcss
REDOCLY   := ./node_modules/.bin/redocly
# DEV_OTP_KEY seals the demo's TOTP secrets under `make run` when OTP_ENCRYPTION_KEY is not set. It is
# public, so it protects nothing: production sets its own key (README.md, docs/security.md).
DEV_OTP_KEY := ZGV2ZWxvcG1lbnQgb25seSBvdHAga2V5LCBwdWJsaWM=

.PHONY: help run build test test-go test-browser lint lint-openapi generate check-generated node-deps db-stop bench bench-funds bench-events bench-console bench-bulk bench-search cluster cluster-stop bench-statement clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

run: ## serve the console on demo data at http://127.0.0.1:8080 (private PostgreSQL under .data/ unless DATABASE_URL is set)
	@set -e; \
	if [ -z "$${DATABASE_URL:-}" ]; then echo "cardconsole: starting the private PostgreSQL cluster under .data/ (created on the first start)"; fi; \
	url="$${DATABASE_URL:-$$($(PGDEV) url cardconsole)}"; \
	otpkey="$${OTP_ENCRYPTION_KEY:-$(DEV_OTP_KEY)}"; \
	if [ -z "$${OTP_ENCRYPTION_KEY:-}" ]; then echo "cardconsole: OTP_ENCRYPTION_KEY is not set; using the public development key (never use it in production)"; fi; \
	echo "cardconsole: building bin/cardconsole"; \
	$(GO) build -o bin/cardconsole ./cmd/cardconsole; \
	echo "cardconsole: applying migrations and loading the demo data (once)"; \
	DATABASE_URL="$$url" OTP_ENCRYPTION_KEY="$$otpkey" ./bin/cardconsole seed --demo >/dev/null; \
	echo "cardconsole: open $${BASE_URL:-http://$${ADDR:-127.0.0.1:8080}}"; \
	exec env DATABASE_URL="$$url" OTP_ENCRYPTION_KEY="$$otpkey" ./bin/cardconsole serve

cluster: build ## production-like set on this machine: durable PostgreSQL primary + streaming replica, two instances, HAProxy at http://127.0.0.1:18080 (docs/deploy.md)
	@set -e; urls="$$($(PGDEV) replicated cardconsole)"; primary="$$(sed -n 1p <<<"$$urls")"; replica="$$(sed -n 2p <<<"$$urls")"; \
	export OTP_ENCRYPTION_KEY="$${OTP_ENCRYPTION_KEY:-$(DEV_OTP_KEY)}"; \
	DATABASE_URL="$$primary" ./bin/cardconsole seed --demo >/dev/null; \
	echo "cluster: primary $$primary"; echo "cluster: replica $$replica"; \
	$(GO) run ./cmd/cluster up -dir .data/cluster -binary bin/cardconsole -db "$$primary" -replica "$$replica"

cluster-stop: ## stop what make cluster started (HAProxy, the instances, the replica, the primary)
	$(GO) run ./cmd/cluster down -dir .data/cluster
	$(PGDEV) replicated-stop

build: ## build bin/cardconsole
	$(GO) build -o bin/cardconsole ./cmd/cardconsole

test: node-deps check-generated lint lint-openapi ## the whole suite: generated files fresh, lint, OpenAPI lint, go test -race with PostgreSQL and Chromium
	@set -e; url="$${TEST_DATABASE_URL:-$$($(PGDEV) url postgres)}"; \
	TEST_DATABASE_URL="$$url" $(GO) test -race -count=1 -timeout 30m ./...

node-deps: node_modules/.installed ## install the npm build tools (Tailwind, htmx, Redocly)

node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

generate: node-deps ## regenerate templ components, the Tailwind CSS and the vendored htmx files
	$(TEMPL) generate -path views
	$(TAILWIND) -c tailwind.config.js -i static/src/input.css -o static/css/app.css --minify 2>/dev/null
	cp node_modules/htmx.org/dist/htmx.min.js static/js/htmx.min.js
	cp node_modules/htmx-ext-sse/dist/sse.min.js static/js/sse.min.js

check-generated: generate ## fail when committed generated files are stale
	@if ! git diff --quiet -- views static; then \
		echo "generated files are stale; run 'make generate' and commit:"; git --no-pager diff --stat -- views static; exit 1; fi
	@if [ -n "$$(git ls-files --others --exclude-standard -- views static)" ]; then \
		echo "generated files are not committed:"; git ls-files --others --exclude-standard -- views static; exit 1; fi

lint: ## gofmt, go vet, templ fmt and a tidy go.mod
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod or go.sum is not tidy: run '$(GO) mod tidy' and commit ($(GO) mod tidy -diff shows the change)"; exit 1; }
	@bad="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$bad" ]; then echo "gofmt needed:"; echo "$$bad"; exit 1; fi
	$(GO) vet ./...
	@$(TEMPL) fmt -fail views >/dev/null || { echo "templ fmt needed: run '$(TEMPL) fmt views'"; exit 1; }

lint-openapi: node-deps ## lint the OpenAPI document with Redocly
	@mkdir -p tmp && $(GO) run ./cmd/cardconsole openapi > tmp/openapi.json
	$(REDOCLY) lint --config .redocly.yaml tmp/openapi.json

bench-funds: ## issuer funds API against pgbench on a private durable PostgreSQL under bench/funds/.data, or BENCH_DATABASE_URL (BENCH_DURATION=10s per phase, BENCH_ROUNDS=3; docs/performance-funds.md)
	$(GO) run ./bench/funds -duration $${BENCH_DURATION:-10s} -rounds $${BENCH_ROUNDS:-3}

bench-bulk: ## a 100,000-row (16 MB) cardholder file and a 10,000-row payout file through the real server vs psql \copy and the issuer funds API, and the server's peak RSS, on a private durable cluster under bench/bulk/.data or BENCH_DATABASE_URL (docs/performance-bulk.md)
	$(GO) run ./bench/bulk -rows $${BENCH_ROWS:-100000} -payouts $${BENCH_PAYOUTS:-10000}

bench-search: ## p95 of GET /cms/rest/app/search vs the raw SQL it runs at 1M cardholders (BENCH_DATABASE_URL, kept; BENCH_CARDHOLDERS, BENCH_RUNS=100; docs/performance-cardholders.md)
	@set -e; url="$${BENCH_DATABASE_URL:-$$($(PGDEV) url bench_search)}"; \
	$(GO) run ./bench/search -db "$$url" -n $${BENCH_CARDHOLDERS:-1000000} -runs $${BENCH_RUNS:-100}

bench-events: ## live events across two instances: change on A to SSE frame on B, 200 streams, p50/p95/p99 (BENCH_DATABASE_URL; docs/performance-events.md)
	@set -e; url="$${BENCH_DATABASE_URL:-$$($(PGDEV) url postgres)}"; \
	$(GO) run ./bench/events -admin-url "$$url" -clients $${BENCH_CLIENTS:-200} -changes $${BENCH_CHANGES:-300}

bench-statement: ## peak RSS and CPU of one PDF statement of 100,000 movements, checked with qpdf and pdftotext (docs/performance-reports.md)
	$(GO) run ./bench/statement

bench-console: ## 32 operators browsing the console against 1M cardholders and 10M movements, p50/p95/p99 per page (BENCH_DATABASE_URL, kept; BENCH_MOVEMENTS, BENCH_DURATION=30s; docs/performance-console.md)
	@set -e; url="$${BENCH_DATABASE_URL:-$$($(PGDEV) url bench_console)}"; \
	$(GO) run ./bench/console -db "$$url" -cardholders $${BENCH_CARDHOLDERS:-1000000} -movements $${BENCH_MOVEMENTS:-10000000} \
		-clients $${BENCH_CLIENTS:-32} -think $${BENCH_THINK:-1s} -duration $${BENCH_DURATION:-30s}

db-stop: ## stop the private PostgreSQL cluster
	$(PGDEV) stop

clean: ## remove build output (keeps .data/)
	rm -rf bin tmp
