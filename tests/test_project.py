"""Project-level promises: settings from the environment, deployability."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _import_settings(
    env: dict, show: str = "s.DATABASES['default']['ENGINE'], s.DEBUG"
) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import refprogram.settings as s; print({show})",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _import_settings({})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_development_defaults_to_the_embedded_postgresql_and_production_reads_database_url():
    dev = _import_settings(
        {"DEBUG": "1"},
        show="s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'], s.DEBUG",
    )
    assert dev.returncode == 0, dev.stderr
    assert dev.stdout.split() == ["django.db.backends.postgresql", str(ROOT / ".pgdata"), "True"]
    prod = _import_settings({"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u:p@db:5432/refs"})
    assert prod.returncode == 0, prod.stderr
    assert prod.stdout.split() == ["django.db.backends.postgresql", "False"]


def test_a_database_other_than_postgresql_is_refused():
    result = _import_settings({"DEBUG": "1", "DATABASE_URL": "mysql://u:p@db:3306/refs"})
    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr


def test_tasks_run_in_process_without_redis_and_on_redis_with_it():
    code = "import refprogram.settings as s; print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL)"
    base = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    eager = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert eager.stdout.split() == ["True", "memory://"]
    broker = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DEBUG": "1", "REDIS_URL": "redis://r:6379/0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert broker.stdout.split() == ["False", "redis://r:6379/0"]


def test_docker_compose_runs_database_broker_web_worker_and_beat():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    assert "beat" in services["beat"]["command"]
    assert "worker" in services["worker"]["command"]


def test_code_only_commands_run_without_a_secret_key_but_serving_does_not():
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    check = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stderr
    assert "No changes detected" in check.stdout
    serve = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert serve.returncode != 0
    assert "SECRET_KEY is not set" in serve.stderr
