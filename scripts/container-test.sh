#!/usr/bin/env bash
# Usage: scripts/container-test.sh
#
# Builds the container image from the repository's Dockerfile with podman,
# runs it the way docs/deploy.md says (a named volume on /data, an admin
# token), and checks it end to end: the HEALTHCHECK passes, the process is
# not root, a clip uploaded over the API is transcoded by the image's
# ffmpeg, the signed master playlist plays (ffprobe) and a signed segment is
# served while the same segment without a token is refused. Then `kinema
# backup` runs inside the container. Prints the seconds each phase took.
#
# No registry is reachable here, so the Debian base is made with mmdebstrap
# (minbase bookworm, the packages of debian:bookworm-slim) and imported as
# localhost/debian:bookworm, unless KINEMA_BASE_IMAGE names an image that
# exists. KINEMA_CONTAINER_BUILD picks how the binary gets into the image:
#   prebuilt (default): the binary in KINEMA_CONTAINER_BIN (make test passes
#     bin/kinema), else one the host's Go builds static (UI embedded, `make
#     ui` first); the image's build stages are skipped.
#   source: the Dockerfile's UI and Go stages run too, in NODE_IMAGE and
#     GOLANG_IMAGE (defaults in the Dockerfile; without a registry, make
#     them locally, e.g. KINEMA_TOOLCHAIN_LOCAL=1 builds one image from
#     the base plus this machine's /usr/local/go and node).
# The runtime stage, which is what ships, is the same in both.
#
# podman runs with runc (crun fails on these machines' cgroups) and host
# networking; the server listens on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${KINEMA_CONTAINER_BUILD:-prebuilt}
BASE=${KINEMA_BASE_IMAGE:-localhost/debian:bookworm}
RUNTIME=${PODMAN_RUNTIME:-/usr/sbin/runc}
TAG=localhost/kinema:container-test-$$
NAME=kinema-container-test-$$
VOLUME=kinema-container-test-$$
TOKEN=container-test-admin-token
podman() { command podman --runtime "$RUNTIME" "$@"; }
log() { echo "container-test: $*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kinema-container.XXXXXX")
dangling=$(podman images -q -f dangling=true | sort)
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ "$status" != 0 ] && podman container exists "$NAME" 2>/dev/null; then
    echo "--- container log (tail) ---" >&2
    podman logs --tail 40 "$NAME" >&2 || true
  fi
  podman rm -f -t 5 "$NAME" >/dev/null 2>&1 || true
  podman volume rm -f "$VOLUME" >/dev/null 2>&1 || true
  podman rmi -f "$TAG" >/dev/null 2>&1 || true
  # The prebuilt stage's image is left untagged by the build: remove the
  # untagged images this run made, and only those.
  comm -13 <(echo "$dangling") <(podman images -q -f dangling=true | sort) | xargs -r podman rmi -f >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
t_all=$(now)

# --- deploy/compose.yaml: parse it and check what ties the services together --
python3 - deploy/compose.yaml <<'PY'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
s = c["services"]
assert set(s) == {"db", "s3", "serve", "worker"}, sorted(s)
for name, svc in s.items():
    assert svc.get("image"), name + " has no image"
env = s["serve"]["environment"]
assert env["KINEMA_DB"].startswith("postgres://kinema:") and "@db:5432/kinema" in env["KINEMA_DB"], env["KINEMA_DB"]
assert env["KINEMA_STORE"].startswith("s3://") and env["KINEMA_S3_ENDPOINT"] == "http://s3:7070"
assert ":7070" in s["s3"]["command"], s["s3"]["command"]
assert s["serve"]["command"][:3] == ["serve", "--workers", "0"], s["serve"]["command"]
w = s["worker"]
assert w["command"][0] == "worker" and w["environment"]["KINEMA_DB"] == env["KINEMA_DB"]
assert w["environment"]["KINEMA_ADDR"] == ":9090" and w["healthcheck"]["test"][-1] == ":9090"
assert s["db"]["environment"]["POSTGRES_USER"] == "kinema" and s["db"]["environment"]["POSTGRES_DB"] == "kinema"
PY
log "deploy/compose.yaml parses and its services agree"

# --- base image -------------------------------------------------------------
if ! podman image exists "$BASE"; then
  [ "$BASE" = localhost/debian:bookworm ] || { log "base image $BASE does not exist"; exit 1; }
  log "making $BASE with mmdebstrap (minbase bookworm)"
  t=$(now)
  mmdebstrap --quiet --variant=minbase bookworm "$WORK/rootfs.tar"
  podman import --quiet "$WORK/rootfs.tar" "$BASE" >/dev/null
  rm -f "$WORK/rootfs.tar"
  log "base image: $(secs "$t") s"
fi

# --- image ------------------------------------------------------------------
t=$(now)
args=(--format docker --network host --build-arg "BASE_IMAGE=$BASE" --build-arg "KINEMA_BUILD=$MODE" -t "$TAG" -f "$PWD/Dockerfile")
if [ "$MODE" = prebuilt ]; then
  # A context of its own holding only the binary, where the Dockerfile's
  # prebuilt stage looks for it.
  mkdir -p "$WORK/ctx/bin"
  if [ -n "${KINEMA_CONTAINER_BIN:-}" ]; then
    # make test passes the binary it built: on a Debian 12 host it needs
    # only the glibc the bookworm image has, and a second (static) build
    # would compile every package again.
    cp "$KINEMA_CONTAINER_BIN" "$WORK/ctx/bin/kinema-container"
  else
    CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$WORK/ctx/bin/kinema-container" ./cmd/kinema
    log "static binary: $(secs "$t") s"
  fi
  podman build --quiet "${args[@]}" "$WORK/ctx" >/dev/null
else
  if [ "${KINEMA_TOOLCHAIN_LOCAL:-}" = 1 ]; then
    # One toolchain image from the base and this machine's Go and Node
    # (registries are out of reach): used for both build stages.
    tc=localhost/kinema-toolchain:local
    if ! podman image exists "$tc"; then
      mkdir -p "$WORK/tc/usr/local" "$WORK/tc/usr/lib" "$WORK/tc/usr/bin"
      cp -a /usr/local/go "$WORK/tc/usr/local/go"
      cp -a "$(readlink -f "$(command -v node)")" "$WORK/tc/usr/bin/node"
      cp -a /usr/lib/node_modules "$WORK/tc/usr/lib/node_modules"
      # This machine's trust store too: where egress goes through a proxy
      # with its own CA, npm and the Go module download need it.
      mkdir -p "$WORK/tc/etc/ssl/certs"
      cp /etc/ssl/certs/ca-certificates.crt "$WORK/tc/etc/ssl/certs/host-bundle.crt"
      cat >"$WORK/tc/Containerfile" <<EOF
FROM $BASE
COPY usr /usr
COPY etc /etc
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/bin/npm
ENV PATH=/usr/local/go/bin:\$PATH SSL_CERT_FILE=/etc/ssl/certs/host-bundle.crt \\
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/host-bundle.crt npm_config_cafile=/etc/ssl/certs/host-bundle.crt
EOF
      podman build --quiet --network host -t "$tc" -f "$WORK/tc/Containerfile" "$WORK/tc" >/dev/null
    fi
    args+=(--build-arg "GOLANG_IMAGE=$tc" --build-arg "NODE_IMAGE=$tc")
  fi
  # The module proxy and npm registry of this machine, if it has its own.
  for v in GOPROXY GOSUMDB; do
    [ -n "$(go env "$v" 2>/dev/null)" ] && args+=(--build-arg "$v=$(go env "$v")")
  done
  podman build --quiet "${args[@]}" . >/dev/null
fi
log "image ($MODE): $(secs "$t") s, $(podman image inspect --format '{{.Size}}' "$TAG" | awk '{ printf "%.0f MB", $1 / 1e6 }')"

# --- run --------------------------------------------------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE_URL="http://127.0.0.1:$PORT"
t=$(now)
podman volume create "$VOLUME" >/dev/null
# Live ingest and the /metrics listener off: on the host network their
# default ports may be taken by something else on this machine.
podman run -d --name "$NAME" --network host \
  --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 \
  -v "$VOLUME:/data" \
  -e KINEMA_ADDR="127.0.0.1:$PORT" -e KINEMA_ADMIN_TOKEN="$TOKEN" \
  -e KINEMA_SRT_ADDR=off -e KINEMA_RTMP_ADDR=off -e KINEMA_METRICS_ADDR=off \
  "$TAG" > /dev/null 2> >(grep -v 'systemd connection' >&2) # podman cannot add healthcheck timers without systemd; podman healthcheck run below works
ok=
for _ in $(seq 1 300); do
  if curl -fsS "$BASE_URL/readyz" >/dev/null 2>&1; then ok=1; break; fi
  podman container exists "$NAME" && [ "$(podman inspect --format '{{.State.Running}}' "$NAME")" = true ] || break
  sleep 0.2
done
[ -n "$ok" ] || { log "the container never became ready"; exit 1; }
log "ready: $(secs "$t") s after podman run"

# The image's own HEALTHCHECK (kinema healthcheck -> /readyz).
podman healthcheck run "$NAME" >/dev/null || { log "HEALTHCHECK failed"; exit 1; }
uid=$(podman exec "$NAME" id -u)
[ "$uid" != 0 ] || { log "the server runs as root"; exit 1; }
log "healthcheck passes; runs as uid $uid; $(podman exec "$NAME" ffmpeg -version | head -1)"

# --- upload, process, play ---------------------------------------------------
t=$(now)
ffmpeg -v error -y -f lavfi -i testsrc2=size=640x360:rate=30:duration=4 \
  -f lavfi -i sine=frequency=440:sample_rate=48000:duration=4 \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "$WORK/clip.mp4"
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
json() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[k]
print(v)' "$1"; }
created=$(api -X POST -d '{"title":"container test"}' "$BASE_URL/api/v1/videos")
id=$(json id <<<"$created")
curl -fsS -X PUT --data-binary @"$WORK/clip.mp4" "$(json upload.url <<<"$created")" >/dev/null
status=
for _ in $(seq 1 600); do
  v=$(api "$BASE_URL/api/v1/videos/$id")
  status=$(json status <<<"$v")
  [ "$status" = ready ] || [ "$status" = failed ] && break
  sleep 0.5
done
[ "$status" = ready ] || { log "video ended $status: $(json error <<<"$v" 2>/dev/null)"; exit 1; }
log "upload to ready: $(secs "$t") s"

master=$(json playback.hls <<<"$v")
streams=$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 "$master" | grep . | sort -u | xargs)
case "$streams" in *audio*video*) ;; *) log "ffprobe of the signed master playlist found: $streams"; exit 1 ;; esac
# First rendition's playlist, then its first media segment: with the token
# (carried into every child URL by the server) 200, without it 403.
variant=$(curl -fsS "$master" | grep -v '^#' | grep -v '^$' | head -1)
vurl="${master%/*}/$variant"
segment=$(curl -fsS "$vurl" | grep -v '^#' | grep -v '^$' | head -1)
surl="${vurl%/*}/$segment"
code=$(curl -s -o "$WORK/segment" -w '%{http_code}' "$surl")
[ "$code" = 200 ] && [ -s "$WORK/segment" ] || { log "signed segment $surl: HTTP $code"; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' "${surl%%\?*}")
[ "$code" = 403 ] || { log "segment without its token: HTTP $code, want 403"; exit 1; }
log "plays: ffprobe found $streams; signed segment 200 ($(stat -c %s "$WORK/segment") bytes), unsigned 403"

# --- backup inside the container ---------------------------------------------
podman exec "$NAME" kinema backup --to /data/backup-test >/dev/null
podman exec "$NAME" cat /data/backup-test/backup.json | grep -q '"ready": 1' || { log "backup.json lacks the ready video"; exit 1; }
log "kinema backup in the container: ok"

podman stop -t 20 "$NAME" > /dev/null 2> >(grep -v 'systemd connection' >&2)
log "passed in $(secs "$t_all") s"
