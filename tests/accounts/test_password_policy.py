"""The password policy: every password a person sets has at least 12 characters and passes
Django's validators, whichever way it is set."""

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import api_token_create, user_create

pytestmark = pytest.mark.django_db


def test_createuser_refuses_an_eleven_character_password():
    with pytest.raises(CommandError) as refused:
        call_command("createuser", "rita", "--role", "manager", "--password", "orange-tide")  # 11
    assert (
        str(refused.value) == "password: This password is too short. It must contain at least 12 characters."
    )
    assert not User.objects.filter(username="rita").exists()


def test_createuser_accepts_a_twelve_character_password():
    call_command("createuser", "rita", "--role", "manager", "--password", "orange-tides")  # 12
    assert User.objects.get(username="rita").check_password("orange-tides")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password1234", "This password is too common."),
        ("739201846512", "This password is entirely numeric."),
        ("rita.sommer-1", "The password is too similar to the username."),
    ],
)
def test_createuser_applies_the_other_validators(password, reason):
    with pytest.raises(CommandError) as refused:
        call_command("createuser", "rita.sommer", "--role", "sales", "--password", password)
    assert reason in str(refused.value)
    assert not User.objects.filter(username="rita.sommer").exists()


def test_user_create_refuses_a_short_password_as_a_field_error():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        user_create(username="sam", role="sales", password="short-pw-11")
    assert list(refused.value.message_dict) == ["password"]


def test_changepassword_sets_a_valid_password_and_revokes_the_tokens(users):
    _, token = api_token_create(user=users["sales"])
    call_command("changepassword", "sales1", "--password", "a-brand-new-secret")
    users["sales"].refresh_from_db()
    assert users["sales"].check_password("a-brand-new-secret")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/references/").status_code == 401


def test_changepassword_refuses_a_short_password(users):
    with pytest.raises(CommandError) as refused:
        call_command("changepassword", "sales1", "--password", "orange-tide")
    assert "at least 12 characters" in str(refused.value)
    users["sales"].refresh_from_db()
    assert users["sales"].check_password("pass-word-123")
