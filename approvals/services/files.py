"""Files of an approval: the signed document and the asset file (logo, case study PDF), checked
on upload (name, type by extension and content, size) and frozen once the approval is decided."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from accounts.models import User
from refprogram.errors import RuleViolation

from ..choices import APPROVAL_OPEN_STATUSES, CODE_APPROVAL_DECIDED, UPLOAD_MAX_BYTES
from ..models import Approval, ApprovalEvent
from .lifecycle import event_add

# Accepted files: the extension and the first bytes must agree.
FILE_TYPES = {
    "pdf": (b"%PDF-", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "jpg": (b"\xff\xd8\xff", "image/jpeg"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
}


def upload_check(upload, *, field: str = "document") -> tuple[str, str, str]:
    """Check an uploaded file: a plain file name (no path), PDF, PNG or JPEG by both extension
    and content, at most 10 MB. Returns ``(safe original name, extension, content type)``."""
    name = getattr(upload, "name", "") or ""
    if (
        not name
        or "/" in name
        or "\\" in name
        or "\x00" in name
        or name.startswith(".")
        or ".." in name
        or len(name) > 200
    ):
        raise ValidationError({field: _("Give the file a plain name (no folders, no '..').")})
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in FILE_TYPES:
        raise ValidationError({field: _("Upload a PDF, PNG or JPEG file.")})
    size = getattr(upload, "size", None) or 0
    limit = getattr(settings, "APPROVAL_UPLOAD_MAX_BYTES", UPLOAD_MAX_BYTES)
    if size <= 0:
        raise ValidationError({field: _("The file is empty.")})
    if size > limit:
        raise ValidationError(
            {field: _("The file is larger than %(megabytes)s MB.") % {"megabytes": limit // (1024 * 1024)}}
        )
    magic, content_type = FILE_TYPES[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(magic):
        raise ValidationError(
            {field: _("The file's content is not a %(kind)s file.") % {"kind": ext.upper()}}
        )
    return get_valid_filename(name), ext, content_type


@transaction.atomic
def approval_file_attach(*, approval: Approval, by: User | None, upload, kind: str = "document") -> Approval:
    """Attach the signed document (``kind="document"``) or the asset file (``"asset"``) while
    the approval is open (requested or in review).

    Once decided, the files are frozen (409 ``approval_decided``): the content library serves
    exactly what the customer approved, and a new file needs a new approval that supersedes
    this one. Before the decision a file may be replaced: a replaced asset file is deleted from
    storage once the change is committed; a replaced signed document stays on file as an earlier
    version, kept by the history event that attached it. Stored under a generated name below
    MEDIA_ROOT, never the uploader's name."""
    if kind not in ("document", "asset"):
        raise ValueError(kind)
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    if approval.status not in APPROVAL_OPEN_STATUSES:
        raise RuleViolation(
            CODE_APPROVAL_DECIDED,
            _(
                "This approval is %(status)s: its files can't be changed. "
                "For a new file, request a new approval."
            )
            % {"status": approval.get_status_display().lower()},
        )
    original, ext, content_type = upload_check(upload, field=kind)
    file_field = "document" if kind == "document" else "asset_file"
    stored = getattr(approval, file_field)
    replaced = stored.name or ""
    stored.save(f"{uuid.uuid4().hex}.{ext}", upload, save=False)
    setattr(approval, f"{file_field}_name", original)
    setattr(approval, f"{file_field}_type", content_type)
    approval.save(update_fields=[file_field, f"{file_field}_name", f"{file_field}_type", "updated_at"])
    event_add(
        approval,
        ApprovalEvent.Kind.DOCUMENT if kind == "document" else ApprovalEvent.Kind.ASSET,
        actor=by,
        note=original,
        file=stored.name if kind == "document" else "",
    )
    if replaced and kind == "asset":
        storage = stored.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    return approval
