"""Pages: import the program's spreadsheet (CSV), download its template."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from accounts import permissions as perms
from refprogram.views import capability_required, posted

from .. import services
from ..forms import ImportForm


@capability_required(perms.CHANGE_INVENTORY)
def inventory_import(request):
    """Upload a CSV of customers, contacts and references: all rows are written, or none."""
    from .. import imports

    form = ImportForm(*posted(request, files=True))
    report = None
    if request.method == "POST":
        if form.is_valid():
            report = imports.inventory_import(file=form.cleaned_data["file"], actor=request.user)
            if report.ok:
                messages.success(request, _("Import finished: every row was written."))
            else:
                messages.error(
                    request,
                    _("Nothing was imported: %(n)s problem(s) in the file, listed below.")
                    % {"n": len(report.errors)},
                )
        else:
            messages.error(request, _("Choose a CSV file to import."))
    kinds = ("customers", "contacts", "references")
    return render(
        request,
        "references/inventory_import.html",
        {
            "form": form,
            "report": report,
            # the built-in columns, then one per field of the program's own (``custom.<slug>``)
            "columns": imports.COLUMNS + imports.custom_columns(services.custom_definitions()),
            "kinds": kinds,
        },
    )


@capability_required(perms.CHANGE_INVENTORY)
def inventory_import_template(request):
    from .. import imports

    response = HttpResponse(imports.inventory_csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="inventory-template.csv"'
    return response


urlpatterns: list = [
    path("inventory/import/", inventory_import, name="inventory-import"),
    path("inventory/import/template.csv", inventory_import_template, name="inventory-import-template"),
]
