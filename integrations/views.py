"""The integration page: each CRM's connection, its sync runs (with "Sync now" and live progress),
the notes waiting to be written back to CRM opportunities, and the outbound webhooks."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from refprogram.errors import RuleViolation
from refprogram.tasks_util import enqueue
from refprogram.views import capability_required

from .choices import CrmKind, SyncStatus, WriteBackStatus
from .forms import CrmConnectionForm
from .models import CrmConnection, CrmSyncRun, CrmWriteBack, WebhookSubscription
from .services.crm_sync import crm_sync_start

RUNS_SHOWN = 5
ERRORS_SHOWN = 50
WRITE_BACKS_SHOWN = 50
ACTIVE = (SyncStatus.QUEUED, SyncStatus.RUNNING)


def _connections(user) -> list[dict]:
    """Each CRM (set up or not) with its last runs: two queries for both CRMs."""
    stored = {c.kind: c for c in CrmConnection.objects.visible_to(user)}
    runs: dict[str, list[CrmSyncRun]] = {}
    for run in (
        CrmSyncRun.objects.filter(connection__in=list(stored.values()))
        .select_related("connection", "requested_by")
        .order_by("-created_at", "-id")[: RUNS_SHOWN * len(CrmKind.values)]
    ):
        runs.setdefault(run.connection.kind, []).append(run)
    rows = []
    for kind, label in CrmKind.choices:
        connection = stored.get(kind) or CrmConnection(kind=kind)
        its_runs = runs.get(kind, [])[:RUNS_SHOWN]
        rows.append(
            {
                "kind": kind,
                "label": label,
                "connection": connection,
                "runs": its_runs,
                "last": its_runs[0] if its_runs else None,
                "form": CrmConnectionForm(instance=connection, prefix=kind),
            }
        )
    return rows


@capability_required(perms.MANAGE_INTEGRATIONS)
def integration_page(request):
    """Everything RefProgram exchanges with other systems, for the people who manage it."""
    write_backs = list(
        CrmWriteBack.objects.exclude(status=WriteBackStatus.SUCCEEDED)
        .select_related("candidate__request")
        .order_by("-created_at", "-id")[:WRITE_BACKS_SHOWN]
    )
    webhooks = list(WebhookSubscription.objects.visible_to(request.user).order_by("-created_at", "-id")[:50])
    context = {
        "crms": _connections(request.user),
        "write_backs": write_backs,
        "webhooks": webhooks,
        "errors_shown": ERRORS_SHOWN,
    }
    return render(request, "integrations/integration_page.html", context)


def _kind(kind: str) -> str:
    if kind not in CrmKind.values:
        raise Http404
    return kind


@capability_required(perms.MANAGE_INTEGRATIONS)
@require_POST
def connection_edit(request, kind: str):
    """Save a CRM connection's settings (secrets stay in the environment)."""
    connection = CrmConnection.objects.filter(kind=_kind(kind)).first() or CrmConnection(kind=kind)
    form = CrmConnectionForm(request.POST, instance=connection, prefix=kind)
    if form.is_valid():
        form.save()
        messages.success(request, _("%(connection)s settings saved.") % {"connection": connection})
        return redirect("integrations:page")
    crms = _connections(request.user)
    for row in crms:
        if row["kind"] == kind:
            row["form"] = form
    context = {"crms": crms, "write_backs": [], "webhooks": [], "errors_shown": ERRORS_SHOWN, "invalid": kind}
    return render(request, "integrations/integration_page.html", context, status=400)


@capability_required(perms.MANAGE_INTEGRATIONS)
@require_POST
def sync_now(request, kind: str):
    """Queue a sync of this CRM (the worker runs it; the page polls its progress)."""
    from .tasks import crm_sync_run

    connection = CrmConnection.objects.filter(kind=_kind(kind)).first()
    full = request.POST.get("full") == "1"
    try:
        if connection is None:
            raise RuleViolation(
                "crm_not_enabled",
                _("The %(crm)s connection is not set up.") % {"crm": CrmKind(kind).label},
            )
        with transaction.atomic():
            run = crm_sync_start(connection=connection, full=full, actor=request.user)
            transaction.on_commit(lambda: enqueue(crm_sync_run, run.pk))
    except RuleViolation as exc:
        messages.error(request, exc.message)
        if request.htmx:
            return render(request, "integrations/_messages.html", status=409)
        return redirect("integrations:page")
    if request.htmx:
        run.refresh_from_db()  # the worker may already have run it (no broker: at once)
        connection.refresh_from_db()
        context = {"kind": kind, "last": run, "connection": connection}
        return render(request, "integrations/_run_status.html", context)
    messages.success(request, _("%(connection)s sync queued.") % {"connection": connection})
    return redirect(reverse("integrations:page") + f"#crm-{kind}")


@capability_required(perms.MANAGE_INTEGRATIONS)
def sync_status(request, kind: str):
    """The last run of this CRM (polled by the page while a run is queued or running)."""
    connection = CrmConnection.objects.filter(kind=_kind(kind)).first()
    last = connection.runs.select_related("requested_by").first() if connection else None
    context = {"kind": kind, "last": last, "connection": connection}
    return render(request, "integrations/_run_status.html", context)
