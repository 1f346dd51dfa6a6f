"""Fixtures for the hardening tests: throttle counters start empty in every test."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counters live in the cache; each test starts (and leaves) it empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shipped_lists(transactional_db):
    """Industries, regions, activity types… come from a data migration that a transactional
    test's flush removes: install them again."""
    from references import defaults

    defaults.install()
