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
pkgs=(golang-go golang-golang-x-mod-dev)
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  echo "go-interop: installing ${pkgs[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
else
  echo "go-interop: missing go or $XMOD; install them: sudo apt-get install -y ${pkgs[*]}" >&2
fi
