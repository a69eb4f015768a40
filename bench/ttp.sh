#!/usr/bin/env bash
# Time to play (#12): a generated 1080p30 source (10 minutes by default),
# kinema with its embedded defaults (SQLite, local store, in-process
# workers, default ladder) on loopback, measured from the moment the upload
# completes:
#   - until hls.js in Debian's Chromium renders the first frame,
#   - until playback moves again after a seek to 80% of the duration made
#     right after that first frame,
#   - until the video is ready, next to the same source through today's
#     pipeline (the binary built from the revision before progressive
#     playback, BASE_REV) in the same run, one after the other.
# Prints a table; add it to docs/benchmarks.md with the command line.
#
# Usage: bench/ttp.sh [--seconds N] [--runs N]   (N seconds of source, default 600)
# Needs ffmpeg, chromium and ui/node_modules (make ui).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_SRC=600
RUNS=1
while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECONDS_SRC=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--runs N]" >&2; exit 2 ;;
  esac
done

OUT=bench/out/ttp
mkdir -p "$OUT"
BIN=$OUT/kinema
go build -o "$BIN" ./cmd/kinema

# Today's pipeline: the revision before progressive playback landed.
BASE_REV=${BASE_REV:-$(git log -1 --format=%H --grep='^Progressive playback (#12)')~1}
BASE_BIN=$OUT/kinema-base
if [ ! -x "$BASE_BIN" ] || [ "$(cat "$OUT/base-rev" 2>/dev/null)" != "$(git rev-parse "$BASE_REV")" ]; then
  tree=$(mktemp -d)
  git archive "$BASE_REV" | tar -x -C "$tree"
  (cd "$tree" && go build -tags noui -o "$OLDPWD/$BASE_BIN" ./cmd/kinema)
  rm -rf "$tree"
  git rev-parse "$BASE_REV" >"$OUT/base-rev"
fi

SRC=$OUT/src-${SECONDS_SRC}s-1080p30.mp4
if [ ! -f "$SRC" ]; then
  echo "generating $SRC ..." >&2
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=$SECONDS_SRC" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$SECONDS_SRC" \
    -c:v libx264 -preset ultrafast -g 60 -pix_fmt yuv420p -c:a aac -b:a 128k -shortest "$SRC"
fi

PORT=${TTP_PORT:-18905}
export KINEMA_ADMIN_TOKEN=bench-admin-token KINEMA_URL="http://127.0.0.1:$PORT"
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

# measure BIN NAME [--no-player]: one fresh server with embedded defaults.
measure() {
  local bin=$1 name=$2 data
  shift 2
  data=$(mktemp -d /tmp/kinema-ttp.XXXXXX)
  "$bin" serve --addr "127.0.0.1:$PORT" --data "$data" --srt-addr= --rtmp-addr= --metrics-addr 127.0.0.1:0 >"$OUT/$name.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fs "$KINEMA_URL/healthz" >/dev/null && break; sleep 0.1; done
  node bench/ttp.mjs "$SRC" "$@" | tee -a "$OUT/$name.jsonl"
  kill "$server"; wait "$server" 2>/dev/null || true; server=
  rm -rf "$data"
}

rm -f "$OUT/progressive.jsonl" "$OUT/today.jsonl"
for _ in $(seq 1 "$RUNS"); do
  measure "$BIN" progressive
  measure "$BASE_BIN" today --no-player
done

python3 - "$OUT" "$SECONDS_SRC" "$(git rev-parse --short HEAD)" "$(git rev-parse --short "$BASE_REV")" <<'EOF'
import json, statistics, sys
out, secs, head, base = sys.argv[1:]
rows = lambda n: [json.loads(l) for l in open(f"{out}/{n}.jsonl")]
p, t = rows("progressive"), rows("today")
med = lambda rs, k: statistics.median(r[k] for r in rs)
print(f"\n{secs} s 1080p30 source, embedded defaults, {len(p)} run(s) each (medians); kinema {head}, today = {base}")
print("| measure | progressive | today |")
print("|---|---|---|")
print(f"| upload complete → playable (API) | {med(p,'playable_s'):.2f} s | {med(t,'ready_s'):.2f} s (= ready) |")
print(f"| upload complete → first frame (hls.js, Chromium) | {med(p,'first_frame_s'):.2f} s | after ready |")
print(f"| seek to 80% just after playable → playing | {med(p,'seek_s'):.2f} s | after ready |")
r, b = med(p, 'ready_s'), med(t, 'ready_s')
print(f"| upload complete → ready | {r:.1f} s | {b:.1f} s |")
print(f"| ready, progressive vs today | {100*(r-b)/b:+.1f} % | |")
EOF
