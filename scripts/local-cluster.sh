#!/usr/bin/env bash
# Three Herald processes on this machine's PostgreSQL, sharing one database.
#   scripts/local-cluster.sh            # ports 8081, 8082, 8083; Ctrl-C stops all three
# Env: HERALD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/herald, created if missing),
#      HERALD_SECRET_KEY and HERALD_API_KEY (generated once into data/cluster/ when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p data/cluster

DB_URL="${HERALD_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/herald}"
DB_NAME="${DB_URL##*/}"
ADMIN_URL="${DB_URL%/*}/postgres"
if ! psql "$ADMIN_URL" -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
  psql "$ADMIN_URL" -qc "CREATE DATABASE \"$DB_NAME\""
fi

[ -f data/cluster/secret-key ] || (umask 077; openssl rand -base64 32 > data/cluster/secret-key)
[ -f data/cluster/api-key ] || (umask 077; echo "hk_$(openssl rand -hex 24)" > data/cluster/api-key)
export HERALD_DATABASE_URL="$DB_URL"
export HERALD_SECRET_KEY="${HERALD_SECRET_KEY:-$(cat data/cluster/secret-key)}"
export HERALD_API_KEY="${HERALD_API_KEY:-$(cat data/cluster/api-key)}"

[ -f ui/dist/index.html ] || node scripts/build-ui-if-stale.mjs

pids=()
for port in 8081 8082 8083; do
  PORT=$port node --import tsx src/main.ts > "data/cluster/herald-$port.log" 2>&1 &
  pids+=($!)
done
trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait' INT TERM EXIT

for port in 8081 8082 8083; do
  for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
  echo "Herald on http://127.0.0.1:$port (log: data/cluster/herald-$port.log)"
done
echo "API key: $HERALD_API_KEY   database: $HERALD_DATABASE_URL"
echo "Ctrl-C stops all three."
wait
