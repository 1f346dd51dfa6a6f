#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into a database, replacing what is in it.
#   scripts/restore.sh BACKUP_FILE TARGET_DATABASE_URL
# The target database must exist (createdb it first for a new one). Everything is restored in
# one transaction: on any error the target is left as it was. Stop the web app and the Celery
# worker and beat first when restoring over the live database, and run
# `python manage.py migrate` afterwards if the code is newer than the backup.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 BACKUP_FILE TARGET_DATABASE_URL" >&2
  exit 2
fi
file=$1
target=$2
[ -r "$file" ] || { echo "cannot read $file" >&2; exit 2; }
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$target" "$file"
echo "restored $file"
