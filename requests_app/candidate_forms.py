"""The request page's candidate forms: scheduling (and rescheduling) a meeting and recording a
completion. They only parse what the page sends (a local date-time, a number, a yes/no); the
rules (required, in the future, one line, bounds) are the service's
(``services.candidate_transition``), so the page and the API refuse the same things."""

from __future__ import annotations

from django import forms

from refprogram.validators import BoundedFormMixin

from .models import COMPLETION_NOTES_MAX, MEETING_DETAILS_MAX, MEETING_MINUTES_MAX, MEETING_MINUTES_MIN

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class CandidateScheduleForm(BoundedFormMixin, forms.Form):
    single_line_fields = ("meeting_details",)

    scheduled_for = forms.DateTimeField(
        label="Starts", required=False, input_formats=LOCAL_INPUT_FORMATS
    )  # a datetime-local value, in the page's time zone
    duration_minutes = forms.IntegerField(
        label="Minutes", required=False, min_value=MEETING_MINUTES_MIN, max_value=MEETING_MINUTES_MAX
    )
    meeting_details = forms.CharField(label="Where", required=False, max_length=MEETING_DETAILS_MAX)
    note = forms.CharField(required=False, max_length=4000)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "scheduled_for": data.get("scheduled_for"),
            "duration_minutes": data.get("duration_minutes"),
            "meeting_details": data.get("meeting_details", ""),
            "note": data.get("note", ""),
        }


USEFUL_CHOICES = [("", "Not known"), ("yes", "Yes"), ("no", "No")]


class CandidateCompleteForm(forms.Form):
    completion_notes = forms.CharField(label="What happened", required=False, max_length=COMPLETION_NOTES_MAX)
    found_useful = forms.TypedChoiceField(
        label="Did the prospect find it useful?",
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
