"""The audit log page and its CSV export (managers and admins): ``reporting.audit`` reads it."""

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts import permissions as perms
from refprogram.csvsafe import csv_lines
from refprogram.views import capability_required

from . import audit

CSV_MAX_ROWS = 50_000  # one export; narrow the filters for more


def _page_number(request) -> int:
    try:
        return max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return 1


@capability_required(perms.VIEW_AUDIT)
def audit_log(request):
    """Who changed what and when, newest first, filterable by person, object and dates."""
    form = audit.AuditFilter(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    number = _page_number(request)
    page = audit.audit_page(
        viewer=request.user, filters=filters, offset=(number - 1) * audit.PAGE_SIZE, limit=audit.PAGE_SIZE
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "number": number,
        "has_next": number * audit.PAGE_SIZE < page.count,
        "query": params.urlencode(),
        "object_types": audit.OBJECT_TYPES,
    }
    return render(request, "reporting/audit.html", context, status=400 if form.errors else 200)


@capability_required(perms.VIEW_AUDIT)
def audit_export(request):
    """The audit log for the page's filters as CSV (no cell opens as a formula)."""
    form = audit.AuditFilter(request.GET or None)
    if form.is_bound and not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain")
    filters = form.cleaned_data if form.is_bound else {}
    page = audit.audit_page(viewer=request.user, filters=filters, limit=CSV_MAX_ROWS)
    rows = [audit.CSV_COLUMNS, *(audit.csv_row(entry) for entry in page.entries)]
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="audit_{stamp}.csv"'
    return response
