#!/usr/bin/env bash
# Signed delivery next to nginx: one processed video, served on loopback by
#   nginx    Debian's nginx, sendfile on, unsigned, straight from kinema's
#            local object directory (the physical limit we aim at)
#   token    kinema, ?token=<play token> on the URL
#   cookie   kinema, the same token in the kinema_play cookie
#   gofs     Go's net/http.FileServer over the same directory, unsigned
#            (bench/loadgen serve): the floor for a Go file server here
#   gomem    the same files from memory, one map lookup and one Write per
#            request (bench/loadgen serve -memory): the floor for any
#            net/http handler, whatever it does per request
# over the same two files: the largest video segment ("seg") and one media
# playlist ("pl", which kinema rewrites with the token; under a cookie it is
# served as stored). Each (file, server) pair gets one wrk run of DURATION
# (2 threads, CONNS connections), and all pairs alternate for ROUNDS rounds,
# so a busy spell of the machine hits every server. Only ratios between runs
# of the same round mean anything; the summary prints their range over the
# rounds, plus each server's CPU time per request (utime+stime from /proc,
# nginx master and workers summed), which other load disturbs less, and
# wrk's own CPU time per request. "CPU-bound" is the req/s ratio to nginx
# that those CPU costs give when server and wrk share the cores and nothing
# else runs: (nginx + its wrk CPU per request) / (server + its wrk CPU per
# request), a model for a machine too busy to measure req/s on.
# Set KINEMA_BIN_BASE to an older build to measure it too ("base", token).
#
# usage: bench/nginx.sh   (env: KINEMA_BIN, KINEMA_BIN_BASE, CONNS=100,
#                          THREADS=2, DURATION=5s, ROUNDS=3, BENCH_PORT=18920)
# nginx and wrk are installed with apt when missing (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${KINEMA_BIN:-bin/kinema}
BASE_BIN=${KINEMA_BIN_BASE:-}
CONNS=${CONNS:-100}
THREADS=${THREADS:-2}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
PORT=${BENCH_PORT:-18920}
NGINX_PORT=$((PORT + 1))
BASE_PORT=$((PORT + 2))
GOFS_PORT=$((PORT + 3))
GOMEM_PORT=$((PORT + 4))
OUT=bench/out/nginx
mkdir -p "$OUT"
need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v wrk >/dev/null || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} ..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

DATA_PREFIX=kinema-bench-nginx
# shellcheck source=bench/common.sh
. bench/common.sh
process_video "$PORT"
[ -z "$BASE_BIN" ] || cp -a "$DATA/main" "$DATA/base"

start_kinema "$BIN" "$DATA/main" "$PORT" "$OUT/server.log" --workers 0
declare -A pid_of=([token]=$started [cookie]=$started) port_of=([token]=$PORT [cookie]=$PORT [nginx]=$NGINX_PORT)
URL=$("$BIN" sign --data "$DATA/main" --base "http://127.0.0.1:$PORT" --ttl 2h "$ID" | tail -1)
TOKEN=${URL#*token=}
servers=(nginx token cookie gofs gomem)
if [ -n "$BASE_BIN" ]; then
  start_kinema "$BASE_BIN" "$DATA/base" "$BASE_PORT" "$OUT/server-base.log" --workers 0
  pid_of[base]=$started port_of[base]=$BASE_PORT
  servers+=(base)
fi

# nginx as a distribution would run it for static files: sendfile, workers
# per core, keep-alive, no access log (kinema logs nothing per request at its
# default level either). It runs as the user running this script, since the
# object directory is private to it.
ROOT=$DATA/main/objects
cat >"$DATA/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $DATA/nginx.pid;
error_log $DATA/nginx-error.log warn;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  types { application/vnd.apple.mpegurl m3u8; video/iso.segment m4s; }
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  access_log off;
  client_body_temp_path $DATA/nginx-tmp;
  proxy_temp_path $DATA/nginx-tmp;
  fastcgi_temp_path $DATA/nginx-tmp;
  uwsgi_temp_path $DATA/nginx-tmp;
  scgi_temp_path $DATA/nginx-tmp;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $ROOT;
  }
}
EOF
"$NGINX" -c "$DATA/nginx.conf" -p "$DATA" >"$OUT/nginx.log" 2>&1 &
pid_of[nginx]=$!
pids+=($!)
"$OUT/loadgen" serve -addr "127.0.0.1:$GOFS_PORT" -root "$ROOT" >"$OUT/gofs.log" 2>&1 &
pid_of[gofs]=$! port_of[gofs]=$GOFS_PORT
pids+=($!)
"$OUT/loadgen" serve -memory -addr "127.0.0.1:$GOMEM_PORT" -root "$ROOT" >"$OUT/gomem.log" 2>&1 &
pid_of[gomem]=$! port_of[gomem]=$GOMEM_PORT
pids+=($!)

# The files: the largest segment of the video and its first media playlist.
SEG=$(cd "$ROOT" && find "media/$ID" -name '*.m4s' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2)
PL=$(cd "$ROOT" && find "media/$ID" -mindepth 2 -name '*.m3u8' | sort | head -1)
for p in "$NGINX_PORT" "$GOFS_PORT" "$GOMEM_PORT"; do
  for _ in $(seq 1 50); do curl -fs -o /dev/null "http://127.0.0.1:$p/$SEG" && break; sleep 0.1; done
done

# Sanity: every server answers 200 with the bytes nginx has; kinema refuses
# without a credential; the token playlist is rewritten, the cookie one not.
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/$SEG")
[ "$code" = 403 ] || { echo "unsigned request to kinema got $code, want 403" >&2; exit 1; }
cmp <(curl -fs "http://127.0.0.1:$PORT/$SEG?token=$TOKEN") <(curl -fs "http://127.0.0.1:$NGINX_PORT/$SEG")
cmp <(curl -fs -H "Cookie: kinema_play=$TOKEN" "http://127.0.0.1:$PORT/$PL") <(curl -fs "http://127.0.0.1:$NGINX_PORT/$PL")
curl -fs "http://127.0.0.1:$PORT/$PL?token=$TOKEN" | grep -q "?token=$TOKEN" ||
  { echo "token playlist is not rewritten" >&2; exit 1; }

# cpu_ticks PID: user + system CPU time of a process and its children (nginx
# workers), in clock ticks.
cpu_ticks() {
  local t=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$t"
}
HZ=$(getconf CLK_TCK)

# to_ms VALUE: a wrk latency ("812.00us", "7.41ms", "1.02s") in ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}

# measure SERVER FILE: one wrk run; prints key=value results.
measure() {
  local server=$1 file=$2 url hdr=()
  case $file in seg) url=$SEG ;; pl) url=$PL ;; esac
  url="http://127.0.0.1:${port_of[$server]}/$url"
  case $server in
    token | base) url+="?token=$TOKEN" ;;
    cookie) hdr=(-H "Cookie: kinema_play=$TOKEN") ;;
  esac
  local c0 c1 out reqs rps p99 non2xx errs
  c0=$(cpu_ticks "${pid_of[$server]}")
  # `times` in the same subshell prints wrk's user and system time last.
  out=$(wrk -t "$THREADS" -c "$CONNS" -d "$DURATION" --latency "${hdr[@]}" "$url" && times)
  c1=$(cpu_ticks "${pid_of[$server]}")
  local wrk_s
  wrk_s=$(echo "$out" | tail -1 | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); t += a[1] * 60 + a[2] } print t }')
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
  p99=$(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  if [ -n "$non2xx" ] || [ -z "$reqs" ]; then
    echo "$out" >&2
    echo "$server $file: refused requests during the run" >&2
    return 1
  fi
  # Socket errors are wrk's own 2 s timeouts (and resets) when the machine is
  # very busy: counted, not fatal, since every server meets the same load.
  errs=$(echo "$out" | awk '/Socket errors/ {n = 0; for (i = 4; i <= NF; i += 2) n += $i + 0; print n}')
  echo "server=$server file=$file rps=$rps p99_ms=$p99 requests=$reqs socket_errors=${errs:-0} cpu_us_per_req=$(echo "($c1 - $c0) / $HZ / $reqs * 1000000" | bc -l | xargs printf '%.1f') wrk_cpu_us_per_req=$(echo "$wrk_s / $reqs * 1000000" | bc -l | xargs printf '%.1f') load1=$(cut -d' ' -f1 /proc/loadavg)"
}

results=$OUT/results.txt
: >"$results"
for r in $(seq 1 "$ROUNDS"); do
  for f in seg pl; do
    for s in "${servers[@]}"; do
      line=$(measure "$s" "$f") || exit 1
      echo "round=$r $line" | tee -a "$results"
    done
  done
done

printf '\nsource %s; seg %s (%s bytes), pl %s (%s bytes)\n' "$SRC" "$SEG" "$(stat -c %s "$ROOT/$SEG")" "$PL" "$(stat -c %s "$ROOT/$PL")"
printf 'wrk -t %s -c %s -d %s, %s rounds; ranges over rounds of the ratio to nginx in the same round; load average %s\n' "$THREADS" "$CONNS" "$DURATION" "$ROUNDS" \
  "$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^load1=/) { v = substr($i, 7) + 0; if (lo == "" || v < lo) lo = v; if (v > hi) hi = v } } END { print lo "-" hi }' "$results")"
awk '
  function lo(a, b) { return a == "" || b < a ? b : a }
  function hi(a, b) { return a == "" || b > a ? b : a }
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    k = f["server"] SUBSEP f["file"]; r = f["round"]
    rps[r, k] = f["rps"]; p99[r, k] = f["p99_ms"]; cpu[r, k] = f["cpu_us_per_req"]; wcpu[r, k] = f["wrk_cpu_us_per_req"]; rounds = r
    if (!(f["server"] in seen)) { seen[f["server"]] = 1; order[++n] = f["server"] } }
  END {
    printf "%-6s %-4s %19s %17s %15s %13s %15s %12s %12s\n", "server", "file", "req/s", "req/s ratio", "p99 ms", "p99 ratio", "CPU us/req", "CPU ratio", "CPU-bound"
    split("seg pl", files, " ")
    for (fi = 1; fi <= 2; fi++) for (i = 1; i <= n; i++) {
      s = order[i]; fl = files[fi]; k = s SUBSEP fl; nk = "nginx" SUBSEP fl
      delete m
      for (r = 1; r <= rounds; r++) {
        m["rl"] = lo(m["rl"], rps[r, k]); m["rh"] = hi(m["rh"], rps[r, k])
        m["pl"] = lo(m["pl"], p99[r, k]); m["ph"] = hi(m["ph"], p99[r, k])
        m["cl"] = lo(m["cl"], cpu[r, k]); m["ch"] = hi(m["ch"], cpu[r, k])
        x = rps[r, k] / rps[r, nk]; m["xl"] = lo(m["xl"], x); m["xh"] = hi(m["xh"], x)
        y = p99[r, k] / p99[r, nk]; m["yl"] = lo(m["yl"], y); m["yh"] = hi(m["yh"], y)
        z = cpu[r, k] / cpu[r, nk]; m["zl"] = lo(m["zl"], z); m["zh"] = hi(m["zh"], z)
        q = (cpu[r, nk] + wcpu[r, nk]) / (cpu[r, k] + wcpu[r, k]); m["ql"] = lo(m["ql"], q); m["qh"] = hi(m["qh"], q)
      }
      printf "%-6s %-4s %9.0f-%-9.0f %8.2f-%-8.2f %7.2f-%-7.2f %6.2f-%-6.2f %7.1f-%-7.1f %5.2f-%-5.2f %5.2f-%-5.2f\n", s, fl,
        m["rl"], m["rh"], m["xl"], m["xh"], m["pl"], m["ph"], m["yl"], m["yh"], m["cl"], m["ch"], m["zl"], m["zh"], m["ql"], m["qh"]
    }
  }' "$results"
