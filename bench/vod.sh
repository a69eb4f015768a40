#!/usr/bin/env bash
# VOD benchmark: a 60 s 1080p30 synthetic source through kinema end to end
# (upload → ready, HLS + DASH) versus one hand-written ffmpeg command that
# decodes once and encodes the same four rungs to HLS fMP4. Both run on this
# machine one after the other; the script prints the ratio kinema/baseline.
#
# usage: bench/vod.sh [SECONDS]   (default 60; set KINEMA_BIN to a built binary)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_LEN=${1:-60}
BIN=${KINEMA_BIN:-bin/kinema}
OUT=bench/out
PORT=${BENCH_PORT:-18765}
mkdir -p "$OUT"
SRC="$OUT/src-${SECONDS_LEN}s-1080p30.mp4"

if [ ! -f "$SRC" ]; then
  echo "generating $SRC ..." >&2
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=$SECONDS_LEN" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$SECONDS_LEN" \
    -vf "noise=alls=4:allf=t" -c:v libx264 -preset veryfast -b:v 8M -maxrate 8M -bufsize 16M -g 60 -pix_fmt yuv420p \
    -c:a aac -b:a 192k -shortest "$SRC"
fi

now() { date +%s.%N; }

# Baseline: the command from issue 3, verbatim.
rm -rf "$OUT/baseline" && mkdir -p "$OUT/baseline"
t0=$(now)
ffmpeg -v error -y -i "$SRC" -filter_complex \
 "[0:v]split=4[a][b][c][d];[a]scale=-2:1080[v0];[b]scale=-2:720[v1];[c]scale=-2:480[v2];[d]scale=-2:360[v3]" \
 -map "[v0]" -map "[v1]" -map "[v2]" -map "[v3]" -map 0:a \
 -c:v libx264 -preset veryfast -g 120 -keyint_min 120 -sc_threshold 0 \
 -b:v:0 5000k -maxrate:v:0 5350k -bufsize:v:0 7500k -b:v:1 2800k -maxrate:v:1 2996k -bufsize:v:1 4200k \
 -b:v:2 1400k -maxrate:v:2 1498k -bufsize:v:2 2100k -b:v:3 800k -maxrate:v:3 856k -bufsize:v:3 1200k \
 -c:a aac -b:a 128k -f hls -hls_time 4 -hls_playlist_type vod -hls_segment_type fmp4 \
 -master_pl_name master.m3u8 \
 -var_stream_map "v:0,agroup:a v:1,agroup:a v:2,agroup:a v:3,agroup:a a:0,agroup:a" \
 -hls_segment_filename "$OUT/baseline/v%v/seg%05d.m4s" "$OUT/baseline/v%v/index.m3u8"
t1=$(now)
baseline=$(echo "$t1 - $t0" | bc -l)

# kinema: same preset and rungs, fresh data directory, in-process workers.
DATA="$OUT/kinema-data"
rm -rf "$DATA"
KINEMA_ADMIN_TOKEN=bench-admin-token KINEMA_LADDER=1080,720,480,360 KINEMA_PRESET=veryfast \
  "$BIN" serve --addr "127.0.0.1:$PORT" --data "$DATA" >"$OUT/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
t0=$(now)
"$BIN" upload --server "http://127.0.0.1:$PORT" --token bench-admin-token --wait "$SRC" >"$OUT/video.json" 2>"$OUT/upload.log"
t1=$(now)
kinema=$(echo "$t1 - $t0" | bc -l)
kill $server; wait $server 2>/dev/null || true

after_upload=$(python3 -c '
import json, datetime as d
v = json.load(open("'"$OUT/video.json"'"))
p = lambda s: d.datetime.fromisoformat(s.replace("Z", "+00:00"))
print("%.2f" % (p(v["ready_at"]) - p(v["uploaded_at"])).total_seconds())')

ratio=$(echo "$kinema / $baseline" | bc -l)
printf 'source           %s (%ss 1080p30, %s bytes)\n' "$SRC" "$SECONDS_LEN" "$(stat -c %s "$SRC")"
printf 'baseline ffmpeg  %6.2f s  (one decode, 4 x264 veryfast rungs, HLS fMP4)\n' "$baseline"
printf 'kinema           %6.2f s  (upload -> ready: HLS + DASH, audio, poster, storyboard)\n' "$kinema"
printf 'upload-complete -> ready  %s s\n' "$after_upload"
printf 'ratio kinema/baseline     %.3f\n' "$ratio"
