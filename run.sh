#!/usr/bin/env bash
# The platform with the reference cluster: installs what is missing, builds, starts Kafka, the local
# S3 store (Ceph RGW with object lock, bucket homelab-backups, secret s3-creds), the six services and
# HAProxy, applies examples/postgres-cluster.yaml (or the manifest / every manifest of the folder given)
# and stays up until Ctrl-C. ./pgpilot (the CLI) works once it is built.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/install-deps.sh

MANIFEST="${1:-examples/postgres-cluster.yaml}"
# a folder (e.g. examples/fleet): every *.yaml in it is applied; the platform reads each one's name
if [ -d "$MANIFEST" ]; then
  CLUSTER=""
else
  CLUSTER="$(sed -n 's/^  name: *\([a-z0-9-]*\).*/\1/p' "$MANIFEST" | head -n1)"
fi
# PostgreSQL runs as the unprivileged 'postgres' user when we are root: its data must be reachable
if [ -z "${PGPILOT_HOME:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then PGPILOT_HOME=/var/lib/pgpilot; else PGPILOT_HOME="$HOME/.local/share/pgpilot"; fi
fi
mkdir -p "$PGPILOT_HOME" && chmod 755 "$PGPILOT_HOME"

if [ "${PGPILOT_SKIP_BUILD:-}" != "1" ]; then
  echo "run: building (mvn -DskipTests install)"
  mvn -B -q -DskipTests install
fi
exec "$JAVA_HOME/bin/java" -Xmx128m -XX:+UseSerialGC \
  -cp "launcher/target/classes:$(cat launcher/target/launcher.classpath)" \
  io.pgpilot.launcher.RunCommand "$PWD" "$PGPILOT_HOME" "$MANIFEST" "$CLUSTER"
