"""Shared fixtures: one user per role, API clients, and the real-browser set-up."""

import os

import pytest
from rest_framework.test import APIClient

from refprogram import celery_app
from tests.factories import UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls inside Playwright's loop

ROLES = ["manager", "sales", "marketing", "executive", "admin"]
PASSWORD = "pass-word-123"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _eager_tasks_and_plain_static(settings):
    """Tasks run in-process unless a test starts a real worker; live_server serves plain static names."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Every test makes a user per role; PBKDF2's real cost is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Metric figures are computed fresh in tests (their cache has its own test).
    settings.METRICS_CACHE_SECONDS = 0
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _usual_words():
    """Each test starts with the interface's usual words for the main nouns, as a warm cache holds
    them (``accounts.terms``): no renaming left behind by an earlier test, and no query to learn
    that there is none."""
    from django.core.cache import cache

    from accounts.terms import CACHE_KEY

    cache.set(CACHE_KEY, {}, None)
    yield
    cache.delete(CACHE_KEY)


@pytest.fixture(autouse=True)
def _company_language_after_each_test():
    """A request leaves its language active in the thread (Django's ``LocaleMiddleware`` sets it at
    the next request, never back); a test after a German person's call starts in the company's."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(translation.get_supported_language_variant(settings.LANGUAGE_CODE))


@pytest.fixture
def users(db):
    """One user per role, keyed by role."""
    return {role: UserFactory(username=f"{role}1", role=role) for role in ROLES}


@pytest.fixture
def manager(users):
    return users["manager"]


@pytest.fixture
def sales(users):
    return users["sales"]


@pytest.fixture
def api():
    """An API client; call ``api.force_authenticate(user)`` or use ``api_as``."""
    return APIClient()


@pytest.fixture
def api_as(db):
    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def client_as(db, client):
    def make(user):
        from django.test import Client

        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


def pytest_collection_modifyitems(config, items):
    """Without Debian's Chromium the browser tests are skipped with a clear reason (CI installs it)."""
    if os.path.exists("/usr/bin/chromium"):
        return
    skip = pytest.mark.skip(reason="/usr/bin/chromium is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config):
    """The translation catalogs as the tree has them (compiled when a ``.po`` is newer than its
    ``.mo``), as ``scripts/bootstrap.sh`` does at install."""
    from refprogram.catalogs import compile_catalogs

    compile_catalogs()
