#!/usr/bin/env bash
# Installs what pgpilot needs on a fresh Debian 12 machine of this kind (idempotent, quiet when
# everything is there): PostgreSQL 15 server + tools, HAProxy, PgBouncer, Prometheus (+ promtool); checks for JDK 25 and Maven.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=()
[ -x /usr/lib/postgresql/15/bin/pg_basebackup ] && [ -x /usr/lib/postgresql/15/bin/postgres ] || packages+=(postgresql-15 postgresql-client-15)
command -v haproxy >/dev/null 2>&1 || packages+=(haproxy)
command -v pgbouncer >/dev/null 2>&1 || packages+=(pgbouncer)
command -v mvn >/dev/null 2>&1 || packages+=(maven)
# the failover tests isolate a primary from the network with iptables
command -v iptables >/dev/null 2>&1 || packages+=(iptables)
# the local S3 store with object lock (single-node Ceph: monitor, OSD, radosgw) and barman-cloud's
# tools for the compatibility tests; curl is PostgreSQL's archive_command/restore_command client
for tool in ceph-mon:ceph-mon ceph-osd:ceph-osd radosgw:radosgw radosgw-admin:ceph-common ceph:ceph-common \
            barman-cloud-wal-restore:barman-cli-cloud curl:curl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || packages+=("${tool##*:}")
done
# the multi-host test bed (network namespaces) and its benchmark peer: Patroni with etcd
command -v ip >/dev/null 2>&1 || packages+=(iproute2)
for tool in patroni:patroni etcd:etcd-server etcdctl:etcd-client; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || packages+=("${tool##*:}")
done
# CliSystemIT checks pgpilot's progress bar on a real terminal
command -v tmux >/dev/null 2>&1 || packages+=(tmux)
# the metrics system test scrapes with a real Prometheus; promtool checks and unit-tests the alert rules
{ command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; } || packages+=(prometheus)

if [ ${#packages[@]} -gt 0 ]; then
  echo "install-deps: installing ${packages[*]}"
  # pgpilot creates its own instances: no Debian 'main' cluster squatting on port 5432
  $SUDO mkdir -p /etc/postgresql-common
  grep -qs '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf \
    || echo 'create_main_cluster = false' | $SUDO tee -a /etc/postgresql-common/createcluster.conf >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o Dpkg::Options::=--force-confold "${packages[@]}" >/dev/null
  # the distribution services are not ours: pgpilot runs its own HAProxy and PgBouncer processes
  $SUDO service haproxy stop >/dev/null 2>&1 || true
  $SUDO service pgbouncer stop >/dev/null 2>&1 || true
  $SUDO service etcd stop >/dev/null 2>&1 || true
  $SUDO service patroni stop >/dev/null 2>&1 || true
  for svc in ceph ceph-mon ceph-osd ceph-mgr ceph-mds ceph-radosgw radosgw; do $SUDO service "$svc" stop >/dev/null 2>&1 || true; done
  # nor Debian's Prometheus and node exporter: the tests run their own Prometheus
  $SUDO service prometheus stop >/dev/null 2>&1 || true
  $SUDO service prometheus-node-exporter stop >/dev/null 2>&1 || true
fi

if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
  $SUDO useradd --system --home /var/lib/postgresql --shell /bin/bash postgres
fi

if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q '"25'; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk; do
    if [ -x "$candidate/bin/java" ]; then export JAVA_HOME="$candidate"; break; fi
  done
fi
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ]; then
  echo "install-deps: JDK 25 not found (expected /usr/lib/jvm/temurin-25-jdk-amd64); set JAVA_HOME" >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
