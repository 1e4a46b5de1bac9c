#!/usr/bin/env bash
# Failover benchmark: N kill -9 failovers (default 20) and M switchovers (default 5) under write
# load through rw; prints RTO p50/p95/max and lost commits, writes bench/results/failover.md.
# Usage: bench/failover.sh [kills] [switchovers] [writer threads]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
if [ "${PGPILOT_SKIP_BUILD:-}" != "1" ]; then mvn -B -q -DskipTests install; fi
exec "$JAVA_HOME/bin/java" -Xmx256m -cp "testkit/target/classes:$(cat testkit/target/launcher.classpath)" \
  io.pgpilot.testkit.FailoverBenchmark "$PWD" bench/results/failover.md "${1:-20}" "${2:-5}" "${3:-4}"
