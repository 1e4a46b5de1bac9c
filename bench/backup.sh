#!/usr/bin/env bash
# Backup benchmark: pgpilot vs Debian's barman-cloud (gzip), side by side in one run on the same
# database (pgbench, >= 1 GB), the same WAL segment files (>= 100) and the same local S3 store
# (Ceph RGW): WAL archiving, base backup, restore. Prints MB/s, wall time and compressed sizes,
# writes bench/results/backup.md. Runs as root (PostgreSQL and barman-cloud as the postgres OS user).
# Usage: bench/backup.sh [pgbench scale, default 70 (~1.05 GB)] [WAL segments, default 100]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
if [ "${PGPILOT_SKIP_BUILD:-}" != "1" ]; then mvn -B -q -DskipTests install; fi
exec "$JAVA_HOME/bin/java" -Xmx256m -cp "testkit/target/classes:$(cat testkit/target/bench.classpath)" \
  io.pgpilot.testkit.BackupBenchmark "$PWD" bench/results/backup.md "${1:-70}" "${2:-100}"
