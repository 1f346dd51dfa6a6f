#!/usr/bin/env bash
# Backs up RefProgram's PostgreSQL database to a dated file (pg_dump's custom format, compressed).
#   DATABASE_URL=postgres://user:pass@host:5432/refprogram scripts/backup.sh [DIRECTORY]
# Prints the path of the new file. DIRECTORY defaults to $BACKUP_DIR, else ./backups.
# Restore with scripts/restore.sh. Uploaded files (MEDIA_ROOT) are backed up separately.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
dir=${1:-${BACKUP_DIR:-backups}}
mkdir -p "$dir"
file="$dir/refprogram-$(date -u +%Y%m%dT%H%M%SZ).dump"
# Written under a temporary name first, so a failed dump never looks like a good backup.
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$file.partial"
mv "$file.partial" "$file"
echo "$file"
