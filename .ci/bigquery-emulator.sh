# Sourced by .ci/run (bash, set -euo pipefail, in the repository's root).
# Starts the BigQuery emulator (goccy/bigquery-emulator, pinned in
# tools/bqemulator/go.mod) on 127.0.0.1 with testdata/bigquery/emulator.yaml
# loaded into project mosaic-demo, exports MOSAIC_BIGQUERY_EMULATOR
# (host:port of its REST API) for the tests, and stops it when .ci/run exits.
# The binary is built only when missing from $(go env GOPATH)/bin: a cold
# build takes about 15 minutes and 6 GB of RAM on 2 cores.
# By hand:  source .ci/bigquery-emulator.sh; go test -tags duckdb_arrow ./connectors/bigquery/

bq_emulator_bin="$(go env GOPATH)/bin/bigquery-emulator"
if [ ! -x "$bq_emulator_bin" ]; then
  echo "== building the BigQuery emulator into $bq_emulator_bin (cold: ~15 min)"
  (cd tools/bqemulator && go build -o "$bq_emulator_bin" github.com/goccy/bigquery-emulator/cmd/bigquery-emulator)
fi

# bq_free_port prints a TCP port on 127.0.0.1 that nothing listens on,
# below the kernel's ephemeral range: a port there can be the local end of
# an outgoing connection, which the probe cannot see (its connect is
# refused) but which makes the emulator's bind fail.
bq_ephemeral_lo=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
bq_free_port() {
  local p
  for _ in $(seq 200); do
    p=$((10000 + RANDOM % (bq_ephemeral_lo - 10000)))
    if ! { exec 3<>"/dev/tcp/127.0.0.1/$p"; } 2>/dev/null; then echo "$p"; return 0; fi
    exec 3<&- 3>&-
  done
  echo "no free port found" >&2; return 1
}

bq_emulator_pid=""
bq_emulator_stop() {
  [ -n "$bq_emulator_pid" ] || return 0
  kill "$bq_emulator_pid" 2>/dev/null || true
  wait "$bq_emulator_pid" 2>/dev/null || true
}
# Chain onto whatever EXIT trap .ci/run (or another sourced script) set.
bq_prev_exit_trap=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
trap "bq_emulator_stop${bq_prev_exit_trap:+; $bq_prev_exit_trap}" EXIT

# bq_start starts the emulator on two free ports; it is ready when the
# REST API answers for the loaded project.
bq_start() {
  bq_http_port=$(bq_free_port)
  bq_grpc_port=$(bq_free_port)
  while [ "$bq_grpc_port" = "$bq_http_port" ]; do bq_grpc_port=$(bq_free_port); done
  bq_emulator_log=$(mktemp -t bigquery-emulator.XXXXXX.log)
  "$bq_emulator_bin" --project=mosaic-demo --host=127.0.0.1 \
    --port="$bq_http_port" --grpc-port="$bq_grpc_port" \
    --data-from-yaml=testdata/bigquery/emulator.yaml --log-level=warn >"$bq_emulator_log" 2>&1 &
  bq_emulator_pid=$!
  local ready=""
  for _ in $(seq 120); do
    if ! kill -0 "$bq_emulator_pid" 2>/dev/null; then break; fi
    if { exec 3<>"/dev/tcp/127.0.0.1/$bq_http_port"; } 2>/dev/null; then
      printf 'GET /bigquery/v2/projects/mosaic-demo/datasets HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
      if head -n 1 <&3 | grep -q ' 200'; then ready=1; fi
      exec 3<&- 3>&-
      [ -n "$ready" ] && return 0
    fi
    sleep 0.5
  done
  return 1
}

# A port can still be taken between the probe and the bind: try again.
for bq_attempt in 1 2 3; do
  if bq_start; then break; fi
  bq_emulator_stop
  if [ "$bq_attempt" = 3 ] || ! grep -q 'address already in use' "$bq_emulator_log"; then
    echo "the BigQuery emulator did not start on 127.0.0.1:$bq_http_port; its log:"; cat "$bq_emulator_log"; exit 1
  fi
  echo "== the BigQuery emulator's port was taken; trying others"
done
export MOSAIC_BIGQUERY_EMULATOR="127.0.0.1:$bq_http_port"
echo "== BigQuery emulator up at $MOSAIC_BIGQUERY_EMULATOR (pid $bq_emulator_pid, gRPC $bq_grpc_port, log $bq_emulator_log)"
