"""API shapes of requests and candidates (API.md). Serializers parse and present; the services
hold the rules."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from references.choices import Seniority, SizeBand
from references.models import ActivityType, Industry, Product, Region
from refprogram.validators import BoundedSerializerMixin

from ..choices import CandidateState, OutcomeResult
from ..models import (
    COMPLETION_NOTES_MAX,
    MEETING_DETAILS_MAX,
    MEETING_MINUTES_MAX,
    MEETING_MINUTES_MIN,
    Candidate,
    CandidateEvent,
    Request,
)


class ListValueField(serializers.SlugRelatedField):
    """A value of a managed list by its code or name; an unknown one is a 400 naming the valid ones."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip():
            raise serializers.ValidationError("Give the value as text.")
        found = self.get_queryset().filter(**{self.slug_field: data.strip()}).first()
        if found is None:
            valid = ", ".join(
                str(v) for v in self.get_queryset().values_list(self.slug_field, flat=True)[:80]
            )
            raise serializers.ValidationError(f"Unknown value {data!r}. Valid values: {valid}.")
        return found


def _max_length(field: str) -> int:
    """An input takes at most what its column holds (the intake form uses the model's own limit)."""
    return Request._meta.get_field(field).max_length


class ProspectSerializer(BoundedSerializerMixin, serializers.Serializer):
    single_line_fields = ("name", "contact_title")

    name = serializers.CharField(source="prospect_name", max_length=_max_length("prospect_name"))
    industry = ListValueField(
        source="prospect_industry",
        slug_field="code",
        queryset=Industry.objects.all(),
        required=False,
        allow_null=True,
    )
    region = ListValueField(
        source="prospect_region",
        slug_field="code",
        queryset=Region.objects.all(),
        required=False,
        allow_null=True,
    )
    country = serializers.CharField(
        source="prospect_country",
        max_length=_max_length("prospect_country"),
        required=False,
        allow_blank=True,
    )
    size_band = serializers.ChoiceField(
        source="prospect_size_band", choices=SizeBand.choices, required=False, allow_blank=True
    )
    contact_title = serializers.CharField(
        source="prospect_contact_title",
        max_length=_max_length("prospect_contact_title"),
        required=False,
        allow_blank=True,
    )
    seniority = serializers.ChoiceField(
        source="prospect_seniority", choices=Seniority.choices, required=False, allow_blank=True
    )


class OpportunitySerializer(BoundedSerializerMixin, serializers.Serializer):
    single_line_fields = ("crm_id", "stage")

    crm_id = serializers.CharField(
        source="opportunity_crm_id",
        max_length=_max_length("opportunity_crm_id"),
        required=False,
        allow_blank=True,
    )
    amount = serializers.DecimalField(
        source="opportunity_amount",
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
    )
    stage = serializers.CharField(
        source="opportunity_stage",
        max_length=_max_length("opportunity_stage"),
        required=False,
        allow_blank=True,
    )


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class RequestSerializer(BoundedSerializerMixin, serializers.ModelSerializer):
    """A request for references. ``status``, ``requester``, ``urgency`` and the closing,
    outcome and rating fields are read-only (they change through the workflow actions)."""

    activity_type = ListValueField(slug_field="code", queryset=ActivityType.objects.all())
    prospect = ProspectSerializer(source="*")
    products = ListValueField(slug_field="name", queryset=Product.objects.all(), many=True, required=False)
    criteria = serializers.JSONField(required=False)
    opportunity = OpportunitySerializer(source="*", required=False)
    requester = PersonSerializer(read_only=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)
    urgency = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()

    class Meta:
        model = Request
        fields = [
            "id",
            "activity_type",
            "prospect",
            "products",
            "criteria",
            "references_needed",
            "needed_by",
            "opportunity",
            "notes",
            "status",
            "requester",
            "assignee",
            "urgency",
            "closed_reason",
            "outcome",
            "rating",
            "rating_comment",
            "created_at",
        ]
        read_only_fields = ["status", "closed_reason", "rating", "rating_comment", "created_at"]

    def get_urgency(self, obj) -> dict:
        return obj.urgency(self.context.get("now") or timezone.now())

    def get_outcome(self, obj) -> dict | None:
        if not obj.outcome_result:
            return None
        amount = obj.outcome_amount if self._amounts_visible(obj) else None
        return {"result": obj.outcome_result, "amount": amount}

    def _amounts_visible(self, obj) -> bool:
        request = self.context.get("request")
        return request is not None and obj.amounts_visible_to(request.user)

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if not self._amounts_visible(obj) and isinstance(data.get("opportunity"), dict):
            data["opportunity"]["amount"] = None
        return data


class RequestOutcomeSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=OutcomeResult.choices)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class RequestRateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class RequestReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


# A row id: positive and within a 64-bit integer (anything larger is refused with a 400, never
# handed to the database).
MAX_ID = 2**63 - 1


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class RequestAssignSerializer(serializers.Serializer):
    assignee = id_field(required=False, allow_null=True, help_text="A manager's user id; omit for yourself.")


class RequestBulkAssignSerializer(RequestAssignSerializer):
    requests = serializers.ListField(child=id_field(), min_length=1, max_length=200)


class CandidateProposeSerializer(serializers.Serializer):
    reference = id_field()
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class CandidateTransitionSerializer(BoundedSerializerMixin, serializers.Serializer):
    """A move of a candidate. Moving to ``scheduled`` needs ``scheduled_for`` (in the future,
    with its time zone) and ``meeting_details``; ``duration_minutes`` defaults to the activity's
    usual length. ``scheduled`` again on a scheduled candidate reschedules it. Moving to
    ``completed`` needs ``completion_notes``; ``found_useful`` is optional. Fields that do not
    belong to the move are ignored. The service holds the rules (400 field errors)."""

    single_line_fields = ("meeting_details",)

    to = serializers.ChoiceField(choices=CandidateState.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    scheduled_for = serializers.DateTimeField(
        required=False, allow_null=True, help_text="The start, ISO 8601 with its time zone; in the future."
    )
    duration_minutes = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=MEETING_MINUTES_MIN,
        max_value=MEETING_MINUTES_MAX,
        help_text="How long it takes; default: the activity's usual length (a call: 30).",
    )
    meeting_details = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MEETING_DETAILS_MAX,
        help_text="Where: a video or phone link, or a place (one line).",
    )
    completion_notes = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=COMPLETION_NOTES_MAX,
        help_text="What happened (needed to complete).",
    )
    found_useful = serializers.BooleanField(
        required=False, allow_null=True, help_text="Whether the prospect found it useful."
    )


class CandidateEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.__str__", default=None, read_only=True)

    class Meta:
        model = CandidateEvent
        fields = ["from_state", "to_state", "actor", "note", "created_at"]


class CandidateContactSerializer(serializers.Serializer):
    """The reference's contact: for roles that see contact data, and — once the customer
    accepted — for the requester and the account owner (``Candidate.contact_visible_to``)."""

    name = serializers.CharField()
    title = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)


class CandidateMeetingSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(source="scheduled_for")
    ends_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(source="meeting_minutes")
    details = serializers.CharField(source="meeting_details")
    sequence = serializers.IntegerField(source="calendar_sequence")
    calendar_url = serializers.SerializerMethodField()

    def get_calendar_url(self, obj) -> str:
        return f"/api/v1/candidates/{obj.pk}/calendar.ics"


class CandidateCompletionSerializer(serializers.Serializer):
    notes = serializers.CharField(source="completion_notes")
    found_useful = serializers.BooleanField(allow_null=True)


class CandidateSerializer(serializers.ModelSerializer):
    """A candidate. ``contact`` is null for a viewer who may not see it; ``meeting`` is null
    until it is scheduled; ``completion`` is null until it is completed."""

    reference = serializers.SerializerMethodField()
    usage = serializers.SerializerMethodField()
    next_states = serializers.ListField(child=serializers.CharField(), read_only=True)
    contact = serializers.SerializerMethodField()
    meeting = serializers.SerializerMethodField()
    completion = serializers.SerializerMethodField()
    events = CandidateEventSerializer(many=True, read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "request",
            "reference",
            "state",
            "next_states",
            "usage",
            "score",
            "scheduled_for",
            "contact",
            "meeting",
            "completion",
            "customer_feedback",
            "created_at",
            "events",
        ]
        read_only_fields = fields

    def get_reference(self, obj) -> dict:
        ref = obj.reference
        return {
            "id": ref.pk,
            "customer": ref.customer.name,
            "contact_title": ref.contact.title,
            "seniority": ref.contact.seniority,
            "headline": ref.headline,
        }

    def get_usage(self, obj) -> dict | None:
        if obj.usage is None:
            return None
        return {"id": obj.usage.pk, "status": obj.usage.status, "points": obj.usage.points}

    @extend_schema_field(CandidateContactSerializer(allow_null=True))
    def get_contact(self, obj) -> dict | None:
        request = self.context.get("request")
        if request is None or not obj.contact_visible_to(request.user):
            return None
        return CandidateContactSerializer(obj.reference.contact).data

    @extend_schema_field(CandidateMeetingSerializer(allow_null=True))
    def get_meeting(self, obj) -> dict | None:
        if not obj.has_meeting:
            return None
        return CandidateMeetingSerializer(obj).data

    @extend_schema_field(CandidateCompletionSerializer(allow_null=True))
    def get_completion(self, obj) -> dict | None:
        if obj.state != CandidateState.COMPLETED:
            return None
        return CandidateCompletionSerializer(obj).data


class MatchFactorSerializer(serializers.Serializer):
    """One factor of a match's score on the one scale of docs/matching.md."""

    name = serializers.ChoiceField(
        choices=[
            "nice_to_have",
            "implicit",
            "size",
            "seniority",
            "c_level_protection",
            "health",
            "freshness",
            "reference_load",
            "customer_load",
        ]
    )
    points = serializers.IntegerField(help_text="Whole points; negative for penalties.")
    detail = serializers.CharField(help_text="What earned or cost the points, in words.")


class MatchSerializer(serializers.Serializer):
    """One ranked match as ``GET requests/{id}/matches/`` returns it (documents the response;
    ``matching.matches_for_request`` builds it)."""

    reference = serializers.DictField(help_text="The reference's summary, with its capacity.")
    score = serializers.IntegerField(help_text="The sum of the factors' points (docs/matching.md).")
    factors = MatchFactorSerializer(many=True)
    met = serializers.ListField(child=serializers.CharField(), help_text="Criterion fields it meets.")
    missed = serializers.ListField(child=serializers.CharField(), help_text="Criterion fields it misses.")
    met_criteria = serializers.ListField(child=serializers.DictField())
    missed_criteria = serializers.ListField(child=serializers.DictField())
    must_missed = serializers.ListField(child=serializers.CharField())
    available = serializers.BooleanField(help_text="Whether it can be proposed now.")
    explanation = serializers.CharField()
