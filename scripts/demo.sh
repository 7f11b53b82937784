#!/usr/bin/env bash
# `npm run demo`: install what is missing, start the local stack, build, run the demo.
# The demo's last line of output is one JSON object of measured figures.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/node.sh
. scripts/lib/node.sh
use_node
[ -d node_modules/kafkajs ] || npm ci --no-audit --no-fund
bash scripts/stack.sh up >&2
npm run --silent build >&2
exec node dist/scripts/demo.js
