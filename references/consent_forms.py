"""HTML forms of a person's consents: recording one (the reference manager) and withdrawing them
(the person, on their private link). The services apply the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from refprogram.validators import BoundedFormMixin

from .choices import ConsentMethod, ConsentScope


class DateInput(forms.DateInput):
    input_type = "date"


class ConsentRecordForm(BoundedFormMixin, forms.Form):
    """The consent box on the reference's page: what, how, which text, when, until when."""

    single_line_fields = ("method_reference", "text_version")

    scope = forms.ChoiceField(label="Consent to", choices=ConsentScope.choices)
    method = forms.ChoiceField(label="Given by", choices=ConsentMethod.choices)
    method_reference = forms.CharField(
        label="Document or clause reference",
        max_length=200,
        required=False,
        help_text="Needed for a contract clause, e.g. 'MSA 2025 §12.3'.",
    )
    text_version = forms.CharField(label="Text version shown", max_length=100)
    given_on = forms.DateField(label="Given on", widget=DateInput)
    expires_on = forms.DateField(label="Until", required=False, widget=DateInput)


class WithdrawalForm(forms.Form):
    """The person's own page: tick the consents to withdraw, or leave the program."""

    scopes = forms.MultipleChoiceField(
        label=_("Withdraw my consent to"),
        choices=ConsentScope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    leave_program = forms.BooleanField(
        label=_("Leave the reference program: do not ask me again"), required=False
    )

    def __init__(self, *args, on_their_behalf: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if on_their_behalf:  # the manager records what the person asked for
            self.fields["scopes"].label = _("Withdraw their consent to")
            self.fields["leave_program"].label = _("They leave the reference program: never ask them again")

    def clean(self):
        data = super().clean()
        if not data.get("scopes") and not data.get("leave_program"):
            raise forms.ValidationError(_("Tick at least one consent to withdraw, or leave the program."))
        return data


class EraseForm(forms.Form):
    """Erasure is irreversible: the manager gives the reason and types the person's name."""

    reason = forms.CharField(label="Why", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    confirm_name = forms.CharField(label="Type the person's name to confirm", max_length=200)

    def __init__(self, *args, contact_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_name = contact_name

    def clean_confirm_name(self):
        typed = self.cleaned_data["confirm_name"].strip()
        if typed != self.contact_name.strip():
            raise forms.ValidationError(_("Type the name exactly as shown to confirm the erasure."))
        return typed
