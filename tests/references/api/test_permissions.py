"""API authentication: no credentials is a 401 with the token challenge; a token works until it
is wrong. Which role may call which endpoint is the one table of tests/proof/test_access_matrix.py.
"""

import pytest
from rest_framework.test import APIClient

from .conftest import API

pytestmark = pytest.mark.django_db


def test_anonymous_gets_401_with_token_challenge(db):
    response = APIClient().get(f"{API}references/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_authentication(api, users):
    token = api.post(
        "/api/v1/auth/token/", {"username": "sales1", "password": "pass-word-123"}, format="json"
    )
    assert token.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert api.get(f"{API}references/").status_code == 200
    assert api.post(f"{API}programs/", {"name": "X"}, format="json").status_code == 403
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get(f"{API}references/").status_code == 401
