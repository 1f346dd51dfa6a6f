"""Program metrics pages: the executive dashboard, CSV exports, strategic targets, and the
manager's work queue (on the home page and the Operations page). Thin: read the period and
segment, call the metrics or the work queue, render.

The home page is served here, not by the inventory: a manager's home lists requests,
candidates, approvals and profiles together, and only this layer may import all of them."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions as perms
from accounts.teams import team_scope
from references.views.inventory import home_context
from refprogram.csvsafe import csv_writer
from refprogram.errors import RuleViolation
from refprogram.views import add_service_errors, capability_required, safe_next_url
from requests_app.models import Candidate, Request

from . import metrics, services, tables, workqueue
from .forms import PeriodForm, TargetForm
from .metrics import Segment
from .models import StrategicTarget
from .periods import DEFAULT_PRESET, PRESETS, period_from_params


def segment_from_params(params) -> Segment:
    return Segment(**{k: (params.get(k) or "").strip() or None for k in metrics.SEGMENT_DIMENSIONS})


def _period_and_errors(request):
    """The requested period, or the default one with the field errors to show."""
    try:
        return period_from_params(request.GET), {}
    except ValidationError as exc:
        return period_from_params({"preset": DEFAULT_PRESET}), exc.message_dict


def team_segment(scope) -> Segment | None:
    """The dashboard segment a manager's team scope is: one team naming at most one region and
    one industry (and no products) is a segment; anything wider has no single segment, and the
    dashboard then opens on the whole program."""
    if scope.all or len(scope.teams) != 1:
        return None
    team = scope.teams[0]
    regions, industries = team.scope_values("region"), team.scope_values("industry")
    if team.scope_values("product") or len(regions) > 1 or len(industries) > 1:
        return None
    return Segment(region=regions[0] if regions else None, industry=industries[0] if industries else None)


@capability_required(perms.VIEW_DASHBOARD)
def dashboard(request):
    period, errors = _period_and_errors(request)
    segment = segment_from_params(request.GET)
    scope = team_scope(request)  # a manager's team first (when it is one segment), "All" one click away
    if not segment:
        segment = team_segment(scope) or segment
    can_see_revenue = perms.has_capability(request.user, perms.VIEW_REVENUE)
    summary = metrics.program_summary_cached(period, segment, include_revenue=can_see_revenue)
    query = request.GET.urlencode()
    return render(
        request,
        "reporting/dashboard.html",
        {
            "period": period,
            "summary": summary,
            "tables": tables.build_all(summary),
            "charts": tables.charts(summary),
            "form": PeriodForm(
                initial={**period.as_params(), **segment.as_dict(), "from": period.start, "to": period.end}
            ),
            "errors": errors,
            "presets": PRESETS,
            "query": query,
            "can_see_revenue": can_see_revenue,
            "heatmap": summary["heatmap"],
            # The switch only where the team is one segment (otherwise there is nothing to switch).
            "team_scope": scope if team_segment(replace(scope, all=False)) else None,
        },
    )


@capability_required(perms.VIEW_DASHBOARD)
def export_csv(request, table: str):
    """One dashboard table as CSV, for the same period and segment as the page."""
    if table not in tables.TABLES:
        raise Http404("No such table.")
    can_see_revenue = perms.has_capability(request.user, perms.VIEW_REVENUE)
    if table in tables.REVENUE_TABLES and not can_see_revenue:
        raise PermissionDenied
    period, errors = _period_and_errors(request)
    if errors:
        return HttpResponse(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), status=400, content_type="text/plain"
        )
    summary = metrics.program_summary_cached(
        period,
        segment_from_params(request.GET),
        include_revenue=can_see_revenue,
        include_trends=table == "trends",
    )
    built = tables.build(table, summary)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table}_{period.start}_{period.end}.csv"'
    writer = csv_writer(response)  # labels come from people: no cell may open as a formula
    writer.writerow([heading for _key, heading, _kind in built.columns])
    writer.writerows(built.plain_rows())
    return response


@capability_required(perms.VIEW_DASHBOARD)
def export_workbook(request):
    """The whole dashboard as one workbook: a sheet per table, for the same period and segment
    as the page (the revenue sheet only for roles that may see revenue)."""
    period, errors = _period_and_errors(request)
    if errors:
        return HttpResponse(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), status=400, content_type="text/plain"
        )
    can_see_revenue = perms.has_capability(request.user, perms.VIEW_REVENUE)
    summary = metrics.program_summary_cached(
        period, segment_from_params(request.GET), include_revenue=can_see_revenue
    )
    response = HttpResponse(
        tables.workbook(summary, title=f"Program dashboard {period.start} to {period.end}"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="dashboard_{period.start}_{period.end}.xlsx"'
    return response


@capability_required(perms.SET_TARGETS)
@require_http_methods(["GET", "POST"])
def targets(request):
    """The strategic mix: list the targets and set one (setting an existing segment changes it)."""
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.target_set(
                dimension=form.cleaned_data["dimension"],
                value=form.cleaned_data["value"],
                target_share=form.cleaned_data["target_share"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Target saved: %(target)s.") % {"target": target})
            return redirect("reporting:targets")
    rows = metrics.coverage()
    return render(
        request,
        "reporting/target_list.html",
        {"form": form, "rows": rows},
        status=400 if form.errors else 200,
    )


@capability_required(perms.SET_TARGETS)
@require_POST
def target_delete(request, pk: int):
    target = get_object_or_404(StrategicTarget, pk=pk)
    services.target_delete(target=target, actor=request.user)
    messages.success(request, _("Target removed: %(target)s.") % {"target": target})
    return redirect("reporting:targets")


MY_REQUESTS_SHOWN = 10


def _queue_context(request, *, limit: int, include_capped: bool = False) -> dict:
    user = request.user
    scope = team_scope(request)  # a manager's teams first, "All" one click away
    return {
        "queue": workqueue.work_queue(user, limit=limit, include_capped=include_capped, scope=scope),
        "team_scope": scope,
        "can_assign": perms.has_capability(user, perms.TRIAGE_REQUESTS),
        "can_chase": perms.has_capability(user, perms.TRIAGE_REQUESTS),
        "can_reconfirm": perms.has_capability(user, perms.CHANGE_INVENTORY),
    }


@login_required
def home(request):
    """Each role's starting point. Managers (and admins): the work queue, what needs them today,
    each row a link with its one safe next action. Sales and marketing: a New request button,
    their open requests, the catalog search, then the references they must re-confirm."""
    user = request.user
    has_queue = perms.has_capability(user, perms.VIEW_OPERATIONS)
    context = home_context(user, counts=not has_queue)
    if has_queue:
        context.update(_queue_context(request, limit=workqueue.HOME_LIMIT))
        context["operations_limit"] = workqueue.OPERATIONS_LIMIT
    elif perms.has_capability(user, perms.SUBMIT_REQUESTS):
        mine = list(
            Request.objects.visible_to(user)
            .filter(requester=user)
            .open()
            .select_related("activity_type", "assignee")
            .order_by("needed_by", "id")[: MY_REQUESTS_SHOWN + 1]
        )
        context["my_requests"] = mine[:MY_REQUESTS_SHOWN]
        context["my_requests_more"] = len(mine) > MY_REQUESTS_SHOWN
    return render(request, "home.html", context)


@capability_required(perms.VIEW_OPERATIONS)
def operations(request):
    """The whole work queue (more rows per section than the home page, and the references at or
    near their cap)."""
    context = _queue_context(request, limit=workqueue.OPERATIONS_LIMIT, include_capped=True)
    return render(request, "reporting/operations.html", {**context, "limit": workqueue.OPERATIONS_LIMIT})


@capability_required(perms.TRIAGE_REQUESTS)
@require_POST
def candidate_chase(request, pk: int):
    """Remind the account owner about a candidate waiting for their consent or the customer's
    answer (``workqueue.candidate_chase``: one reminder per candidate and day)."""
    candidate = get_object_or_404(
        Candidate.objects.visible_to(request.user).select_related(
            "request__activity_type", "reference__contact", "reference__customer__account_owner"
        ),
        pk=pk,
    )
    try:
        sent = workqueue.candidate_chase(candidate=candidate, actor=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        owner = candidate.reference.customer.account_owner
        if sent:
            messages.success(
                request,
                _("Reminder sent to %(owner)s about request #%(request)s.")
                % {"owner": owner, "request": candidate.request_id},
            )
        else:
            messages.info(request, _("%(owner)s was already reminded about this today.") % {"owner": owner})
    return redirect(safe_next_url(request, reverse("home")))
