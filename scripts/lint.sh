#!/usr/bin/env bash
# `npm run lint`: Biome (format and rules) and dependency-cruiser (layers, cycles), on a
# maintained Node like every project command (dependency-cruiser refuses Node 20).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib/node.sh
. scripts/lib/node.sh
use_node
npx biome check --error-on-warnings
npx depcruise --config .dependency-cruiser.cjs src
