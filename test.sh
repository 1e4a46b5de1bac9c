#!/usr/bin/env bash
# Every test tier: unit tests (*Test), integration tests against real Kafka, PostgreSQL and
# HAProxy (*IT), and the system tests that start the whole platform. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/install-deps.sh
# the long tier (tests tagged "long", see README "Tests") only when asked for
if [ "${PGPILOT_LONG_TESTS:-}" = "1" ]; then set -- -Dpgpilot.test.excluded-tiers=none "$@"; fi
mvn -B install "$@"
