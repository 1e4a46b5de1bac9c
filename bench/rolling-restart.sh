#!/usr/bin/env bash
# Rolling restart benchmark: N user-requested rolling restarts (default 3) of a 3-instance cluster
# under write load through rw; prints the write gap, rollout time and lost commits per round and
# writes bench/results/rolling-restart.md.
# Usage: bench/rolling-restart.sh [rounds] [writer threads]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
if [ "${PGPILOT_SKIP_BUILD:-}" != "1" ]; then mvn -B -q -DskipTests install; fi
exec "$JAVA_HOME/bin/java" -Xmx256m -cp "testkit/target/classes:$(cat testkit/target/bench.classpath)" \
  io.pgpilot.testkit.RollingRestartBenchmark "$PWD" bench/results/rolling-restart.md "${1:-3}" "${2:-4}"
