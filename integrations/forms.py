"""The integration page's forms: a CRM connection's settings (never its secrets)."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CrmConnection


class CrmConnectionForm(forms.ModelForm):
    """On/off, where the CRM lives, how to sign in, and the mapping (JSON, only what differs from
    the defaults); the model's ``clean`` validates the mapping against the program's lists."""

    base_url = forms.URLField(
        label=_("Login / API URL"),
        required=False,
        assume_scheme="https",
        max_length=300,
        help_text=_(
            "Salesforce: your My Domain URL (https://yourcompany.my.salesforce.com). HubSpot: blank."
        ),
    )
    mapping = forms.JSONField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("JSON: only what differs from the defaults (see the README)."),
    )

    class Meta:
        model = CrmConnection
        fields = ["enabled", "base_url", "auth_flow", "mapping"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind != "salesforce":
            del self.fields["auth_flow"]
        self.initial.setdefault("mapping", {})

    def clean_mapping(self):
        return self.cleaned_data.get("mapping") or {}

    def mapping_text(self) -> str:
        return json.dumps(self.instance.mapping or {}, indent=2)
