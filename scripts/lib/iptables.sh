#!/usr/bin/env bash
# Installs iptables (Debian's package), which the chaos suite's network partitions use
# (chaos/lib/netsplit.ts: a DROP rule per split, matched on the replica's cgroup). Called by
# scripts/test.sh (test/integration/chaos/netsplit.test.ts) and by chaos/chaos.sh --cluster.
# Without root or apt-get it only says what is missing: the test then fails naming this script.
set -euo pipefail

command -v iptables >/dev/null && exit 0
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  echo "iptables: installing the Debian package iptables (network partitions of the chaos suite)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iptables >/dev/null
else
  echo "iptables: missing; install it as root: apt-get install -y --no-install-recommends iptables" >&2
fi
