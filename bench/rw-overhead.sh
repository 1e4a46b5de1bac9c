#!/usr/bin/env bash
# Steady-state price of the rw endpoint: pgbench select-only (8 clients) directly to the primary and
# through <cluster>-rw (HAProxy), alternating in one run of the whole platform; prints tps and the
# ratio, writes bench/results/rw-overhead.md.
# Usage: bench/rw-overhead.sh [rounds, default 3] [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
if [ "${PGPILOT_SKIP_BUILD:-}" != "1" ]; then mvn -B -q -DskipTests install; fi
exec "$JAVA_HOME/bin/java" -Xmx256m -cp "testkit/target/classes:$(cat testkit/target/bench.classpath)" \
  io.pgpilot.testkit.RwOverheadBenchmark "$PWD" bench/results/rw-overhead.md "${1:-3}" "${2:-10}"
