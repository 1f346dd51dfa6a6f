#!/usr/bin/env bash
# Creates .venv and installs RefProgram with its dev tools (idempotent; quick when done).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/pip install -q -U pip
fi
.venv/bin/pip install -q -e '.[dev]'
# The interface in German, French and Spanish (refprogram.catalogs): compiled catalogs are built.
.venv/bin/python -m refprogram.catalogs >/dev/null
