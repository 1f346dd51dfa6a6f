#!/usr/bin/env bash
# Runs the whole test suite on PostgreSQL: DATABASE_URL when set (CI), otherwise the embedded
# PostgreSQL in .pgdata/ (started on first use). REDIS_URL when set; tasks in-process otherwise.
# Installs Debian's Chromium for the browser tests when it can (root or sudo); without it those
# tests are skipped with a reason.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if [ ! -x /usr/bin/chromium ] || ! command -v xgettext >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  ($SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium gettext) \
    || echo "Could not install chromium and gettext: browser and catalog tests will be skipped." >&2
fi
if [ -z "${DATABASE_URL:-}" ]; then
  # The embedded server's own pg_dump/pg_restore (as new as the server) for the backup tests.
  PATH="$(.venv/bin/python -m refprogram.embedded_db):$PATH"
  export PATH
fi
mkdir -p test-artifacts
# Two worker processes by default (the machine's two cores: one runs a test's Python while the other
# serves its database); TEST_WORKERS=0 runs everything in this one process. ``--dist load`` keeps
# pytest-django's order (tests that empty the tables run last on each worker).
exec .venv/bin/pytest -n "${TEST_WORKERS:-2}" --dist load "$@"
