#!/usr/bin/env bash
# Usage: scripts/verify-systemd.sh [KINEMA_BIN]
#
# Checks the units in deploy/systemd with systemd-analyze: `verify` must
# print nothing (an unknown key or a bad value is only a warning there, so
# any output fails), and `security --offline` must rate each unit's
# exposure at most MAX_EXPOSURE (0 = locked down, 10 = none). The units
# name /usr/local/bin/kinema; the check points them at KINEMA_BIN (default
# bin/kinema) in a temporary copy. Installs systemd with apt when
# systemd-analyze is missing (containers); no running systemd is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=$(realpath "${1:-bin/kinema}")
MAX_EXPOSURE=${MAX_EXPOSURE:-2.0}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

[ -x "$BIN" ] || { echo "verify-systemd: $BIN is not an executable (make build)" >&2; exit 2; }
if ! command -v systemd-analyze >/dev/null; then
  echo "verify-systemd: installing systemd with apt (for systemd-analyze)" >&2
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends systemd >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
units=()
for f in deploy/systemd/*.service; do
  name=$(basename "$f")
  # A template is checked through one instance (the worker's port).
  [[ $name == *@.service ]] && name=${name/@.service/@9101.service}
  sed "s#/usr/local/bin/kinema#$BIN#g" "$f" >"$work/$name"
  units+=("$work/$name")
done

status=0
out=$(systemd-analyze verify "${units[@]}" 2>&1) || status=1
if [ -n "$out" ]; then
  echo "$out" >&2
  status=1
fi
for u in "${units[@]}"; do
  score=$(systemd-analyze security --offline=yes "$u" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  echo "verify-systemd: $(basename "$u") exposure $score (max $MAX_EXPOSURE)"
  if [ -z "$score" ] || awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s > m) }'; then
    systemd-analyze security --offline=yes "$u" 2>&1 | grep '✗' >&2 || true
    status=1
  fi
done
[ "$status" = 0 ] && echo "verify-systemd: ${#units[@]} units OK"
exit "$status"
