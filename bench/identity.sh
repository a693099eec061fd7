#!/usr/bin/env bash
# bench/identity.sh USERS [--check strict|loose]: the identity benchmark. Builds
# mosaic, generates USERS synthetic users once (kept in $MOSAIC_BENCH_DIR,
# default /tmp/mosaic-bench), runs a full rebuild and an incremental run
# (+1% users' data) as subprocesses, and in the same run the two baselines:
# the floor query (count the distinct staged identities) and label
# propagation in SQL. Prints every figure, the ratios and the targets.
#   bench/identity.sh 1000000                # README's Performance figures
#   bench/identity.sh 20000 --check loose    # what CI runs
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:?usage: bench/identity.sh USERS [--check strict|loose]}
shift
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -tags duckdb_arrow -o "$bin/mosaic" ./cmd/mosaic
go build -tags duckdb_arrow -o "$bin/mosaic-bench" ./cmd/mosaic-bench
"$bin/mosaic-bench" --mosaic "$bin/mosaic" --users "$users" --dir "${MOSAIC_BENCH_DIR:-/tmp/mosaic-bench}" "$@"
