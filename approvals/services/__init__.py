"""Public-use approvals: every state-changing use case, by topic. Import from here:
``from approvals import services``.

- ``lifecycle``: request, edit, review (the approval's status changes and their history);
- ``consent``: the customer's private consent link and decision;
- ``files``: the signed document and the asset file;
- ``public_use``: no public activity without a valid approval.
"""

from .consent import (
    ConsentLinkInvalid,
    ConsentLinkSent,
    approval_consent_decide,
    approval_consent_link_get,
    approval_send_link,
    consent_language,
)
from .files import approval_file_attach, upload_check
from .lifecycle import approval_request, approval_transition, approval_update, subject_line
from .public_use import (
    approval_require_for_activity,
    approval_uses_for_activity,
    approvals_missing_for_activity,
)

__all__ = [
    "approval_request",
    "approval_update",
    "approval_transition",
    "approval_send_link",
    "approval_consent_link_get",
    "approval_consent_decide",
    "consent_language",
    "approval_file_attach",
    "approval_require_for_activity",
    "approvals_missing_for_activity",
    "approval_uses_for_activity",
    "upload_check",
    "subject_line",
    "ConsentLinkSent",
    "ConsentLinkInvalid",
]
