#!/usr/bin/env bash
# The pooler against direct connections and the HAProxy rw endpoint, in one run of the whole platform:
# pgbench select-only / simple-update with 50 and 200 clients, a new connection per transaction (-C),
# and a switchover under load through the pooler and through rw (longest commit gap, client errors).
# Prints the figures, writes bench/results/pooler.md. Usage: bench/pooler.sh [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
if [ "${PGPILOT_SKIP_BUILD:-}" != "1" ]; then mvn -B -q -DskipTests install; fi
exec "$JAVA_HOME/bin/java" -Xmx256m -cp "testkit/target/classes:$(cat testkit/target/bench.classpath)" \
  io.pgpilot.testkit.PoolerBenchmark "$PWD" bench/results/pooler.md "${1:-10}"
