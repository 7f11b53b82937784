# shellcheck shell=bash
# Sourced by the scripts that install what a test needs (go-interop.sh, prometheus.sh,
# iptables.sh): Debian packages, installed when running as root with apt-get; otherwise a line
# on stderr saying what to install, and the test that needs them fails naming its script.
#
#   apt_install WHO WHAT PACKAGE...   WHO prefixes the lines, WHAT says what is missing
apt_install() {
  local who="$1" what="$2"
  shift 2
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "$who: installing the Debian package(s) $* ($what)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "$who: missing $what; install as root: apt-get install -y --no-install-recommends $*" >&2
  fi
}
