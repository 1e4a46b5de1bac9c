#!/usr/bin/env bash
# Failover benchmark: N kill -9 failovers (default 20), M switchovers (default 5) and F frozen primaries (SIGSTOP, default 0) under write
# load through rw; prints the client-seen outage and the write gap (p50/p95/max), lost commits, read-only
# errors and per-phase times, writes bench/results/failover.md.
# Usage: bench/failover.sh [kills] [switchovers] [writer threads] [freezes]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
if [ "${PGPILOT_SKIP_BUILD:-}" != "1" ]; then mvn -B -q -DskipTests install; fi
exec "$JAVA_HOME/bin/java" -Xmx256m -cp "testkit/target/classes:$(cat testkit/target/bench.classpath)" \
  io.pgpilot.testkit.FailoverBenchmark "$PWD" bench/results/failover.md "${1:-20}" "${2:-5}" "${3:-4}" "${4:-0}"
