#!/usr/bin/env bash
# The project's test command (`npm test`): installs what is missing (the stack's services, and Go for
# test/interop: scripts/lib/go-interop.sh; Prometheus for test/integration/deploy: scripts/lib/prometheus.sh; iptables for
# test/integration/chaos/netsplit.test.ts: scripts/lib/iptables.sh; Chromium for test/integration/console:
# scripts/lib/chromium.sh), starts the local stack,
# builds, runs every vitest suite (unit + integration on the real stack), and ends with the
# runner's own counts as one line: "N passed, N failed". Exit code non-zero on any failure.
# Extra arguments go to vitest (e.g. `npm test -- test/unit`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/node.sh
. scripts/lib/node.sh
use_node

[ -d node_modules/kafkajs ] || npm ci --no-audit --no-fund
bash scripts/stack.sh up
# Go's reference tlog code for test/interop (the test fails, not skips, without it).
bash scripts/lib/go-interop.sh
# promtool and Prometheus for test/integration/deploy (same: fails, not skips, without them).
bash scripts/lib/prometheus.sh
# iptables for the chaos suite's network partitions (test/integration/chaos/netsplit.test.ts).
bash scripts/lib/iptables.sh
# Chromium for the console's browser tests (test/integration/console).
bash scripts/lib/chromium.sh
npm run --silent build

mkdir -p .stack
report=.stack/vitest-report.json
rm -f "$report"
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
set -e
node scripts/lib/vitest-counts.cjs "$report" || status=1
exit $status
