# kinema — `make run` serves on :8080 with data in ./data; `make test` runs
# everything CI runs. Both install what is missing (ffmpeg, chromium) with apt.

GO       ?= go
BIN      := bin/kinema
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
UI_STAMP := internal/web/dist/index.html
GOFILES  := $(shell find cmd internal -name '*.go' 2>/dev/null)
UIFILES  := $(shell find ui/src ui/index.html ui/package.json ui/vite.config.ts -type f 2>/dev/null)

.PHONY: run build test test-go test-e2e test-ui deps deps-ffmpeg deps-chromium ui vet bench clean

run: deps-ffmpeg build
	./$(BIN) serve --addr $${KINEMA_ADDR:-:8080} --data $${KINEMA_DATA:-./data}

build: $(BIN)

$(BIN): $(GOFILES) go.mod go.sum $(UI_STAMP)
	$(GO) build -o $(BIN) ./cmd/kinema

ui: $(UI_STAMP)

$(UI_STAMP): $(UIFILES) ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund && npm run build

deps: deps-ffmpeg deps-chromium

deps-ffmpeg:
	@command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || \
		($(SUDO) apt-get update -q && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -q ffmpeg)

deps-chromium:
	@command -v chromium >/dev/null || \
		($(SUDO) apt-get update -q && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)

vet:
	@test -z "$$(gofmt -l cmd internal)" || (echo "gofmt needed:"; gofmt -l cmd internal; exit 1)
	$(GO) vet ./...

# Everything CI runs: formatting, vet, unit + integration tests with real
# ffmpeg, the binary end-to-end tests, and the web UI tests in Chromium.
test: deps vet test-go test-fuzz test-e2e test-ui test-systemd test-container

# Real PostgreSQL and S3-compatible servers (and the Pebble ACME server) come
# from scripts/test-integration.sh;
# the REQUIRE variables turn "skip when missing" into failures.
REQUIRE := KINEMA_REQUIRE_FFMPEG=1 KINEMA_REQUIRE_POSTGRES=1 KINEMA_REQUIRE_S3=1 KINEMA_REQUIRE_ACME=1

test-go: deps-ffmpeg $(UI_STAMP)
	scripts/test-integration.sh env $(REQUIRE) $(GO) test -count=1 -timeout 20m ./...

test-e2e: deps-ffmpeg $(BIN)
	scripts/test-integration.sh env $(REQUIRE) KINEMA_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 45m -tags e2e ./e2e/...

test-ui: deps $(BIN)
	cd ui && npm test
	scripts/ui-e2e.sh $(BIN)

# deploy/systemd units: systemd-analyze verify (silent) and offline
# security exposure at most 2.0; a few seconds.
.PHONY: test-systemd
test-systemd: $(BIN)
	scripts/verify-systemd.sh $(BIN)

# The container image: scripts/container-test.sh builds the Dockerfile with
# podman (Debian base made with mmdebstrap; this binary copied in), runs it,
# plays an upload, and checks deploy/compose.yaml. Where podman is
# installed (.ci/run installs it with runc and mmdebstrap).
.PHONY: test-container
test-container: $(BIN)
	@if command -v podman >/dev/null; then KINEMA_CONTAINER_BIN=$(CURDIR)/$(BIN) scripts/container-test.sh; \
	else echo "test-container: SKIPPED, podman is not installed (apt-get install podman runc mmdebstrap python3-yaml)"; fi

# Every Go fuzz target for FUZZTIME each (19 targets x 5 s, about 2 minutes);
# `make test-fuzz FUZZTIME=10m` for a longer hunt.
.PHONY: test-fuzz
FUZZTIME ?= 5s
test-fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

bench: deps-ffmpeg $(BIN)
	bench/vod.sh

# Signed segment delivery vs the same files from a plain http.FileServer.
.PHONY: bench-delivery
bench-delivery: deps-ffmpeg $(BIN)
	KINEMA_BIN=$(BIN) bench/delivery.sh

# Signed delivery beside nginx (apt) with wrk, same files, alternated runs.
.PHONY: bench-nginx
bench-nginx: deps-ffmpeg $(BIN)
	KINEMA_BIN=$(BIN) bench/nginx.sh

clean:
	rm -rf bin internal/web/dist/assets internal/web/dist/index.html
