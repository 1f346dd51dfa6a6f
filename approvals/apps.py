from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "Public-use approvals and content library"

    def ready(self) -> None:
        from references.services.consents import consent_withdrawn_register

        from . import checks  # noqa: F401  (registers the nightly approval expiry check)
        from .services.public_use import approvals_follow_withdrawal

        consent_withdrawn_register(approvals_follow_withdrawal)
        from references.services.erasure import contact_erased_register

        from .services.public_use import approval_files_of_person_delete

        contact_erased_register(approval_files_of_person_delete)
