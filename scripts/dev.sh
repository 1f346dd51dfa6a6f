#!/usr/bin/env bash
# Runs RefProgram with demo data. Without DATABASE_URL it uses an embedded PostgreSQL in .pgdata/
# (started on first use, left running); without REDIS_URL tasks run in-process. Seeds an empty
# database, prints the demo logins, then serves http://$HOST:$PORT/ (127.0.0.1:8000 by default).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DEBUG=${DEBUG:-1}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
.venv/bin/python manage.py migrate --noinput -v0
# seed_demo fills only an empty database; on later starts it changes nothing and prints the logins.
.venv/bin/python manage.py seed_demo --url "http://${HOST}:${PORT}/"
exec .venv/bin/python manage.py runserver "${HOST}:${PORT}"
