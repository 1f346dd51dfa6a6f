"""scripts/backup.sh and scripts/restore.sh: a backup restored into another database has every row."""

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from references.models import Customer
from tests.factories import ReferenceProfileFactory, UsageEntryFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump/pg_restore are not installed")


def _url(name: str) -> str:
    """The test database's server, another database: a TCP address, or the embedded server's
    Unix socket directory (``?host=/path``, as libpq and pg_dump read it)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    if (s["HOST"] or "").startswith("/"):
        return f"postgresql://{auth}@/{name}?host={quote(s['HOST'], safe='')}"
    return f"postgresql://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"


def _row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[
                0
            ]
            for table in tables
        }


@pytest.fixture
def restore_target():
    """An empty database of our own, dropped afterwards."""
    name = f"refprogram_hardening_restore_{uuid.uuid4().hex[:8]}"
    admin = _url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield _url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_another_database_keeps_every_row(shipped_lists, restore_target, tmp_path):
    for _ in range(3):
        UsageEntryFactory(reference=ReferenceProfileFactory())
    source = _url(connection.settings_dict["NAME"])
    env = {**os.environ, "DATABASE_URL": source}

    backup = subprocess.run(
        ["bash", "scripts/backup.sh", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.exists() and dump.name.startswith("refprogram-") and dump.suffix == ".dump"
    assert not list(tmp_path.glob("*.partial"))

    restore = subprocess.run(
        ["bash", "scripts/restore.sh", str(dump), restore_target], cwd=ROOT, capture_output=True, text=True
    )
    assert restore.returncode == 0, restore.stderr

    expected = _row_counts(source)
    assert expected["references_customer"] == Customer.objects.count() == 3
    assert _row_counts(restore_target) == expected
    # Restoring again over the restored copy replaces it (no duplicates, no errors).
    again = subprocess.run(
        ["bash", "scripts/restore.sh", str(dump), restore_target], cwd=ROOT, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert _row_counts(restore_target) == expected


def test_restore_refuses_without_a_target(tmp_path):
    out = subprocess.run(
        ["bash", "scripts/restore.sh", str(tmp_path / "x.dump")], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 2 and "usage" in out.stderr
