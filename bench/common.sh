# Shared by the delivery benchmarks (source it after setting BIN, OUT and
# DATA_PREFIX): one generated source, one processed video, and kinema
# servers on loopback that are stopped when the script exits.

SRC=bench/out/src-20s-360p30.mp4

[ -x "$BIN" ] || go build -o "$BIN" ./cmd/kinema
go build -o "$OUT/loadgen" ./bench/loadgen

if [ ! -f "$SRC" ]; then
  echo "generating $SRC ..." >&2
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=640x360:rate=30:duration=20" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=20" \
    -vf "noise=alls=4:allf=t" -c:v libx264 -preset veryfast -b:v 1M -g 60 -pix_fmt yuv420p \
    -c:a aac -b:a 128k -shortest "$SRC"
fi

DATA=$(mktemp -d "/tmp/$DATA_PREFIX.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

# start_kinema BIN DATA PORT LOG [FLAGS]: serve on loopback, no live
# ingest, wait until healthy; the pid is in $started.
start_kinema() {
  local bin=$1 data=$2 port=$3 log=$4
  shift 4
  KINEMA_ADMIN_TOKEN=bench-admin-token KINEMA_LADDER=360 \
    "$bin" serve --addr "127.0.0.1:$port" --data "$data" --srt-addr= --rtmp-addr= --metrics-addr 127.0.0.1:0 "$@" >"$log" 2>&1 &
  started=$!
  pids+=($started)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
  echo "kinema on :$port did not start; see $log" >&2
  exit 1
}

# process_video PORT: processes the source into $DATA/main and sets ID. The
# server is stopped afterwards, so the caller restarts it without in-process
# workers and the job poller is not part of the measurement.
process_video() {
  start_kinema "$BIN" "$DATA/main" "$1" "$OUT/process.log"
  "$BIN" upload --server "http://127.0.0.1:$1" --token bench-admin-token --wait "$SRC" >"$OUT/video.json" 2>"$OUT/upload.log"
  kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true; pids=()
  ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$OUT/video.json")
}
