# Sourced by .ci/run (bash, set -euo pipefail): starts a throwaway PostgreSQL
# from Debian's packages on 127.0.0.1 and a free port, in a temporary
# folder, exports MOSAIC_POSTGRES_DSN for the tests, stops it on exit, and
# runs the PostgreSQL tests verbosely (with the 1M-row conformance case) so
# the log shows them running. Also usable by hand:
#   source .ci/postgres.sh   # then: go test -tags duckdb_arrow ./connectors/postgres/
# Set MOSAIC_PG_NO_TESTS=1 to only start the server.

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

mosaic_pg_bin=$(pg_bindir)
if [ -z "$mosaic_pg_bin" ] || [ ! -x "$mosaic_pg_bin/initdb" ]; then
  echo "== installing PostgreSQL (apt-get install postgresql)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  mosaic_pg_bin=$(pg_bindir)
fi

# PostgreSQL refuses to run as root: run its programs as the postgres user
# (created by the Debian package) when we are root.
pg_as() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

mosaic_pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/mosaic-pg.XXXXXX")
chmod 755 "$mosaic_pg_dir"
if [ "$(id -u)" = 0 ]; then chown postgres: "$mosaic_pg_dir"; fi
mosaic_pg_password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$mosaic_pg_password" >"$mosaic_pg_dir/pw"
if [ "$(id -u)" = 0 ]; then chown postgres: "$mosaic_pg_dir/pw"; fi
pg_as "$mosaic_pg_bin/initdb" -D "$mosaic_pg_dir/data" -U mosaic --pwfile="$mosaic_pg_dir/pw" \
  --auth=scram-sha-256 -E UTF8 --no-locale >"$mosaic_pg_dir/initdb.log"
rm -f "$mosaic_pg_dir/pw"

pg_stop() {
  if [ -n "${mosaic_pg_dir:-}" ] && [ -d "$mosaic_pg_dir/data" ]; then
    pg_as "$mosaic_pg_bin/pg_ctl" -D "$mosaic_pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$mosaic_pg_dir"
  fi
}
# Chain any EXIT trap already set, rather than replacing it.
mosaic_pg_prev_trap=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
trap "pg_stop${mosaic_pg_prev_trap:+; $mosaic_pg_prev_trap}" EXIT

# A random free port: try a few, the server refuses a taken one.
mosaic_pg_started=
for _ in 1 2 3 4 5 6 7 8 9 10; do
  mosaic_pg_port=$((20000 + RANDOM % 40000))
  if (exec 3<>"/dev/tcp/127.0.0.1/$mosaic_pg_port") 2>/dev/null; then continue; fi
  if pg_as "$mosaic_pg_bin/pg_ctl" -D "$mosaic_pg_dir/data" -l "$mosaic_pg_dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $mosaic_pg_port -k $mosaic_pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
    start >/dev/null; then
    mosaic_pg_started=1
    break
  fi
done
if [ -z "$mosaic_pg_started" ]; then
  echo "PostgreSQL did not start; its log:"; cat "$mosaic_pg_dir/server.log"; exit 1
fi
# pg_ctl -w waited for readiness; check it answers on TCP as the tests will.
for _ in $(seq 1 30); do
  if "$mosaic_pg_bin/pg_isready" -q -h 127.0.0.1 -p "$mosaic_pg_port"; then break; fi
  sleep 1
done
export MOSAIC_POSTGRES_DSN="postgres://mosaic:$mosaic_pg_password@127.0.0.1:$mosaic_pg_port/postgres?sslmode=disable"
echo "== PostgreSQL $("$mosaic_pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$mosaic_pg_port (MOSAIC_POSTGRES_DSN set)"

if [ -z "${MOSAIC_PG_NO_TESTS:-}" ]; then
  echo "== PostgreSQL tests (against the server above, with the 1M-row conformance case)"
  MOSAIC_LARGE_TESTS=1 go test -tags duckdb_arrow -count=1 -timeout 20m -v ./connectors/postgres/
fi
