#!/usr/bin/env bash
# Runs the whole test suite. Uses DATABASE_URL/REDIS_URL when set (CI: PostgreSQL and Redis),
# SQLite and in-process tasks otherwise. Installs Debian's Chromium for the browser tests
# when it can (root or sudo); without it those tests are skipped with a reason.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  ($SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
    || echo "Could not install chromium: browser tests will be skipped." >&2
fi
mkdir -p test-artifacts
exec .venv/bin/pytest "$@"
