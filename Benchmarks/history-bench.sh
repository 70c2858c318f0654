#!/usr/bin/env bash
# How fast `homeport status` and `homeport history` answer on a year of history.
#
# Generates a seeded year (daemon runs with reboots and power cuts, services that crash every
# 1-48 h, IP changes) and times each command as a whole process, median of N runs, next to a
# baseline measured in the same run: `homeport version`, i.e. process start-up alone.
# Usage: Benchmarks/history-bench.sh [runs]   (CONFIG=debug to skip the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
CONFIG=${CONFIG:-release}
SERVICES=${SERVICES:-10}

swift build -c "$CONFIG" --product homeport >/dev/null
BIN=".build/$CONFIG/homeport"
STATE=$(mktemp -d /tmp/hp-bench-XXXXXX)
trap 'rm -rf "$STATE"' EXIT

"$BIN" debug generate-history --state-dir "$STATE" --days 365 --services "$SERVICES"
ls -l "$STATE/history.sqlite3" | awk '{printf "database: %.1f MB\n", $5 / 1048576}'

# Median wall time of a command in milliseconds.
median_ms() {
  local samples=()
  for _ in $(seq "$RUNS"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    samples+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'
}

baseline=$(median_ms "$BIN" version)
printf '%-44s %9s ms\n' "baseline: homeport version" "$baseline"
for args in "history uptime --since 7d" "history uptime --since 7d --json" "history uptime --since 365d" \
            "history events --since 7d" "status"; do
  # shellcheck disable=SC2086
  ms=$(median_ms "$BIN" $args --state-dir "$STATE")
  ratio=$(awk -v a="$ms" -v b="$baseline" 'BEGIN {printf "%.2f", a / b}')
  printf '%-44s %9s ms  %sx baseline\n' "homeport $args" "$ms" "$ratio"
done
