"""Settings of the test run (pytest: ``DJANGO_SETTINGS_MODULE = "refprogram.settings_test"``).

The product's settings with what a test run needs on top: a throwaway ``SECRET_KEY`` when the
environment sets none (the product's settings refuse to start without one unless ``DEBUG``),
and a local-memory cache whatever ``REDIS_URL`` says, so that throttle counters and cached
figures never outlive a test or leak between test runs sharing a Redis.
"""

import os

TEST_SECRET_KEY = "insecure-test-key-do-not-use-in-production"  # noqa: S105

_key_from_environment = "SECRET_KEY" in os.environ
os.environ.setdefault("SECRET_KEY", TEST_SECRET_KEY)
try:
    from .settings import *  # noqa: E402, F403
finally:
    # Subprocesses a test starts see the environment the run was given, not the test key.
    if not _key_from_environment:
        del os.environ["SECRET_KEY"]

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "refprogram"}}
# As in the demo: administrators are not made to set up a second factor before anything else, so
# the tests of other things log them in with a password alone. The second factor's own tests
# (tests/accounts/test_totp*.py, tests/browser/test_totp.py) switch it on; a user who has set one up
# is always asked for it, whatever this says.
OTP_REQUIRED_FOR_ADMINS = False
