#!/usr/bin/env bash
# Installs what test/interop/go-interop.test.ts needs: Go and Go's reference transparency-log
# code (golang.org/x/mod/sumdb/note and sumdb/tlog), from Debian's packages golang-go and
# golang-golang-x-mod-dev; the test builds offline with GOPATH=/usr/share/gocode GO111MODULE=off.
# Called by scripts/test.sh (hence by CI's `npm test`); run it alone to prepare a machine.
# Without root or apt-get it only says what is missing: the test then fails naming this script.
set -euo pipefail

XMOD=/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog
if command -v go >/dev/null && [[ -d "$XMOD" ]]; then
  exit 0
fi
# shellcheck source=apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
apt_install go-interop "go or $XMOD" golang-go golang-golang-x-mod-dev
