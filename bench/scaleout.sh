#!/usr/bin/env bash
# Scale-out benchmark: a 3-minute 720p synthetic source processed on
# PostgreSQL + an S3-compatible store by 1 worker, then by 2 workers. Each
# worker runs one job at a time with decoder and x264 limited to one thread,
# so the comparison is about distributing chunks, not threads. Prints the
# speedup and saves /metrics of the workers for docs/scaling.md.
#
# usage: scripts/test-integration.sh bench/scaleout.sh [SECONDS]
# (needs KINEMA_TEST_POSTGRES_URL and KINEMA_TEST_S3_* from that script)
set -euo pipefail
cd "$(dirname "$0")/.."
LEN=${1:-180}
BIN=${KINEMA_BIN:-bin/kinema}
OUT=bench/out/scaleout
mkdir -p "$OUT"
SRC="bench/out/src-${LEN}s-720p30.mp4"
export SRC
if [ ! -f "$SRC" ]; then
  echo "generating $SRC ..." >&2
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=$LEN" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$LEN" \
    -vf "noise=alls=4:allf=t" -c:v libx264 -preset veryfast -b:v 4M -maxrate 4M -bufsize 8M -g 60 -pix_fmt yuv420p \
    -c:a aac -b:a 128k -shortest "$SRC"
fi

now() { date +%s.%N; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# run N: a fresh schema and bucket, serve --workers 0 plus N workers; prints seconds.
run() {
  local n=$1 schema="bench_$1_$RANDOM" port=$((18800 + $1))
  psql "$KINEMA_TEST_POSTGRES_URL" -qc "CREATE SCHEMA $schema" >/dev/null
  export KINEMA_DB="${KINEMA_TEST_POSTGRES_URL}&search_path=$schema"
  export KINEMA_STORE="s3://kinema-bench-$n-$RANDOM" KINEMA_S3_ENDPOINT="$KINEMA_TEST_S3_ENDPOINT" KINEMA_S3_PATH_STYLE=true
  export AWS_ACCESS_KEY_ID="$KINEMA_TEST_S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$KINEMA_TEST_S3_SECRET_KEY" AWS_REGION="$KINEMA_TEST_S3_REGION"
  export KINEMA_ADMIN_TOKEN=bench-admin-token KINEMA_LADDER=720,480,360,240 KINEMA_PRESET=veryfast KINEMA_ENCODER_THREADS=1
  # 8 s chunks: 23 of them spread evenly over 2 workers (11 would leave one worker a chunk behind).
  export KINEMA_SEGMENTS_PER_CHUNK=${KINEMA_SEGMENTS_PER_CHUNK:-2}
  "$BIN" serve --addr "127.0.0.1:$port" --metrics-addr "127.0.0.1:$((port + 5))" --workers 0 --srt-addr= --rtmp-addr= --data "$OUT/api-$n" >"$OUT/api-$n.log" 2>&1 &
  pids+=($!)
  for i in $(seq 1 "$n"); do
    "$BIN" worker --addr "127.0.0.1:$((port + 10 * i))" --concurrency 1 --data "$OUT/worker-$n-$i" >"$OUT/worker-$n-$i.log" 2>&1 &
    pids+=($!)
  done
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  local t0 t1
  t0=$(now)
  "$BIN" upload --server "http://127.0.0.1:$port" --token bench-admin-token --wait "$SRC" >"$OUT/video-$n.json" 2>/dev/null
  t1=$(now)
  for i in $(seq 1 "$n"); do curl -fs "http://127.0.0.1:$((port + 10 * i))/metrics" >"$OUT/metrics-$n-$i.txt"; done
  curl -fs "http://127.0.0.1:$((port + 5))/metrics" >"$OUT/metrics-$n-api.txt"
  cleanup; pids=()
  echo "$t1 - $t0" | bc -l
}

# The machine's own ceiling: the same single-threaded encode (one decoder
# thread, x264 at one thread, veryfast, 720p) alone, then two copies at once.
# If two at once each run slower than one alone, no scheduler can reach 2x.
encode() { ffmpeg -v error -threads 1 -t 30 -i "$SRC" -an -c:v libx264 -threads 1 -preset veryfast -f null -; }
timed() { local t0; t0=$(now); "$@"; echo "$(now) - $t0" | bc -l; }
ceiling() {
  local alone both
  alone=$(timed encode)
  both=$(timed bash -c "$(declare -f encode); encode & encode & wait")
  echo "$alone $both"
}

read -r alone both < <(ceiling)
one=$(run 1)
two=$(run 2)
printf 'source       %s (%ss 720p30)\n' "$SRC" "$LEN"
printf '1 worker     %7.2f s\n' "$one"
printf '2 workers    %7.2f s\n' "$two"
printf 'speedup      %.2fx\n' "$(echo "$one / $two" | bc -l)"
printf 'machine      one encode alone %.2f s, two at once %.2f s: ceiling %.2fx (measured before the runs)\n' "$alone" "$both" "$(echo "2 * $alone / $both" | bc -l)"
# The same chunk work took this many encode seconds in each run: more with
# 2 workers means the machine slowed down, not that work was lost.
enc() { cat "$OUT"/metrics-"$1"-[0-9]*.txt | awk '/^kinema_job_duration_seconds_sum\{kind="encode_chunk"\}/ {s += $2} END {printf "%.1f", s}'; }
printf 'encode work  1 worker %s s, 2 workers %s s in all\n' "$(enc 1)" "$(enc 2)"
