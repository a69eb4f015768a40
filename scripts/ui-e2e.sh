#!/usr/bin/env bash
# Runs the Playwright UI tests (ui/e2e) in Debian's Chromium against a real
# `kinema serve` on loopback with a fresh data directory and generated media.
# Usage: scripts/ui-e2e.sh [BIN [playwright args...]], e.g. `bin/kinema live`
# runs only e2e/live.spec.ts. The server starts with no accounts: the first
# test creates the admin through the setup page (specs run alone make it over
# the API); KINEMA_ADMIN_TOKEN is only for the tests' own API calls.
set -euo pipefail
BIN=$(realpath "${1:-bin/kinema}")
shift || true
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
PORT=${UI_E2E_PORT:-18790}
export KINEMA_ADMIN_TOKEN=ui-e2e-admin-token
export KINEMA_URL="http://127.0.0.1:$PORT"
export KINEMA_BIN="$BIN" # for specs that start a server of their own with other flags (studio: short playback TTL; codecs: AV1)
export KINEMA_TEST_VIDEO="$WORK/clip.mp4"
export KINEMA_TEST_CORRUPT="$WORK/corrupt.mp4"
export KINEMA_TEST_AUDIO="$WORK/tone.mp3"
export CHROMIUM_PATH=${CHROMIUM_PATH:-$(command -v chromium)}

ffmpeg -v error -y -f lavfi -i testsrc2=size=640x360:rate=30:duration=6 \
  -f lavfi -i sine=frequency=440:sample_rate=48000:duration=6 \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "$KINEMA_TEST_VIDEO"
ffmpeg -v error -y -f lavfi -i sine=frequency=330:sample_rate=44100:duration=5 -c:a libmp3lame "$KINEMA_TEST_AUDIO"
head -c 200000 /dev/urandom >"$KINEMA_TEST_CORRUPT"

# free_port prints a port nothing listens on (proto tcp or udp; SRT is UDP).
free_port() {
  python3 -c 'import socket,sys
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=="udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"
}
SRT_PORT=${UI_E2E_SRT_PORT:-$(free_port udp)}
RTMP_PORT=${UI_E2E_RTMP_PORT:-$(free_port tcp)}

# Live ingest on loopback ports of its own; KINEMA_PUBLIC_URL makes the
# publish URLs name 127.0.0.1, which the test's ffmpeg publishes to. A short
# reconnect grace ends the test broadcast soon after ffmpeg stops. The live
# spec restreams to a loopback address, which servers refuse by default.
KINEMA_RESTREAM_ALLOW_PRIVATE=true KINEMA_SEGMENT_SECONDS=2 KINEMA_PUBLIC_URL="$KINEMA_URL" KINEMA_LIVE_GRACE=3s \
  "$BIN" serve --addr "127.0.0.1:$PORT" --metrics-addr 127.0.0.1:0 --data "$WORK/data" \
  --srt-addr "127.0.0.1:$SRT_PORT" --rtmp-addr "127.0.0.1:$RTMP_PORT" >"$WORK/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -fs "$KINEMA_URL/healthz" >/dev/null && break; sleep 0.1; done

cd ui
if ! npx playwright test "$@" 2>&1 | tee "$WORK/playwright.log"; then
  # CI keeps only the end of the output: the server's log first, then
  # Playwright's failure report again so it is what a reader sees last.
  echo "--- server log (tail) ---" >&2
  tail -40 "$WORK/server.log" >&2
  echo "--- playwright failures ---" >&2
  tail -150 "$WORK/playwright.log" >&2
  exit 1
fi
