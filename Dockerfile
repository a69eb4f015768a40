# kinema container image: the UI and the Go binary built in their own
# stages, run as an unprivileged user on Debian bookworm-slim with Debian's
# ffmpeg. Build and run (docs/deploy.md "Container image"):
#
#   docker build -t kinema .
#   docker run -p 8080:8080 -v kinema-data:/data -e KINEMA_ADMIN_TOKEN=change-me-please kinema
#
# Every base image is a build argument, so an offline build can use images
# made locally (scripts/container-test.sh makes the Debian one with
# mmdebstrap). KINEMA_BUILD=prebuilt skips the two build stages and copies
# bin/kinema-container from the build context: a binary the host built with
# the UI embedded (`make ui`, then CGO_ENABLED=0 go build, or the binary of
# a Debian 12 host, which needs only bookworm's glibc). The runtime stage
# is the same either way.
ARG BASE_IMAGE=debian:bookworm-slim
ARG GOLANG_IMAGE=golang:1.26-bookworm
ARG NODE_IMAGE=node:22-bookworm-slim
ARG KINEMA_BUILD=source

# --- the web UI (vite writes it into internal/web/dist) -------------------
FROM ${NODE_IMAGE} AS ui
WORKDIR /src/ui
COPY ui/package.json ui/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY ui/ ./
RUN mkdir -p ../internal/web/dist && npm run build

# --- the binary, with the UI embedded ---------------------------------------
FROM ${GOLANG_IMAGE} AS build-source
# A module proxy of your own, if the default one is out of reach.
ARG GOPROXY
ARG GOSUMDB
WORKDIR /src
# Static: the runtime image needs no Go, no C library version to match.
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false
COPY go.mod go.sum ./
RUN go mod download
COPY cmd cmd
COPY internal internal
COPY --from=ui /src/internal/web/dist internal/web/dist
RUN go build -trimpath -ldflags=-s -o /out/kinema ./cmd/kinema

FROM ${BASE_IMAGE} AS build-prebuilt
COPY bin/kinema-container /out/kinema

FROM build-${KINEMA_BUILD} AS binary

# --- runtime ----------------------------------------------------------------
FROM ${BASE_IMAGE}
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 10001 kinema \
 && useradd --uid 10001 --gid kinema --home-dir /data --no-create-home --no-log-init --shell /usr/sbin/nologin kinema \
 && mkdir -p /data && chown kinema:kinema /data && chmod 750 /data
COPY --from=binary /out/kinema /usr/local/bin/kinema
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# Everything (SQLite catalog, objects, keys, scratch) under /data unless
# KINEMA_DB / KINEMA_STORE point elsewhere. /metrics stays on loopback.
ENV KINEMA_DATA=/data KINEMA_ADDR=:8080
# HTTP; SRT (UDP) and RTMP live ingest.
EXPOSE 8080 9710/udp 1935
# Ready means the database and the stores answer (GET /readyz); a worker
# container sets --addr to its own listener (deploy/compose.yaml).
HEALTHCHECK --interval=15s --timeout=6s --start-period=30s --retries=3 CMD ["kinema", "healthcheck"]
ENTRYPOINT ["kinema"]
CMD ["serve"]
