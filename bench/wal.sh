#!/usr/bin/env bash
# WAL benchmark: archiving with wal.maxParallel 1 vs N (PostgreSQL's own archiver, the one-curl
# archive_command vs the rendered parallel script) and recovery replaying every archived segment
# (>= 2 x segments) with and without WAL prefetch, against the backup service, Kafka and Ceph RGW on
# loopback. Writes bench/results/wal.md. Runs as root (PostgreSQL as the postgres OS user).
# Usage: bench/wal.sh [segments per archiving run, default 100] [maxParallel, default 4] [prefetch, default 8]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
REPO=${MAVEN_REPO_LOCAL:+-Dmaven.repo.local=$MAVEN_REPO_LOCAL}
if [ "${PGPILOT_SKIP_BUILD:-}" != "1" ]; then mvn -B -q $REPO -DskipTests install; fi
mvn -B -q $REPO -pl backup-service test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/wal-bench.classpath
exec "$JAVA_HOME/bin/java" -Xmx512m -cp "backup-service/target/test-classes:backup-service/target/classes:$(cat backup-service/target/wal-bench.classpath)" \
  io.pgpilot.backup.WalParallelBenchmark bench/results/wal.md "${1:-100}" "${2:-4}" "${3:-8}"
