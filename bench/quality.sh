#!/usr/bin/env bash
# Quality per bit: three generated 1080p30 sources of different character,
# each encoded by
#   (a) a MediaConvert-style CBR ladder written as plain ffmpeg commands
#       (1080p and 720p, x264 veryfast, 2 s closed GOPs, nal-hrd=cbr), at
#       five bitrates per rung so that its rate-quality curve is known;
#   (b) kinema with --ladder-mode fixed;
#   (c) kinema with --ladder-mode per-title;
#   (d) kinema with --ladder-mode per-title --codecs h264,av1 (its AV1 rungs);
#   (e) the same with --av1-max-height 720 (no AV1 above 720p: less CPU);
# and measured per rung: bytes, SSIM and PSNR against the source (scaled
# back to 1920x1080), encode CPU seconds. "saved" is the share of bytes the
# kinema rung saves against the CBR curve of the same rung interpolated at
# the same SSIM (matched points on log-bytes vs SSIM).
#
# usage: bench/quality.sh [SECONDS]   (default 6; KINEMA_BIN, BENCH_PORT, BENCH_SOURCES)
set -euo pipefail
cd "$(dirname "$0")/.."
LEN=${1:-6}
BIN=${KINEMA_BIN:-bin/kinema}
PORT=${BENCH_PORT:-18766}
OUT=bench/out/quality
mkdir -p "$OUT"
[ -x "$BIN" ] || go build -o "$BIN" ./cmd/kinema

declare -A GRAPH=(
  # Low motion, flat areas: still colour bars with a small moving patch.
  [flat]="smptehdbars=size=1920x1080:rate=30:duration=$LEN[b];testsrc=size=320x180:rate=30:duration=$LEN[p];[b][p]overlay=x='200+t*40':y=600"
  # High motion with noise: the moving test pattern under film-like grain.
  [noisy]="testsrc2=size=1920x1080:rate=30:duration=$LEN,noise=alls=6:allf=t"
  # Animation-like: flat colours with sharp edges, changing every frame.
  [anim]="life=size=480x270:rate=30:mold=10:ratio=0.12:death_color=#C83232:life_color=#00ff00:mold_color=#204080,scale=1920:1080:flags=neighbor,trim=duration=$LEN"
)
read -r -a SOURCES <<<"${BENCH_SOURCES:-flat noisy anim}" # e.g. BENCH_SOURCES=anim

cpu_of() { # cpu_of CMD...: runs CMD, prints its user+system CPU seconds
  /usr/bin/time -o "$OUT/time" -f '%U %S' "$@" >/dev/null
  awk '{print $1 + $2}' "$OUT/time"
}

# cpu_of_pid PID: CPU seconds of a running process and its waited-for
# children (kinema's ffmpeg processes), from /proc.
cpu_of_pid() {
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15 + $16 + $17) / hz}' "/proc/$1/stat"
}

# metrics FILE SRC: "ssim psnr" of FILE (any size) against SRC at 1920x1080.
metrics() {
  ffmpeg -nostats -i "$1" -i "$2" -lavfi \
    "[0:v]scale=1920:1080:flags=bicubic,format=yuv420p,split[a1][a2];[1:v]format=yuv420p,split[b1][b2];[a1][b1]ssim;[a2][b2]psnr" \
    -f null - 2>&1 | python3 -c '
import re, sys
t = sys.stdin.read()
s = re.search(r"SSIM .* All:([0-9.]+)", t); p = re.search(r"PSNR .* average:([0-9.inf]+)", t)
print(s.group(1), p.group(1))'
}

RESULTS="$OUT/results.tsv"
: >"$RESULTS"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; } # source config rung bytes ssim psnr cpu

for s in "${SOURCES[@]}"; do
  src="$OUT/src-$s-${LEN}s.mkv"
  if [ ! -f "$src" ]; then
    echo "generating $src ..." >&2
    ffmpeg -v error -y -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$LEN" \
      -filter_complex "${GRAPH[$s]},format=yuv420p[v]" -map "[v]" -map 0:a \
      -c:v libx264 -preset ultrafast -qp 4 -c:a flac -shortest "$src"
  fi

  # (a) CBR ladder, five points per rung.
  # The nominal ladder is 1080p at 5000k and 720p at 3000k; the other
  # points trace each rung's curve down to where easy content lands.
  for rung in "1080 8000 5000 2000 1000 500 250 125" "720 5000 3000 1200 600 300 150 75"; do
    set -- $rung
    h=$1; shift
    for kbps in "$@"; do
      f="$OUT/cbr-$s-${h}p-${kbps}k.mp4"
      cpu=$(cpu_of ffmpeg -v error -y -i "$src" -an -vf "scale=-2:$h" -c:v libx264 -preset veryfast -profile:v high \
        -g 60 -keyint_min 60 -sc_threshold 0 -flags +cgop \
        -b:v "${kbps}k" -minrate "${kbps}k" -maxrate "${kbps}k" -bufsize "$((kbps * 2))k" -x264-params nal-hrd=cbr \
        -movflags +faststart "$f")
      read -r ssim psnr < <(metrics "$f" "$src")
      record "$s" "cbr-${kbps}k" "${h}p" "$(stat -c %s "$f")" "$ssim" "$psnr" "$cpu"
    done
  done

  # (b), (c), (d) kinema end to end; rungs rebuilt from the published CMAF.
  for config in "fixed:--ladder-mode fixed" "per-title:--ladder-mode per-title" \
    "per-title-av1:--ladder-mode per-title --codecs h264,av1" \
    "per-title-av1-720:--ladder-mode per-title --codecs h264,av1 --av1-max-height 720"; do
    mode=${config%%:*}
    if curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null; then
      echo "port $PORT is taken (BENCH_PORT)" >&2
      exit 1
    fi
    data=$(mktemp -d "/tmp/kinema-quality.XXXXXX")
    # shellcheck disable=SC2086 # the flags are words
    KINEMA_ADMIN_TOKEN=bench-admin-token "$BIN" serve --addr "127.0.0.1:$PORT" --data "$data" --srt-addr= --rtmp-addr= --metrics-addr 127.0.0.1:0 \
      ${config#*:} >"$OUT/server-$s-$mode.log" 2>&1 &
    server=$!
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
    if ! "$BIN" upload --server "http://127.0.0.1:$PORT" --token bench-admin-token --wait "$src" >"$OUT/video-$s-$mode.json" 2>/dev/null; then
      kill "$server"; wait "$server" 2>/dev/null || true
      echo "kinema ($mode) did not make $src ready; see $OUT/video-$s-$mode.json and $OUT/server-$s-$mode.log" >&2
      exit 1
    fi
    cpu=$(cpu_of_pid "$server")
    kill "$server"; wait "$server" 2>/dev/null || true
    id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$OUT/video-$s-$mode.json")
    for init in $(find "$data" -path "*$id/v*/init.mp4" | sort); do
      dir=$(dirname "$init")
      f="$OUT/kinema-$mode-$s-$(basename "$dir").mp4"
      (cd "$dir" && cat init.mp4 $(grep -v '^#' index.m3u8)) >"$f"
      bytes=$(cd "$dir" && cat $(grep -v '^#' index.m3u8) | wc -c)
      read -r h codec < <(ffprobe -v error -select_streams v:0 -show_entries stream=height,codec_name -of csv=p=0 "$f" | awk -F, '{print $2, $1}')
      if [[ "$mode" = per-title-av1* ]] && [ "$codec" != av1 ]; then
        continue # its H.264 rungs are (c)'s
      fi
      read -r ssim psnr < <(metrics "$f" "$src")
      record "$s" "kinema-$mode" "${h}p" "$bytes" "$ssim" "$psnr" "$cpu"
    done
    rm -rf "$data"
  done
done

python3 - "$RESULTS" <<'EOF'
import math, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
by = {}
for src, cfg, rung, b, ssim, psnr, cpu in rows:
    by.setdefault(src, []).append((cfg, rung, int(b), float(ssim), float(psnr), float(cpu)))

def cbr_bytes_at(curve, s):
    """Bytes the CBR curve needs for SSIM s: log-linear between the two
    nearest points, None outside the measured range."""
    pts = sorted((q, math.log(b)) for b, q in curve)
    for (q0, l0), (q1, l1) in zip(pts, pts[1:]):
        if q0 <= s <= q1 and q1 > q0:
            return math.exp(l0 + (l1 - l0) * (s - q0) / (q1 - q0))
    return None

NOMINAL = {"1080p": "cbr-5000k", "720p": "cbr-3000k"}
print(f"{'source':7} {'config':24} {'rung':6} {'bytes':>10} {'SSIM':>7} {'PSNR':>6} {'CPU s':>6}  {'vs nominal CBR':22} saved vs CBR curve at equal SSIM")
summary = {}
for src, rs in by.items():
    curves = {}
    for cfg, rung, b, q, p, c in rs:
        if cfg.startswith("cbr-"):
            curves.setdefault(rung, []).append((b, q))
    nominal = {(cfg, rung): (b, q) for cfg, rung, b, q, p, c in rs}
    for cfg, rung, b, q, p, c in rs:
        saved, vs = "", ""
        if not cfg.startswith("cbr-") and (NOMINAL.get(rung), rung) in nominal:
            nb, nq = nominal[(NOMINAL[rung], rung)]
            vs = f"{100 * (1 - b / nb):+.1f}% B, {q - nq:+.4f} SSIM"
        if not cfg.startswith("cbr-") and rung in curves:
            ref = cbr_bytes_at(curves[rung], q)
            if ref:
                saved = f"{100 * (1 - b / ref):+.1f}%"
                summary.setdefault(cfg, []).append(1 - b / ref)
            else:
                lo = min(curves[rung], key=lambda x: x[1])
                saved = "above the CBR curve" if q > max(x[1] for x in curves[rung]) else f"below the CBR curve (CBR {lo[1]:.4f} at {lo[0]} B)"
        print(f"{src:7} {cfg:24} {rung:6} {b:>10} {q:7.4f} {p:6.2f} {c:6.1f}  {vs:22} {saved}")
print()
for cfg, v in summary.items():
    print(f"{cfg}: mean bytes saved at equal SSIM over {len(v)} matched rungs: {100 * sum(v) / len(v):.1f}%")
# The means above are over different rungs: per-title drops rungs that fixed
# keeps. Paired: the rungs both keep, each against the same CBR curve.
pairs = {}
for src, rs in by.items():
    curves = {}
    for cfg, rung, b, q, p, c in rs:
        if cfg.startswith("cbr-"):
            curves.setdefault(rung, []).append((b, q))
    got = {(cfg, rung): (b, q) for cfg, rung, b, q, p, c in rs}
    for (cfg, rung), (b, q) in got.items():
        if cfg != "kinema-fixed" or ("kinema-per-title", rung) not in got:
            continue
        pb, pq = got[("kinema-per-title", rung)]
        line = f"{src:7} {rung:6} fixed {b:>9} B SSIM {q:.4f} | per-title {pb:>9} B SSIM {pq:.4f}"
        rf, rp = (cbr_bytes_at(curves.get(rung, []), x) for x in (q, pq))
        if rf and rp:
            pairs.setdefault("fixed", []).append(1 - b / rf)
            pairs.setdefault("per-title", []).append(1 - pb / rp)
            line += f" | saved vs CBR: fixed {100 * (1 - b / rf):+.1f}%, per-title {100 * (1 - pb / rp):+.1f}%"
        print("paired", line)
for cfg, v in pairs.items():
    print(f"paired, rungs both keep: {cfg} saves {100 * sum(v) / len(v):.1f}% over {len(v)} matched rungs")
cpu = {}
for src, rs in by.items():
    for cfg, rung, b, q, p, c in rs:
        if cfg.startswith("kinema-"):
            cpu.setdefault(cfg, {})[src] = c
if "kinema-fixed" in cpu:
    f = sum(cpu["kinema-fixed"].values())
    for cfg in ("kinema-per-title", "kinema-per-title-av1", "kinema-per-title-av1-720"):
        if cfg in cpu:
            t = sum(cpu[cfg].values())
            per = ", ".join(f"{s} {cpu[cfg][s] / cpu['kinema-fixed'][s]:.2f}" for s in cpu[cfg] if s in cpu["kinema-fixed"])
            print(f"kinema CPU, all sources: fixed {f:.1f} s, {cfg[7:]} {t:.1f} s, ratio {t / f:.2f} (per source: {per})")
EOF
