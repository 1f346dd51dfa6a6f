"""The request page's candidate forms: scheduling (and rescheduling) a meeting and recording a
completion. They only parse what the page sends (a local date-time, a number, a yes/no); the
rules (required, in the future, one line, bounds) are the service's
(``services.candidate_transition``), so the page and the API refuse the same things."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from refprogram.validators import BoundedFormMixin

from .models import COMPLETION_NOTES_MAX, MEETING_DETAILS_MAX, MEETING_MINUTES_MAX, MEETING_MINUTES_MIN

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class CandidateScheduleForm(BoundedFormMixin, forms.Form):
    single_line_fields = ("meeting_details",)

    scheduled_for = forms.DateTimeField(
        label=_("Starts"), required=False, input_formats=LOCAL_INPUT_FORMATS
    )  # a datetime-local value, in the page's time zone
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), required=False, min_value=MEETING_MINUTES_MIN, max_value=MEETING_MINUTES_MAX
    )
    meeting_details = forms.CharField(label=_("Where"), required=False, max_length=MEETING_DETAILS_MAX)
    note = forms.CharField(required=False, max_length=4000)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "scheduled_for": data.get("scheduled_for"),
            "duration_minutes": data.get("duration_minutes"),
            "meeting_details": data.get("meeting_details", ""),
            "note": data.get("note", ""),
        }


USEFUL_CHOICES = [("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))]


class CandidateCompleteForm(forms.Form):
    completion_notes = forms.CharField(
        label=_("What happened"), required=False, max_length=COMPLETION_NOTES_MAX
    )
    found_useful = forms.TypedChoiceField(
        label=_("Did the prospect find it useful?"),
        choices=USEFUL_CHOICES,
        required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
    )
    note = forms.CharField(required=False, max_length=4000)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "completion_notes": data.get("completion_notes", ""),
            "found_useful": data.get("found_useful"),
            "note": data.get("note", ""),
        }


class CandidateNoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=4000)

    def service_kwargs(self) -> dict:
        return {"note": self.cleaned_data.get("note", "")}


def form_for(to: str, data) -> forms.Form:
    if to == "scheduled":
        return CandidateScheduleForm(data)
    if to == "completed":
        return CandidateCompleteForm(data)
    return CandidateNoteForm(data)


class OwnerDecisionForm(forms.Form):
    """The account owner's answer: consent, or decline with a reason (the service requires it)."""

    decision = forms.ChoiceField(choices=[("consent", _("I consent")), ("decline", _("I decline"))])
    reason = forms.CharField(label=_("Reason (needed to decline)"), required=False, max_length=2000)


class AskAnswerForm(BoundedFormMixin, forms.Form):
    """The reference's answer on their link: accept, decline (a reason, "ask me again after"),
    or two or three times that suit them (local date-times, in the page's time zone)."""

    answer = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline")), ("slots", _("Offer times"))]
    )
    slot_1 = forms.DateTimeField(label=_("First time"), required=False, input_formats=LOCAL_INPUT_FORMATS)
    slot_2 = forms.DateTimeField(label=_("Second time"), required=False, input_formats=LOCAL_INPUT_FORMATS)
    slot_3 = forms.DateTimeField(
        label=_("Third time (optional)"), required=False, input_formats=LOCAL_INPUT_FORMATS
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    ask_again_after = forms.DateField(label=_("Not now — ask me again after"), required=False)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "answer": data["answer"],
            "slots": [data.get(f"slot_{i}") for i in (1, 2, 3)],
            "reason": data.get("reason", ""),
            "ask_again_after": data.get("ask_again_after"),
        }


class SlotPickForm(BoundedFormMixin, forms.Form):
    """The requester picks one offered time (sent as its ISO 8601 value) and says where."""

    single_line_fields = ("meeting_details",)

    slot = forms.CharField(max_length=40)
    meeting_details = forms.CharField(label=_("Where"), required=False, max_length=MEETING_DETAILS_MAX)

    def clean_slot(self):
        from datetime import datetime

        try:
            return datetime.fromisoformat(self.cleaned_data["slot"])
        except ValueError:
            raise forms.ValidationError(_("Pick one of the offered times.")) from None


YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]


class FeedbackForm(forms.Form):
    """A day after: did it happen, 1–5, one comment; the reference also answers whether they
    would do it again and how often is too often (ignored for the requester)."""

    happened = forms.TypedChoiceField(
        label=_("Did it happen?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    rating = forms.TypedChoiceField(
        label=_("How was it? (1 poor – 5 excellent)"),
        choices=[("", "—")] + [(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment = forms.CharField(
        label=_("One comment (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    would_do_again = forms.TypedChoiceField(
        label=_("Would you do it again?"),
        choices=YES_NO,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
    )
    too_often = forms.ChoiceField(label=_("How often is too often?"), choices=[("", "—")], required=False)

    def __init__(self, *args, reference: bool = False, **kwargs):
        from .choices import TooOften

        super().__init__(*args, **kwargs)
        self.fields["too_often"].choices = [("", "—"), *TooOften.choices]
        if not reference:
            del self.fields["would_do_again"]
            del self.fields["too_often"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "happened": data["happened"],
            "rating": data.get("rating"),
            "comment": data.get("comment", ""),
            "would_do_again": data.get("would_do_again"),
            "too_often": data.get("too_often", ""),
        }
