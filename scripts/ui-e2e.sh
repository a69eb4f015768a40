#!/usr/bin/env bash
# Runs the Playwright UI tests (ui/e2e) in Debian's Chromium against a real
# `kinema serve` on loopback with a fresh data directory and generated media.
set -euo pipefail
BIN=$(realpath "${1:-bin/kinema}")
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
PORT=${UI_E2E_PORT:-18790}
export KINEMA_ADMIN_TOKEN=ui-e2e-admin-token
export KINEMA_URL="http://127.0.0.1:$PORT"
export KINEMA_TEST_VIDEO="$WORK/clip.mp4"
export KINEMA_TEST_CORRUPT="$WORK/corrupt.mp4"
export KINEMA_TEST_AUDIO="$WORK/tone.mp3"
export CHROMIUM_PATH=${CHROMIUM_PATH:-$(command -v chromium)}

ffmpeg -v error -y -f lavfi -i testsrc2=size=640x360:rate=30:duration=6 \
  -f lavfi -i sine=frequency=440:sample_rate=48000:duration=6 \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -shortest "$KINEMA_TEST_VIDEO"
ffmpeg -v error -y -f lavfi -i sine=frequency=330:sample_rate=44100:duration=5 -c:a libmp3lame "$KINEMA_TEST_AUDIO"
head -c 200000 /dev/urandom >"$KINEMA_TEST_CORRUPT"

KINEMA_SEGMENT_SECONDS=2 "$BIN" serve --addr "127.0.0.1:$PORT" --data "$WORK/data" >"$WORK/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -fs "$KINEMA_URL/healthz" >/dev/null && break; sleep 0.1; done

cd ui
if ! npx playwright test; then
  echo "--- server log (tail) ---" >&2
  tail -50 "$WORK/server.log" >&2
  exit 1
fi
