"""Production settings: `manage.py check --deploy` is silent, and HTTPS turns on the secure options."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra):
    # A clean environment, as a server has: none of the test run's variables.
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        HTTPS="1",
        ALLOWED_HOSTS="refs.example.com",
        DJANGO_SETTINGS_MODULE="refprogram.settings",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def _run(args, env):
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_gives_zero_warnings_with_production_settings():
    out = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], _production_env()
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues (0 silenced)." in out.stdout


def test_check_deploy_does_warn_without_https():
    out = _run([sys.executable, "manage.py", "check", "--deploy"], _production_env(HTTPS="0"))
    report = out.stdout + out.stderr
    for code in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in report


def test_https_and_proxy_settings():
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE,"
        "'ssl_redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS,"
        "'proxy': list(s.SECURE_PROXY_SSL_HEADER), 'debug': s.DEBUG, 'log_format': s.LOG_FORMAT,"
        "'cache': s.CACHES['default']['BACKEND'], 'axes_ip': s.AXES_IPWARE_META_PRECEDENCE_ORDER,"
        "'upgrade': s.CONTENT_SECURITY_POLICY['DIRECTIVES'].get('upgrade-insecure-requests')}))"
    )
    env = _production_env(
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        TRUSTED_PROXY_COUNT="1",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    out = _run([sys.executable, "-c", code], env)
    assert out.returncode == 0, out.stderr
    values = json.loads(out.stdout.strip().splitlines()[-1])
    assert values == {
        "session_secure": True,
        "csrf_secure": True,
        "ssl_redirect": True,
        "hsts": 31536000,
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "debug": False,
        "log_format": "json",
        "cache": "refprogram.cache.ResilientRedisCache",
        "axes_ip": ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        "upgrade": True,
    }


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["SECRET_KEY"]
    out = _run([sys.executable, "manage.py", "check"], env)
    assert out.returncode != 0
    assert "SECRET_KEY is not set" in out.stderr
