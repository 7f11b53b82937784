#!/usr/bin/env bash
# Installs what test/integration/deploy needs: Prometheus and promtool, from Debian's package
# `prometheus` (promtool checks and unit-tests deploy/prometheus/*.rules.yml; the prometheus
# binary scrapes a real replica and evaluates an alert). Called by scripts/test.sh (hence by
# CI's `npm test`); run it alone to prepare a machine. Without root or apt-get it only says what
# is missing: the tests then fail naming this script. The package's service is not started
# (no init system in CI; the tests run their own Prometheus on loopback in a temp folder).
set -euo pipefail

if command -v promtool >/dev/null && command -v prometheus >/dev/null; then
  exit 0
fi
# shellcheck source=apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
apt_install prometheus "promtool or prometheus" prometheus
