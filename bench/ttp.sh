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
# Usage: bench/ttp.sh [--seconds N] [--runs N] [--no-ready] [--play S] [--busy]   (N seconds of source, default 600)
# --play S lets the viewer play S seconds from the first frame before the
# seek and reports what stalls cost in them. --busy runs two busy shell
# loops beside the whole run: a machine other programs keep busy.
# --no-ready measures the first frame and the seek only (no wait for ready,
# no run of today's pipeline): a 10-minute source takes hours to be ready
# on a loaded 2-core machine.
# Needs ffmpeg, chromium and ui/node_modules (make ui).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_SRC=600
RUNS=1
NO_READY=
PLAY=
BUSY=
while [ $# -gt 0 ]; do
  case $1 in
    --no-ready) NO_READY=--no-ready; shift ;;
    --seconds) SECONDS_SRC=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --play) PLAY="--play $2"; shift 2 ;;
    --busy) BUSY=1; shift ;;
    *) echo "usage: $0 [--seconds N] [--runs N] [--no-ready] [--play S] [--busy]" >&2; exit 2 ;;
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
burners=()
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  [ ${#burners[@]} -gt 0 ] && kill "${burners[@]}" 2>/dev/null
  wait 2>/dev/null || true
}
trap cleanup EXIT
if [ -n "$BUSY" ]; then
  for _ in 1 2; do sh -c 'while :; do :; done' & burners+=($!); done
fi

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
touch "$OUT/today.jsonl"
for _ in $(seq 1 "$RUNS"); do
  echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  measure "$BIN" progressive $NO_READY $PLAY
  [ -n "$NO_READY" ] || measure "$BASE_BIN" today --no-player
done
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$OUT" "$SECONDS_SRC" "$(git rev-parse --short HEAD)" "$(git rev-parse --short "$BASE_REV")" "$NO_READY" <<'EOF'
import json, statistics, sys
out, secs, head, base, no_ready = sys.argv[1:]
rows = lambda n: [json.loads(l) for l in open(f"{out}/{n}.jsonl")]
p = rows("progressive")
t = [] if no_ready else rows("today")
med = lambda rs, k: statistics.median(r[k] for r in rs)
print(f"\n{secs} s 1080p30 source, embedded defaults, {len(p)} run(s) each (medians); kinema {head}, today = {base}")
print("| measure | progressive | today |")
print("|---|---|---|")
print(f"| upload complete → playable (API) | {med(p,'playable_s'):.2f} s | {med(t,'ready_s'):.2f} s (= ready) |" if t else
      f"| upload complete → playable (API) | {med(p,'playable_s'):.2f} s | not run |")
print(f"| upload complete → first frame (hls.js, Chromium) | {med(p,'first_frame_s'):.2f} s | after ready |")
if all('play_lost_s' in r for r in p):
    print(f"| playing from the first frame: time lost to stalls in the first seconds | {med(p,'play_lost_s'):.2f} s | after ready |")
print(f"| seek to 80% just after playable → playing | {med(p,'seek_s'):.2f} s | after ready |")
if not t:
    sys.exit(0)
r, b = med(p, 'ready_s'), med(t, 'ready_s')
print(f"| upload complete → ready | {r:.1f} s | {b:.1f} s |")
print(f"| ready, progressive vs today | {100*(r-b)/b:+.1f} % | |")
EOF

# Where the first frame's time goes (the last progressive run): the
# server's log and the page's hls.js events, from upload complete.
python3 - "$OUT" <<'EOF'
import json, sys
from datetime import datetime
out = sys.argv[1]
run = [json.loads(l) for l in open(f"{out}/progressive.jsonl")][-1]
t0 = run["t_upload_ms"] / 1000
rows = []
def at(t, what): rows.append((t - t0, what))
def ts(rec):
    s = rec["time"].rstrip("Z")
    head, _, frac = s.partition(".")
    return datetime.fromisoformat(head + "+00:00").timestamp() + float("0." + (frac or "0"))
for line in open(f"{out}/progressive.log"):
    try:
        rec = json.loads(line)
    except ValueError:
        continue
    if rec.get("video") != run["id"]:
        continue
    t, msg = ts(rec), rec.get("msg")
    if msg == "probe done":
        names = [k for k in rec if k.endswith("_s") and k != "queued_s"]
        start = t - sum(rec[k] for k in names)
        at(start - rec["queued_s"], "probe job available")
        at(start, f"probe job picked up (queued {rec['queued_s']:.2f} s)")
        for k in names:
            start += rec[k]
            at(start, f"probe: {k[:-2]} done ({rec[k]:.2f} s)")
    elif msg == "chunk pass done" and (rec.get("chunk") == 0 or rec.get("urgent")):
        end = t - rec["publish_s"]
        begin = end - rec["encode_s"]
        what = f"chunk {rec['chunk']} pass {rec['pass']}/{rec['of']} ({','.join(rec['rungs'])})"
        if rec["queued_s"]:
            at(begin, f"chunk {rec['chunk']} picked up ({'urgent, ' + str(rec['queued_s']) + ' s after a viewer asked' if rec['urgent'] else 'queued ' + str(rec['queued_s']) + ' s'})")
        at(end, f"{what} encoded ({rec['encode_s']:.2f} s)")
        at(t, f"{what} published ({rec['publish_s']:.2f} s)")
    elif msg == "first frames of the upper rungs published":
        at(t - rec["publish_s"], f"first frames of the upper rungs encoded ({rec['encode_s']:.2f} s)")
        at(t, f"first frames of the upper rungs published ({rec['publish_s']:.2f} s)")
    elif msg == "audio: first segments published":
        at(t, f"audio: first segments published ({rec['s']:.2f} s after its start)")
    elif msg == "playable":
        at(t, "playable (catalog)")
at(run["t_playable_ms"] / 1000, "playable seen by the API poll (every 50 ms)")
ev = run.get("hls_events", {})
names = {"manifest_loading": "hls.js: master requested", "manifest_parsed": "hls.js: master parsed",
         "level_loaded": "hls.js: first media playlist loaded", "frag_loading_main": "hls.js: first video segment requested",
         "frag_loaded_main": "hls.js: first video segment loaded", "frag_loaded_audio": "hls.js: first audio segment loaded",
         "frag_buffered_main": "hls.js: first video segment buffered"}
for k, label in names.items():
    if k in ev:
        e = ev[k]
        extra = f" (level {e['level']}, sn {e['sn']})" if "sn" in e else ""
        if k == "manifest_parsed":
            extra = f" (first level {e['first_level']} of heights {e['levels']})"
        at(e["t"] / 1000, label + extra)
for r in run.get("requests", []):
    if "/seg_" in "/" + r["path"] or r["path"].endswith("init.mp4"):
        at(r["end"] / 1000, f"GET {r['path']} {r['status']} done in {(r['end'] - r['start']) / 1000:.2f} s")
at(run["t_first_frame_ms"] / 1000, "first frame rendered")
print(f"\nfirst frame timeline (video {run['id']}, seconds from upload complete)")
print("| t (s) | event |")
print("|---|---|")
for t, what in sorted(rows):
    print(f"| {t:.2f} | {what} |")
EOF
