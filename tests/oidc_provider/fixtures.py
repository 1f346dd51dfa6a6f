"""pytest fixtures: the test identity provider, started once per test session on a free port.

Its database is the test database's name plus ``_idp`` on the same PostgreSQL server, created and
migrated here. The provider signs ID tokens with an RSA key generated for this run.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
IDP_PASSWORD = "idp-pass-word-42"  # noqa: S105
CLIENT_ID = "refprogram-test"
CLIENT_SECRET = "refprogram-test-secret"  # noqa: S105


@dataclass
class Provider:
    url: str  # the issuer: <url>/o
    setup_secret: str
    private_key: str  # PEM: what the provider signs ID tokens with

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def setup(self, *, users=(), redirect_uris=None) -> None:
        """Register the product as a client (its redirect addresses) and upsert users and groups."""
        data = {"users": [{"password": IDP_PASSWORD, **u} for u in users]}
        if redirect_uris:
            data["client"] = {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
            }
        response = requests.post(
            f"{self.url}/test-setup/", json=data, headers={"X-Setup-Secret": self.setup_secret}, timeout=10
        )
        response.raise_for_status()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _idp_database_url() -> str:
    db = settings.DATABASES["default"]
    name = f"{db['NAME'].removeprefix('test_')}_idp"
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    password = db.get("PASSWORD") or ""
    with psycopg.connect(
        host=host, port=port, user=user, password=password, dbname="postgres", autocommit=True
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{host}:{port}/{name}"


@pytest.fixture(scope="session")
def oidc_provider():
    """A running django-oauth-toolkit OpenID provider on 127.0.0.1 (its own database and key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    secret = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "IDP_DATABASE_URL": _idp_database_url(),
        "IDP_RSA_PRIVATE_KEY": pem,
        "IDP_SETUP_SECRET": secret,
        "PYTHONPATH": str(ROOT),
    }
    django = [sys.executable, "-m", "django"]
    subprocess.run([*django, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen(
        [*django, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    provider = Provider(url=f"http://127.0.0.1:{port}", setup_secret=secret, private_key=pem)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the test identity provider did not start")
            time.sleep(0.2)
        yield provider
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def sso_settings(settings, oidc_provider):
    """The product set up for single sign-on with the test provider."""
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Test IdP"
    settings.OIDC_ROLE_MAP = "refprogram-admins:admin,refprogram-managers:manager,refprogram-sales:sales"
    settings.SSO_ONLY = False
    settings.SSO_BREAK_GLASS_USERNAME = ""
    return settings
