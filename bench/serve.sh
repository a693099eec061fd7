#!/usr/bin/env bash
# bench/serve.sh USERS [--check strict|loose] [--rate N] [--phase D]: the
# `mosaic serve` benchmark. Builds mosaic, reuses (or builds) the identity
# benchmark's store of USERS generated users in $MOSAIC_BENCH_DIR (default
# /tmp/mosaic-bench), serves a copy of it with an Events API feed, and from
# a load generator on loopback measures: GET /healthz at the Profile API's
# rate (the floor), the Profile API at a fixed rate (default 2,000/s), the
# Events API flat out (32 clients, bulk requests of 100 batches), then the
# Profile API again while a run stages what the Events API took, and the
# Events API again while another run writes.
#   bench/serve.sh 1000000                  # docs/performance.md's figures
#   bench/serve.sh 20000 --check loose      # what CI runs
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:?usage: bench/serve.sh USERS [--check strict|loose] [--rate N] [--phase D]}
shift
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -tags duckdb_arrow -o "$bin/mosaic" ./cmd/mosaic
go build -tags duckdb_arrow -o "$bin/mosaic-bench" ./cmd/mosaic-bench
"$bin/mosaic-bench" --serve --mosaic "$bin/mosaic" --users "$users" --dir "${MOSAIC_BENCH_DIR:-/tmp/mosaic-bench}" "$@"
