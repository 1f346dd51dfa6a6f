"""Program metrics pages: the executive dashboard, CSV exports, strategic targets and the
manager's operational view. Thin: read the period and segment, call the metrics, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions as perms
from refprogram.csvsafe import csv_writer
from refprogram.views import add_service_errors, capability_required

from . import metrics, services, tables
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


@capability_required(perms.VIEW_DASHBOARD)
def dashboard(request):
    period, errors = _period_and_errors(request)
    segment = segment_from_params(request.GET)
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
    writer.writerow([heading for _, heading, _ in built.columns])
    writer.writerows(built.rows)
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
            messages.success(request, f"Target saved: {target}.")
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
    messages.success(request, f"Target removed: {target}.")
    return redirect("reporting:targets")


@capability_required(perms.VIEW_OPERATIONS)
def operations(request):
    data = metrics.operations()
    return render(request, "reporting/operations.html", {**data, "now": timezone.now()})
