#!/usr/bin/env bash
# Installs iptables (Debian's package), which the chaos suite's network partitions use
# (chaos/lib/netsplit.ts: a DROP rule per split, matched on the replica's cgroup). Called by
# scripts/test.sh (test/integration/chaos/netsplit.test.ts) and by chaos/chaos.sh --cluster.
# Without root or apt-get it only says what is missing: the test then fails naming this script.
set -euo pipefail

command -v iptables >/dev/null && exit 0
# shellcheck source=apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
apt_install iptables "iptables (network partitions of the chaos suite)" iptables
