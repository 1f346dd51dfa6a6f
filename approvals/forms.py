"""Forms of the approval pages: request or edit an approval, move it through review, send the
consent link, upload a file, and the customer's decision on the consent page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from references.models import Contact, Customer
from refprogram.validators import BoundedFormMixin

from .choices import ApprovalStatus, ApprovalUse, Channel


class ApprovalForm(BoundedFormMixin, forms.Form):
    single_line_fields = ("title",)  # and expires_on within 2000-2100

    use = forms.ChoiceField(choices=ApprovalUse.choices)
    title = forms.CharField(
        label="What it concerns",
        max_length=200,
        required=False,
        help_text="E.g. “Logo on our customers page” or the case study's title.",
    )
    quote_text = forms.CharField(
        label="Exact quote text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required for a quote: the customer approves these exact words.",
    )
    asset_url = forms.URLField(
        label="Link to the asset", required=False, max_length=500, assume_scheme="https"
    )
    scope = forms.MultipleChoiceField(
        label="Channels", choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label="Approved until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    contact = forms.ModelChoiceField(
        label="Who at the customer decides", queryset=Contact.objects.none(), required=False
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, customer: Customer, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.visible_to(user).filter(customer=customer)


class TransitionForm(BoundedFormMixin, forms.Form):
    single_line_fields = ("approver_name", "approver_title")

    to = forms.ChoiceField(choices=ApprovalStatus.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    approver_name = forms.CharField(label="Approved by (name)", required=False, max_length=200)
    approver_title = forms.CharField(label="Their title", required=False, max_length=200)
    approver_email = forms.EmailField(label="Their email", required=False)
    expires_on = forms.DateField(
        label="Approved until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SendLinkForm(BoundedFormMixin, forms.Form):
    single_line_fields = ("name",)

    contact = forms.ModelChoiceField(
        label="Customer contact", queryset=Contact.objects.none(), required=False
    )
    email = forms.EmailField(label="…or this email address", required=False)
    name = forms.CharField(label="Their name", required=False, max_length=200)

    def __init__(self, *args, customer: Customer, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = (
            Contact.objects.visible_to(user).filter(customer=customer).exclude(email="")
        )


class UploadForm(forms.Form):
    file = forms.FileField(help_text="PDF, PNG or JPEG, at most 10 MB.")


class ConsentForm(BoundedFormMixin, forms.Form):
    single_line_fields = ("name", "title")

    name = forms.CharField(label=_("Your name"), max_length=200)
    title = forms.CharField(label=_("Your title"), max_length=200, required=False)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
