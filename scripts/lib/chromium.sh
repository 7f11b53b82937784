#!/usr/bin/env bash
# Installs Chromium (Debian's package), the browser the console's tests drive through
# playwright-core (test/integration/console: executablePath /usr/bin/chromium, headless). Called
# by scripts/test.sh. Without root or apt-get it only says what is missing: the console tests
# then fail naming this script.
set -euo pipefail

command -v chromium >/dev/null && exit 0
# shellcheck source=apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
apt_install chromium "Chromium (the console's browser tests)" chromium
