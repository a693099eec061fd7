#!/usr/bin/env bash
# bench/stage.sh USERS: generate USERS synthetic users, run the pipeline on
# them once, and print wall time and peak memory of both steps.
#   bench/stage.sh 1000000   # the figures in README's Performance section
#   bench/stage.sh 20000     # what CI runs, so the script cannot rot
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:?usage: bench/stage.sh USERS}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -tags duckdb_arrow -o "$work/mosaic" ./cmd/mosaic

measure() { # measure LABEL CMD...: run CMD, print LABEL, wall seconds, peak RSS
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/out" "$work/err"; exit 1; }
  read -r secs kb <"$work/time"
  printf '%-28s %8.2f s  %8.0f MiB peak RSS\n' "$label" "$secs" "$((kb / 1024))"
}

measure "gen --users $users" "$work/mosaic" gen --users "$users" --out "$work/data"
rows=$(awk '/ rows /{n+=$1} END{print n}' "$work/out")
measure "run (first, $rows rows)" "$work/mosaic" run "$work/data/pipeline.yaml" --log-level warn
measure "run (again, nothing new)" "$work/mosaic" run "$work/data/pipeline.yaml" --log-level warn
