#!/usr/bin/env bash
# `npm run chaos`: the chaos suite on a stack of its own (never the shared one in .stack/):
# starts Kafka, ZooKeeper and Redis on their own ports under .stack-chaos/ (fresh data each run),
# builds, runs the driver (chaos/run.ts), and stops that stack at the end unless --keep-stack.
# Arguments go to the driver (`npm run chaos -- --short`, `-- --seed 42 --scenarios leader-kill`,
# `-- --help`). Stack lines go to stderr; the driver's lines and, last, its JSON go to stdout.
#
# `--cluster` runs it on the cluster stack instead (three Kafka brokers, a three-server ZooKeeper
# ensemble, one Redis: scripts/stack.sh --cluster) under .stack-chaos-cluster/, with the cluster's
# fault kinds too. Its network partitions need root and iptables (installed with apt-get when
# missing), and a cgroup v2 hierarchy.
#
# Environment: CHAOS_STACK_DIR [<repo>/.stack-chaos], CHAOS_KAFKA_PORT [29092],
# CHAOS_KAFKA_CONTROLLER_PORT [29093], CHAOS_ZK_PORT [22181], CHAOS_REDIS_PORT [26379];
# with --cluster: CHAOS_CLUSTER_DIR [<repo>/.stack-chaos-cluster], CHAOS_CLUSTER_KAFKA_PORT [29892]
# (and the next two), CHAOS_CLUSTER_KAFKA_CONTROLLER_PORT [29992], CHAOS_CLUSTER_ZK_PORT [22881],
# CHAOS_CLUSTER_ZK_QUORUM_PORT [22981], CHAOS_CLUSTER_ZK_ELECTION_PORT [23081],
# CHAOS_CLUSTER_REDIS_PORT [26879] (own ports: it runs beside the cluster stack of the tests).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=../scripts/lib/node.sh
. scripts/lib/node.sh
use_node

keep=0
cluster=0
args=()
for a in "$@"; do
  case "$a" in
    --keep-stack) keep=1 ;;
    --cluster)
      cluster=1
      args+=("$a")
      ;;
    *) args+=("$a") ;;
  esac
done

export SEQCHAIN_STACK_DIR="${CHAOS_STACK_DIR:-$PWD/.stack-chaos}"
export SEQCHAIN_KAFKA_PORT="${CHAOS_KAFKA_PORT:-29092}"
export SEQCHAIN_KAFKA_CONTROLLER_PORT="${CHAOS_KAFKA_CONTROLLER_PORT:-29093}"
export SEQCHAIN_ZK_PORT="${CHAOS_ZK_PORT:-22181}"
export SEQCHAIN_REDIS_PORT="${CHAOS_REDIS_PORT:-26379}"
export SEQCHAIN_KAFKA_BROKERS="127.0.0.1:$SEQCHAIN_KAFKA_PORT"
export SEQCHAIN_ZK_CONNECT="127.0.0.1:$SEQCHAIN_ZK_PORT"
export SEQCHAIN_REDIS_URL="redis://127.0.0.1:$SEQCHAIN_REDIS_PORT"
unset SEQCHAIN_STACK_COMPONENTS SEQCHAIN_CONFIG SEQCHAIN_STACK_CLUSTER SEQCHAIN_STACK_SECURE
if ((cluster == 1)); then
  if [[ "$(id -u)" != 0 ]]; then
    echo "chaos: --cluster needs root: its network partitions use cgroups and iptables" >&2
    exit 2
  fi
  bash scripts/lib/iptables.sh
  export SEQCHAIN_STACK_CLUSTER=1
  export SEQCHAIN_CLUSTER_DIR="${CHAOS_CLUSTER_DIR:-$PWD/.stack-chaos-cluster}"
  export SEQCHAIN_STACK_DIR="$SEQCHAIN_CLUSTER_DIR"
  export SEQCHAIN_CLUSTER_KAFKA_PORT="${CHAOS_CLUSTER_KAFKA_PORT:-29892}"
  export SEQCHAIN_CLUSTER_KAFKA_CONTROLLER_PORT="${CHAOS_CLUSTER_KAFKA_CONTROLLER_PORT:-29992}"
  export SEQCHAIN_CLUSTER_ZK_PORT="${CHAOS_CLUSTER_ZK_PORT:-22881}"
  export SEQCHAIN_CLUSTER_ZK_QUORUM_PORT="${CHAOS_CLUSTER_ZK_QUORUM_PORT:-22981}"
  export SEQCHAIN_CLUSTER_ZK_ELECTION_PORT="${CHAOS_CLUSTER_ZK_ELECTION_PORT:-23081}"
  export SEQCHAIN_CLUSTER_REDIS_PORT="${CHAOS_CLUSTER_REDIS_PORT:-26879}"
fi

[ -d node_modules/kafkajs ] || npm ci --no-audit --no-fund >&2
# Fresh data every run: a chaos run's history must not depend on an earlier one. Logs of the
# previous run (replicas under chaos-logs/, the stack's own) go with it.
bash scripts/stack.sh down --purge >&2
bash scripts/stack.sh up >&2
if ((cluster == 1)); then
  # Brokers, ensemble, Redis, replication factor 3 and min ISR 2, as stack.sh wrote them.
  set -a
  # shellcheck source=/dev/null
  . "$SEQCHAIN_CLUSTER_DIR/cluster.env"
  set +a
fi
if ((keep == 0)); then
  trap 'bash scripts/stack.sh down >&2 || true' EXIT
fi
npm run --silent build >&2
set +e
node dist/chaos/run.js "${args[@]+"${args[@]}"}"
status=$?
set -e
exit $status
