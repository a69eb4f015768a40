#!/usr/bin/env bash
# Live latency on loopback (#13): one `kinema serve` with SRT ingest, one
# real-time ffmpeg publisher (640x360 30 fps test pattern, x264 veryfast
# zerolatency, over SRT), and Debian's chromium playing the stream with each
# player in turn: LL-HLS and HLS with hls.js (kinema's UI settings, and
# hls.js defaults) and DASH with dash.js defaults. For each, SAMPLE_S
# seconds of samples (4 a second, after 6 s to settle) of
#   now − wall-clock time of the frame on screen
# where that time is what kinema stamps into the stream: the ingest time of
# the frame (EXT-X-PROGRAM-DATE-TIME; for DASH the first segment's PDT +
# the media time on screen). It
# also prints how long after ffmpeg was started media time 0 reached the
# ingest (process start + first encode + SRT handshake and latency): an
# upper bound for the publisher side, which the samples do not include.
#
# Per player it also prints hls.js's own distance behind the edge it knows
# (the rest is the server's: ingest to listed) and the transcoder's lag
# (stream health) when the samples ended.
#
# Usage: bench/latency.sh [SAMPLE_S]   (default 20; needs ffmpeg, chromium, node, npm)
#   LATENCY_VARIANTS=1  also two LL-HLS settings compared with the UI's in the same run
#   LATENCY_ONLY=LL-HLS only the players whose name contains it
set -euo pipefail
cd "$(dirname "$0")/.."
SAMPLE_S=${1:-20}
OUT=bench/out/latency
mkdir -p "$OUT"
BIN=${BIN:-$OUT/kinema}
[ -x "$BIN" ] || go build -tags noui -o "$BIN" ./cmd/kinema
[ -f ui/node_modules/hls.js/dist/hls.min.js ] || (cd ui && npm ci --no-audit --no-fund)
NPM=$OUT/npm
[ -f "$NPM/node_modules/dashjs/package.json" ] || npm install --no-audit --no-fund --prefix "$NPM" dashjs@5.2.1 >&2
DASHJS=$(realpath "$NPM/node_modules/dashjs/dist/modern/umd/dash.all.min.js")

free_port() {
  python3 -c 'import socket,sys
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=="udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"
}
PORT=$(free_port tcp)
SRT_PORT=$(free_port udp)
URL="http://127.0.0.1:$PORT"
TOKEN=bench-admin-token
DATA=$(mktemp -d /tmp/kinema-latency.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

KINEMA_ADMIN_TOKEN=$TOKEN KINEMA_PUBLIC_URL=$URL \
  "$BIN" serve --addr "127.0.0.1:$PORT" --data "$DATA" --metrics-addr 127.0.0.1:0 \
  --srt-addr "127.0.0.1:$SRT_PORT" --rtmp-addr= >"$OUT/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -fs "$URL/healthz" >/dev/null && break; sleep 0.1; done

STREAM=$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"title":"latency bench"}' "$URL/api/v1/live")
ID=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$STREAM")
SRT=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["srt_url"])' "$STREAM")

# Long enough for every player: ~30 s setup and settling each, plus samples.
NPLAYERS=4
[ -z "${LATENCY_VARIANTS:-}" ] || NPLAYERS=6 # bench/latency.mjs: two more LL-HLS players
PUBLISH_S=$((NPLAYERS * (SAMPLE_S + 30) + 20))
T0=$(date +%s.%N)
ffmpeg -nostdin -hide_banner -loglevel error -re \
  -f lavfi -i testsrc2=size=640x360:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 -t "$PUBLISH_S" \
  -c:v libx264 -preset veryfast -tune zerolatency -g 30 -pix_fmt yuv420p -c:a aac -f mpegts "$SRT" \
  2>"$OUT/publisher.log" &
pids+=($!)

# Media time 0's ingest time, from the first segment's PROGRAM-DATE-TIME.
PB=""
for _ in $(seq 1 150); do
  PB=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$URL/api/v1/live/$ID" |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("playback",{}).get("ll_hls",""))')
  if [ -n "$PB" ] && PL=$(curl -fsS "${PB/llhls.m3u8/llhls_0.m3u8}" 2>/dev/null); then
    PDT=$(printf '%s\n' "$PL" | sed -n 's/^#EXT-X-PROGRAM-DATE-TIME://p' | head -1)
    [ -n "$PDT" ] && break
  fi
  sleep 0.2
done
[ -n "${PDT:-}" ] || { echo "no LL-HLS playlist; see $OUT/server.log" >&2; exit 1; }
EPOCH_MS=$(python3 -c 'import sys,datetime
print(round(datetime.datetime.fromisoformat(sys.argv[1].replace("Z","+00:00")).timestamp()*1000))' "$PDT")
python3 -c 'import sys
print(f"publisher started → media time 0 at the ingest: {int(sys.argv[1])/1000-float(sys.argv[2]):.2f} s (upper bound of the publisher side)")' "$EPOCH_MS" "$T0"

echo "load average before playing: $(cut -d' ' -f1-3 /proc/loadavg)"
node bench/latency.mjs "$URL" "$TOKEN" "$ID" "$SAMPLE_S" "$DASHJS" "$EPOCH_MS" | tee "$OUT/results.jsonl"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT/results.jsonl" <<'EOF'
import json, sys
print()
print("| player | median | p95 | min | max | samples | stalls | media s played per s | player behind its edge (median) | transcoder lag at the end |")
print("|---|---|---|---|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    r = json.loads(line)
    if 'error' in r:
        print(f"| {r['player']} | {r['error']} | | | | | | | | |")
        continue
    # A player that stopped advancing has no latency worth printing.
    if r['played'] < 0.5:
        print(f"| {r['player']} | stuck | | | | {r['n']} | {r['stalls']} | {r['played']:.2f} | | |")
        continue
    edge = f"{r['behindEdge']:.2f} s" if r.get('behindEdge') is not None else "–"
    print(f"| {r['player']} | {r['median']:.2f} s | {r['p95']:.2f} s | {r['min']:.2f} s | {r['max']:.2f} s | {r['n']} | {r['stalls']} | {r['played']:.2f} | {edge} | {r.get('transcoderLag', 0) or 0:.2f} s |")
EOF
