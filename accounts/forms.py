"""Forms of the log-in's second step, of the second-factor settings and of a person's preferences."""

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

WRONG_CODE = _(
    "That code is wrong or has expired. Enter the 6-digit code your app shows now, or a recovery code."
)


class SecondFactorCodeForm(forms.Form):
    """The 6-digit code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code:
            raise forms.ValidationError(_("Enter the code."))
        return code

    def wrong_code(self) -> None:
        self.add_error("code", WRONG_CODE)


class EnrolConfirmForm(SecondFactorCodeForm):
    """The first code of a new authenticator, proving it was set up."""

    code = forms.CharField(
        label=_("Code from your app"),
        max_length=32,
        help_text=_(
            "After scanning the QR code (or typing the secret), enter the 6-digit code the app shows."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def wrong_code(self) -> None:
        self.add_error(
            "code", _("That code is wrong or has expired. Enter the 6-digit code the app shows now.")
        )


def _time_zones() -> list[tuple[str, str]]:
    zones = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    )
    return [("", _("The company's time zone (%(zone)s)") % {"zone": settings.TIME_ZONE})] + [
        (z, z) for z in zones
    ]


class PreferencesForm(forms.Form):
    """The language the interface speaks to a person and the time zone their dates are shown in."""

    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("My browser's language")), *settings.LANGUAGES]
        self.fields["time_zone"].choices = _time_zones()
