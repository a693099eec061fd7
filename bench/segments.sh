#!/usr/bin/env bash
# bench/segments.sh USERS: the calculated-attribute and audience benchmark. Builds mosaic, generates
# USERS synthetic users once and a store from them without segments (both
# kept in $MOSAIC_BENCH_DIR, default /tmp/mosaic-bench), then on a copy of
# that store runs the pipeline with internal/bench/segments.yaml appended
# (15 calculated attributes, 20 audiences) from scratch and a day later,
# printing the calculated and audiences stages' wall and CPU time
# (runs.stats.stages).
#   bench/segments.sh 1000000    # README's Performance figure
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:?usage: bench/segments.sh USERS}
shift
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -tags duckdb_arrow -o "$bin/mosaic" ./cmd/mosaic
go build -tags duckdb_arrow -o "$bin/mosaic-bench" ./cmd/mosaic-bench
"$bin/mosaic-bench" --segments --mosaic "$bin/mosaic" --users "$users" --dir "${MOSAIC_BENCH_DIR:-/tmp/mosaic-bench}" "$@"
