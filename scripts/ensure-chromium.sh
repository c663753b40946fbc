#!/usr/bin/env bash
# Makes sure the Chromium used by the browser tests is installed: installs
# Debian's chromium package when it is missing and we can (root with apt-get),
# otherwise fails with a clear message. It never lets the tests skip silently.
set -euo pipefail
chromium=${1:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium for the browser tests (Debian packages chromium, chromium-driver)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
  if [ -x "$chromium" ]; then
    exit 0
  fi
fi
cat >&2 <<MSG
The browser tests need Chromium at $chromium and it is not installed.
Install it with:   sudo apt-get install chromium chromium-driver
or point CHROMIUM=/path/to/chromium at another build, then run 'make test' again.
MSG
exit 1
