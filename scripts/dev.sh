#!/usr/bin/env bash
# Runs RefProgram with demo data. Without DATABASE_URL it uses a SQLite file; without
# REDIS_URL tasks run in-process. Prints the demo logins, then serves http://127.0.0.1:8000/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export DEBUG=${DEBUG:-1}
.venv/bin/python manage.py migrate --noinput -v0
if [ "$(.venv/bin/python manage.py shell -c 'from references.models import Customer; print(Customer.objects.exists())')" = "False" ]; then
  .venv/bin/python manage.py seed_demo
else
  .venv/bin/python manage.py seed_demo --logins-only
fi
exec .venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
