"""The Django admin lists people's second-factor devices for operators but never shows a secret."""

import pytest
from django.test import Client

from tests.accounts.test_totp import enrolled
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_never_shows_an_authenticators_secret(users):
    device, codes = enrolled(users["sales"])
    root = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code in (302, 403, 404)
    tokens = client.get("/admin/otp_static/statictoken/").content.decode()
    assert not any(code in tokens for code in codes)
