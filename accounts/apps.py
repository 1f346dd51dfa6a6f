from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and roles"

    def ready(self):
        from . import oidc  # noqa: F401  (registers the check of the single sign-on settings)
