"""A badly written role map stops the start, naming the entry, instead of failing the first
person who signs in; without single sign-on nothing is checked."""

from accounts.oidc import role_map_check


def test_a_bad_role_map_is_an_error_at_start(settings):
    settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = "https://login.example.com", "refprogram"
    settings.OIDC_ROLE_MAP = "refprogram-managers:manager,refprogram-bosses:boss"
    (error,) = role_map_check()
    assert error.id == "accounts.E001"
    assert "'refprogram-bosses:boss'" in error.msg


def test_a_good_role_map_passes(settings):
    settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = "https://login.example.com", "refprogram"
    settings.OIDC_ROLE_MAP = "refprogram-admins:admin,refprogram-sales:sales"
    assert role_map_check() == []


def test_without_single_sign_on_nothing_is_checked(settings):
    settings.OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = "", ""
    settings.OIDC_ROLE_MAP = "nonsense"
    assert role_map_check() == []
