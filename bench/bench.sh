#!/usr/bin/env bash
# `npm run bench`: install what is missing, start the local stack, build, run the benchmark.
# Arguments go to the benchmark (`npm run bench -- --records 100000 --repeat 1`; `-- --help`).
# Progress on stderr; the table and, as the last line, the JSON result on stdout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=../scripts/lib/node.sh
. scripts/lib/node.sh
use_node
[ -d node_modules/kafkajs ] || npm ci --no-audit --no-fund
bash scripts/stack.sh up >&2
npm run --silent build >&2
exec node dist/bench/run.js "$@"
