"""The morning digest: after the nightly run, each reference manager gets one in-app notification
(and its e-mail) summarising what the night changed, check by check (retention: due for review N,
erased M; references rested, woken, flagged stale; reminders sent…). Once per day (the
notification's key names the day); a night that changed nothing sends nothing.

What each check changed is recorded per day in the check's own transaction (``night_record``), so
a run killed halfway and run again reports the whole night, not only the rerun's part.
"""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.choices import Role
from accounts.models import User
from accounts.services import notification_send
from refprogram.i18n import day


def night_record(*, today: date, check: str, changes: dict[str, int]) -> None:
    """Add what ``check`` changed to the day's record (call inside the check's transaction)."""
    from references.models import NightlyResult

    row, created = NightlyResult.objects.select_for_update().get_or_create(
        day=today, check_name=check, defaults={"changes": dict(changes)}
    )
    if not created:
        total = dict(row.changes)
        for key, value in changes.items():
            total[key] = total.get(key, 0) + value
        if total != row.changes:
            row.changes = total
            row.save(update_fields=["changes"])


def night_results(today: date) -> dict[str, dict[str, int]]:
    """What each check changed on ``today``, in the order they ran."""
    from references.models import NightlyResult

    return {row.check_name: row.changes for row in NightlyResult.objects.filter(day=today).order_by("id")}


def _words(key: str, check: str) -> str:
    prefix = check + "_"
    return (key[len(prefix) :] if key.startswith(prefix) else key).replace("_", " ")


def digest_text(*, today: date, results: dict[str, dict[str, int]]) -> tuple[str, str]:
    """The digest's subject and body, in the active language: one line per check that changed
    something (the checks' and the changes' own names)."""
    lines = []
    for check, changes in results.items():
        changed = [f"{_words(key, check)} {value}" for key, value in changes.items() if value]
        if changed:
            lines.append(f"- {check.replace('_', ' ')}: {', '.join(changed)}")
    total = sum(value for changes in results.values() for value in changes.values())
    values = {"date": day(today), "count": total}
    subject = (
        ngettext(
            "Nightly checks of %(date)s: %(count)s change",
            "Nightly checks of %(date)s: %(count)s changes",
            total,
        )
        % values
    )
    body = _("What the nightly checks changed on %(date)s:") % values + "\n\n" + "\n".join(lines) + "\n"
    return subject, body


def digest_send(*, today: date) -> int:
    """Notify every active reference manager once for ``today``; returns how many were notified."""
    results = night_results(today)
    if not any(value for changes in results.values() for value in changes.values()):
        return 0
    subject = lambda: digest_text(today=today, results=results)[0]  # noqa: E731 (each in their language)
    body = lambda: digest_text(today=today, results=results)[1]  # noqa: E731
    due = results.get("retention", {}).get("retention_due_for_review")
    link = reverse("contact-retention") if due else ""
    sent = 0
    for user in User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk"):
        sent += notification_send(
            user=user, key=f"nightly_digest:{today.isoformat()}", subject=subject, body=body, link=link
        )
    return sent
