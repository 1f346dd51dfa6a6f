"""Pages: the fields the program defines on customers, contacts and reference profiles."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from accounts import permissions as perms
from refprogram.views import add_service_errors, capability_required, posted

from .. import services
from ..forms import CustomFieldForm
from ..models import CustomField


@capability_required(perms.MANAGE_LISTS)
def custom_field_list(request):
    """Every field the program defined, active or not, by what it is on."""
    return render(request, "references/customfield_list.html", {"fields": CustomField.objects.all()})


def _form_page(request, field: CustomField | None):
    form = CustomFieldForm(posted(request), instance=field or CustomField())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if field is None:
                saved = services.custom_field_create(actor=request.user, **data)
            else:
                for name in ("on", "slug", "kind"):
                    data.pop(name, None)
                saved = services.custom_field_update(field=field, actor=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Field %(label)s saved.") % {"label": saved.label()})
            return redirect("custom-field-list")
    status = 200
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
        status = 400
    return render(request, "references/customfield_form.html", {"form": form, "field": field}, status=status)


@capability_required(perms.MANAGE_LISTS)
def custom_field_new(request):
    return _form_page(request, None)


@capability_required(perms.MANAGE_LISTS)
def custom_field_edit(request, slug):
    return _form_page(request, get_object_or_404(CustomField, slug=slug))


urlpatterns: list = [
    path("custom-fields/", custom_field_list, name="custom-field-list"),
    path("custom-fields/new/", custom_field_new, name="custom-field-new"),
    path("custom-fields/<slug:slug>/edit/", custom_field_edit, name="custom-field-edit"),
]
