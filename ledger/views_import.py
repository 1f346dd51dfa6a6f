"""Page: import past reference activities (the spreadsheet era's asks) into the usage ledger."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from accounts import permissions as perms
from references.forms import ImportForm
from refprogram.views import capability_required, posted

from . import imports
from .choices import UsageStatus
from .models import OverusePolicy

# Writing ledger rows is the ledger keeper's work: the capability that records asks and what became
# of them (managers), the same one the ledger page's transition buttons need.
IMPORT_CAPABILITY = perms.RESERVE_CAPACITY


@capability_required(IMPORT_CAPABILITY)
def usage_import(request):
    """Upload a CSV of past asks: all rows are written (asks already in the ledger skipped), or none."""
    form = ImportForm(*posted(request, files=True))
    report = None
    if request.method == "POST":
        if form.is_valid():
            report = imports.usage_import(file=form.cleaned_data["file"], actor=request.user)
            if report.ok:
                messages.success(
                    request,
                    _("Import finished: %(created)s ask(s) written to the ledger, %(skipped)s already there.")
                    % {"created": report.created, "skipped": report.skipped},
                )
            else:
                messages.error(
                    request,
                    _("Nothing was imported: %(count)s problem(s) in the file, listed below.")
                    % {"count": len(report.errors)},
                )
        else:
            messages.error(request, _("Choose a CSV file to import."))
    labels = dict(UsageStatus.choices)
    return render(
        request,
        "ledger/usage_import.html",
        {
            "form": form,
            "report": report,
            "report_csv": imports.usage_report_csv(report) if report and not report.ok else "",
            "by_status": [(labels[s], n) for s, n in report.by_status.items()] if report else [],
            "columns": imports.COLUMNS,
            "outcomes": imports.OUTCOMES,
            "policy": OverusePolicy.current(),
        },
    )


@capability_required(IMPORT_CAPABILITY)
def usage_import_template(request):
    response = HttpResponse(imports.usage_csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="past-activities-template.csv"'
    return response


urlpatterns = [
    path("usage/import/", usage_import, name="usage-import"),
    path("usage/import/template.csv", usage_import_template, name="usage-import-template"),
]
