#!/usr/bin/env bash
# Delivery benchmark: signed segment requests served by a real `kinema serve`
# versus the same files served unsigned by a plain Go http.FileServer. A 20 s
# 360p synthetic source is processed by kinema so real segments exist; then,
# on loopback, each mode gets DURATION seconds of GETs over CONNS keep-alive
# HTTP/1.1 connections, round robin over every segment and init file:
#   unsigned  http.FileServer over kinema's object directory (baseline)
#   token     kinema, ?token=<play token> on every URL
#   cookie    kinema, the same token in the kinema_play cookie
# The modes alternate for ROUNDS rounds so a slow spell of the VM hits all of
# them; only ratios within one run mean anything. Besides requests/s and MB/s
# it prints each server's CPU time per request (from /proc), which other load
# on the machine disturbs less than throughput. Set KINEMA_BIN_BASE to an
# older build to measure it too (label "base", on a copy of the data dir).
#
# usage: bench/delivery.sh   (env: KINEMA_BIN, KINEMA_BIN_BASE, CONNS=8,
#                             DURATION=10s, ROUNDS=3, BENCH_PORT=18900)
# An existing bin/kinema is used as it is; `make bench-delivery` rebuilds it
# first when the sources changed.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${KINEMA_BIN:-bin/kinema}
BASE_BIN=${KINEMA_BIN_BASE:-}
CONNS=${CONNS:-8}
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
PORT=${BENCH_PORT:-18900}
OUT=bench/out/delivery
mkdir -p "$OUT"
DATA_PREFIX=kinema-bench-delivery
# shellcheck source=bench/common.sh
. bench/common.sh
LOADGEN=$OUT/loadgen
process_video "$PORT"

start_kinema "$BIN" "$DATA/main" "$PORT" "$OUT/server.log" --workers 0
declare -A pid_of=([token]=$started [cookie]=$started)
URL=$("$BIN" sign --data "$DATA/main" --base "http://127.0.0.1:$PORT" --ttl 2h "$ID" | tail -1)
TOKEN=${URL#*token=}
"$LOADGEN" serve -addr "127.0.0.1:$((PORT + 1))" -root "$DATA/main/objects" >"$OUT/fileserver.log" 2>&1 &
pids+=($!)
pid_of[unsigned]=$!
modes=(unsigned token cookie)
if [ -n "$BASE_BIN" ]; then
  cp -a "$DATA/main" "$DATA/base"
  start_kinema "$BASE_BIN" "$DATA/base" "$((PORT + 2))" "$OUT/server-base.log" --workers 0
  pid_of[base]=$started
  modes+=(base)
fi
for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$((PORT + 1))/" && break; sleep 0.1; done

# Sanity: kinema refuses without a credential and serves the same bytes as
# the file server with one.
seg=$(cd "$DATA/main/objects" && find "media/$ID" -name 'seg_*.m4s' | sort | head -1)
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/$seg")
[ "$code" = 403 ] || { echo "unsigned request to kinema got $code, want 403" >&2; exit 1; }
cmp <(curl -fs "http://127.0.0.1:$PORT/$seg?token=$TOKEN") <(curl -fs "http://127.0.0.1:$((PORT + 1))/$seg")

# cpu_ticks PID: user + system CPU time of a process, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)

# measure MODE: one loadgen run; prints its result line plus the server's
# CPU time over the run (warm-up included, like the all= count).
measure() {
  local args=(-root "$DATA/main/objects" -id "$ID" -c "$CONNS" -d "$DURATION" -label "$1")
  case $1 in
    unsigned) args+=(-base "http://127.0.0.1:$((PORT + 1))") ;;
    token) args+=(-base "http://127.0.0.1:$PORT" -token "$TOKEN") ;;
    cookie) args+=(-base "http://127.0.0.1:$PORT" -token "$TOKEN" -cookie) ;;
    base) args+=(-base "http://127.0.0.1:$((PORT + 2))" -token "$TOKEN") ;;
  esac
  local c0 c1 line
  c0=$(cpu_ticks "${pid_of[$1]}")
  line=$("$LOADGEN" run "${args[@]}")
  c1=$(cpu_ticks "${pid_of[$1]}")
  echo "$line server_cpu=$(echo "($c1 - $c0) / $HZ" | bc -l | xargs printf '%.2f')"
}

results=$OUT/results.txt
: >"$results"
for r in $(seq 1 "$ROUNDS"); do
  for m in "${modes[@]}"; do
    line=$(measure "$m")
    echo "round=$r $line" | tee -a "$results"
  done
done

files=$(echo "$line" | sed -E 's/.*files=([0-9]+).*/\1/')
bytes=$(cd "$DATA/main/objects/media/$ID" && find . \( -name '*.m4s' -o -name '*.mp4' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
printf '\nsource %s; %d files, mean %.0f KB; %d connections, %s x %d rounds per mode\n' \
  "$SRC" "$files" "$(echo "$bytes / $files / 1000" | bc -l)" "$CONNS" "$DURATION" "$ROUNDS"
awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    m = f["label"]; req[m] += f["requests"]; sec[m] += f["seconds"]; mb[m] += f["mbps"] * f["seconds"]
    all[m] += f["all"]; cpu[m] += f["server_cpu"]; round_rps[f["round"], m] = f["rps"]; rounds = f["round"]
    if (!(m in seen)) { seen[m] = 1; order[++n] = m } }
  END {
    base_rps = req["unsigned"] / sec["unsigned"]; base_cpu = cpu["unsigned"] / all["unsigned"]
    printf "%-9s %9s %8s %12s %17s %19s\n", "mode", "req/s", "MB/s", "req/s ratio", "server CPU/req", "CPU/req ratio"
    for (i = 1; i <= n; i++) {
      m = order[i]; rps = req[m] / sec[m]; c = cpu[m] / all[m]
      printf "%-9s %9.1f %8.1f %12.3f %14.1f us %19.3f\n", m, rps, mb[m] / sec[m], rps / base_rps, c * 1e6, c / base_cpu
    }
    for (i = 2; i <= n; i++) {
      m = order[i]; printf "%s/unsigned req/s by round:", m
      for (r = 1; r <= rounds; r++) printf " %.3f", round_rps[r, m] / round_rps[r, "unsigned"]
      printf "\n"
    }
  }' "$results"
