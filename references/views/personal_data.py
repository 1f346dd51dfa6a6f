"""Managers' pages for personal data kept no longer than needed and the Art. 14 notice: the
retention review list (keep with a reason, erase now, or let the nightly check erase them after the
grace period), the contacts due the notice (send it), and the notice's text (every save a new
version)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from refprogram.errors import RuleViolation
from refprogram.views import add_service_errors, capability_required, paginate

from ..models import Contact, ContactNotice, program_policy
from ..services import notices, retention


class KeepForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label=gettext_lazy("Why keep them"),
        help_text=gettext_lazy("Kept in their history; the retention clock restarts today."),
    )


class NoticeTemplateForm(forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 14}))
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text=gettext_lazy("Why the program holds the data.")
    )
    legal_basis = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("Legal basis"))
    rights = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("The person's rights and how to use them."),
    )


@capability_required(perms.CHANGE_INVENTORY)
def retention_review(request):
    """People due for review: no activity and no valid consent for the policy's months."""
    policy = program_policy()
    page = paginate(request, retention.contacts_due_for_review())
    rows = [(c, retention.retention_erase_on(c.retention_review_since, policy)) for c in page]
    context = {"page": page, "rows": rows, "policy": policy, "keep_form": KeepForm()}
    return render(request, "references/retention_review.html", context)


@require_POST
@capability_required(perms.CHANGE_INVENTORY)
def retention_keep(request, pk):
    """Keep one person, with the reason: off the review list, clock restarted."""
    contact = get_object_or_404(Contact.objects.visible_to(request.user), pk=pk)
    form = KeepForm(request.POST)
    if form.is_valid():
        try:
            retention.retention_keep(contact=contact, reason=form.cleaned_data["reason"], by=request.user)
        except (ValidationError, RuleViolation) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s is kept; the retention clock restarts today.") % {"name": contact.name}
            )
            return redirect("contact-retention")
    errors = "; ".join(" ".join(e) for e in form.errors.values())
    messages.error(request, _("%(name)s was not kept: %(errors)s") % {"name": contact.name, "errors": errors})
    return redirect("contact-retention")


@capability_required(perms.CHANGE_INVENTORY)
def notices_page(request):
    """Contacts from an import or the CRM who have not been sent the notice; send it to them all."""
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("contact") if v.isdigit()] or None
        result = notices.notices_send(
            by=request.user, via="notices page", contact_ids=ids, base_url=request.build_absolute_uri("/")
        )
        sent, no_email = result["notices_sent"], result["notices_no_email"]
        text = ngettext("Notice sent to %(n)s contact.", "Notice sent to %(n)s contacts.", sent) % {"n": sent}
        if no_email:
            text += " " + _("%(n)s without an e-mail address: add one to send theirs.") % {"n": no_email}
        messages.success(request, text)
        return redirect("contact-notices")
    due = notices.notices_due()
    page = paginate(request, due)
    context = {
        "page": page,
        "due_count": page.paginator.count,
        "no_email": due.filter(email="").count(),
        "template": notices.notice_template_current(),
        "sent_count": ContactNotice.objects.count(),
    }
    return render(request, "references/notices.html", context)


@capability_required(perms.SET_POLICY)
def notice_template_edit(request):
    """The notice's text: saving a change adds its next version (the sent ones stay as they were)."""
    current = notices.notice_template_current()
    initial = {f: getattr(current, f) for f in ("subject", "body", "purpose", "legal_basis", "rights")}
    form = NoticeTemplateForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = notices.notice_template_save(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The notice is saved as version %(version)s.") % {"version": saved.version}
                )
                return redirect("notice-template")
        messages.error(request, _("Please correct the errors below."))
        status = 400
    context = {"form": form, "template": current, "placeholders": notices.NOTICE_PLACEHOLDERS}
    return render(request, "references/notice_template.html", context, status=status)


urlpatterns: list = [
    path("contacts/retention/", retention_review, name="contact-retention"),
    path("contacts/<int:pk>/retention/keep/", retention_keep, name="contact-retention-keep"),
    path("contacts/notices/", notices_page, name="contact-notices"),
    path("contacts/notices/template/", notice_template_edit, name="notice-template"),
]
