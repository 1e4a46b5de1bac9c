#!/usr/bin/env bash
# Multi-host fault benchmark, pgpilot vs Patroni side by side (issue 8): N rounds (default 10) per system and fault
# (power loss / isolation of the primary's host) on the netns test bed under 4 acknowledged writers; prints the
# client-seen outage p50/max, lost commits, writable primaries seen at once; writes bench/results/multi-host.md.
# Needs root (network namespaces), Debian's patroni, etcd-server, haproxy, PostgreSQL 15. One benchmark at a time:
# the bed's root link (10.77.0.1) is machine-wide.
# Usage: bench/multi-host.sh [rounds] [systems: pgpilot,patroni-documented,patroni-tuned]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
if [ "${PGPILOT_SKIP_BUILD:-}" != "1" ]; then mvn -B -q -DskipTests install; fi
exec "$JAVA_HOME/bin/java" -Xmx256m -cp "testkit/target/classes:$(cat testkit/target/bench.classpath)" \
  io.pgpilot.testkit.MultiHostBenchmark "$PWD" bench/results/multi-host.md "${1:-10}" "${2:-pgpilot,patroni-documented,patroni-tuned}"
