"""API shapes of requests and candidates (API.md). Serializers parse and present; the services
hold the rules."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import PKOnlyObject

from ledger.choices import UsageStatus
from references.choices import Deployment, ProfileStatus, Seniority, SizeBand
from references.models import ActivityType, Industry, Product, Region
from refprogram.validators import BoundedSerializerMixin

from ..choices import CandidateState, CriterionField, Crm, OutcomeResult, UnmetReason, Urgency
from ..deals import SOURCE_CRM, SOURCE_MANUAL, request_deal
from ..models import (
    COMPLETION_NOTES_MAX,
    MEETING_DETAILS_MAX,
    MEETING_MINUTES_MAX,
    MEETING_MINUTES_MIN,
    Candidate,
    CandidateEvent,
    Opportunity,
    Request,
)


class ListValueField(serializers.SlugRelatedField):
    """A value of a managed list by its code or name; an unknown one is a 400 naming the valid ones."""

    def use_pk_only_optimization(self):
        """A list's code is its key: read from the row's own column, with no query per row (a list of
        fifty requests read its prospects' industries and regions one by one)."""
        return self.slug_field == self.get_queryset().model._meta.pk.name

    def to_representation(self, obj):
        if isinstance(obj, PKOnlyObject):
            return obj.pk
        return super().to_representation(obj)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip():
            raise serializers.ValidationError(_("Give the value as text."))
        found = self.get_queryset().filter(**{self.slug_field: data.strip()}).first()
        if found is None:
            valid = ", ".join(
                str(v) for v in self.get_queryset().values_list(self.slug_field, flat=True)[:80]
            )
            raise serializers.ValidationError(
                _("Unknown value “%(value)s”. Valid values: %(valid)s.") % {"value": data, "valid": valid}
            )
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


@extend_schema_field({"type": "integer", "minimum": 1})
class OpportunityLinkField(serializers.PrimaryKeyRelatedField):
    """A synced CRM opportunity by its id (``GET``-able through the request form's search); only
    opportunities the caller may see can be linked."""

    def get_queryset(self):
        request = self.context.get("request")
        return Opportunity.objects.visible_to(getattr(request, "user", None))

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).isdigit():
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= int(data) <= 2**63 - 1:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(int(data))


class OpportunitySerializer(BoundedSerializerMixin, serializers.Serializer):
    """The request's deal. Linked to a synced CRM opportunity (``id``), its ``crm_id``, ``amount``,
    ``stage``, ``close_date`` and ``result`` are the CRM's (``source`` ``crm``); unlinked, they are
    what the requester typed and reported (``source`` ``manual``)."""

    single_line_fields = ("crm_id", "stage")

    id = OpportunityLinkField(
        source="opportunity",
        required=False,
        allow_null=True,
        help_text="A synced CRM opportunity's id to link the request to (null unlinks); its amount, "
        "stage, close date and won/lost then come from the CRM.",
    )
    crm = serializers.SerializerMethodField(
        help_text='The linked opportunity\'s CRM (`salesforce`, `hubspot`, `other`); "" when not linked.'
    )
    name = serializers.SerializerMethodField(help_text='The linked opportunity\'s name; "" when not linked.')
    close_date = serializers.SerializerMethodField(help_text="The CRM's close date; null when not linked.")
    result = serializers.SerializerMethodField(
        help_text='`won`, `lost`, or "" (open, or no outcome reported): the CRM\'s when linked, the '
        "reported outcome otherwise."
    )
    source = serializers.SerializerMethodField(
        help_text="`crm` when linked to an opportunity (read-only values from the CRM), else `manual`."
    )
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

    @extend_schema_field(serializers.ChoiceField(choices=[("", "not linked"), *Crm.choices]))
    def get_crm(self, obj) -> str:
        return request_deal(obj).crm

    def get_name(self, obj) -> str:
        return request_deal(obj).name

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_close_date(self, obj):
        return request_deal(obj).close_date

    @extend_schema_field(serializers.ChoiceField(choices=[("", "none yet"), *OutcomeResult.choices]))
    def get_result(self, obj) -> str:
        return request_deal(obj).result

    @extend_schema_field(serializers.ChoiceField(choices=[SOURCE_CRM, SOURCE_MANUAL]))
    def get_source(self, obj) -> str:
        return request_deal(obj).source

    def to_representation(self, instance):
        data = super().to_representation(instance)
        deal = request_deal(instance)
        if deal.from_crm:  # the CRM's values, not what was typed
            data["crm_id"] = deal.crm_id
            data["stage"] = deal.stage
            data["amount"] = None if deal.amount is None else f"{deal.amount:.2f}"
        return data


class PersonSerializer(serializers.Serializer):
    """A person of the program (a user) as other objects name them: everywhere the same shape."""

    id = serializers.IntegerField(help_text="The user's id.")
    name = serializers.CharField(source="__str__", help_text="The user's full name, or username.")


class CustomerRefSerializer(serializers.Serializer):
    """A customer as other objects name it: everywhere the same shape."""

    id = serializers.IntegerField(help_text="The customer's id.")
    name = serializers.CharField(help_text="The customer's name.")


# --- Criteria: must-haves and nice-to-haves (API.md "criterion field") ----------------------


class MustCriterionSerializer(serializers.Serializer):
    """A must-have: a reference that misses it is never matched."""

    field = serializers.ChoiceField(choices=CriterionField.choices)
    value = serializers.CharField(
        help_text="A code for industry, region, size_band, deployment, seniority and language; "
        "an ISO 3166-1 alpha-2 code for country; a name for product and use_case; free text for "
        "competitor."
    )


class NiceCriterionSerializer(MustCriterionSerializer):
    """A nice-to-have: meeting it earns its weight in points."""

    weight = serializers.IntegerField(
        min_value=1,
        max_value=10,
        required=False,
        help_text="1–10; default by position: the first 5, then 4, 3, 2, then 1.",
    )


class CriterionSerializer(NiceCriterionSerializer):
    """A criterion a match meets or misses; ``weight`` only on nice-to-haves."""


class CriteriaSerializer(serializers.Serializer):
    must = MustCriterionSerializer(many=True, required=False, help_text="Must-haves (at most 12).")
    nice = NiceCriterionSerializer(many=True, required=False, help_text="Nice-to-haves (at most 12).")


@extend_schema_field(CriteriaSerializer)
class CriteriaField(serializers.JSONField):
    """``{"must": [...], "nice": [...]}``, checked by ``requests_app.criteria.criteria_clean`` in
    the service; always both lists in the output."""

    def to_representation(self, value):
        value = value or {}
        return {"must": list(value.get("must", [])), "nice": list(value.get("nice", []))}


class UrgencySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Urgency.choices)
    hours_left = serializers.IntegerField(help_text="Whole hours until needed-by; negative when overdue.")
    lead_time_days = serializers.IntegerField(help_text="The activity type's usual lead time in days.")


class OutcomeSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=OutcomeResult.choices)
    # A JSON number, as it always was (the opportunity's amount is a decimal string).
    amount = serializers.FloatField(
        allow_null=True,
        help_text="The deal's amount as a number; null when not given or for a viewer without the "
        "revenue capability.",
    )


class RequestSerializer(BoundedSerializerMixin, serializers.ModelSerializer):
    """A request for references. ``status``, ``requester``, ``urgency`` and the closing,
    outcome and rating fields are read-only (they change through the workflow actions)."""

    activity_type = ListValueField(
        slug_field="code",
        queryset=ActivityType.objects.all(),
        help_text="An activity type's code (`call`, …).",
    )
    prospect = ProspectSerializer(source="*")
    products = ListValueField(
        slug_field="name",
        queryset=Product.objects.all(),
        many=True,
        required=False,
        help_text="Product names (see `products/`).",
    )
    criteria = CriteriaField(required=False)
    opportunity = OpportunitySerializer(source="*", required=False)
    requester = PersonSerializer(read_only=True)
    assignee = PersonSerializer(read_only=True, allow_null=True, help_text="Null while unassigned.")
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

    @extend_schema_field(UrgencySerializer)
    def get_urgency(self, obj) -> dict:
        return obj.urgency(self.context.get("now") or timezone.now())

    @extend_schema_field(
        OutcomeSerializer(
            allow_null=True,
            help_text="Null until the outcome is reported (linked to a CRM opportunity: until the CRM "
            "closes the deal; then the CRM's won or lost and amount).",
        )
    )
    def get_outcome(self, obj) -> dict | None:
        deal = request_deal(obj)
        if not deal.result:
            return None
        amount = (
            (deal.amount if deal.from_crm else obj.outcome_amount) if self._amounts_visible(obj) else None
        )
        return {"result": deal.result, "amount": None if amount is None else float(amount)}

    def _amounts_visible(self, obj) -> bool:
        request = self.context.get("request")
        return request is not None and obj.amounts_visible_to(request.user)

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if not self._amounts_visible(obj) and isinstance(data.get("opportunity"), dict):
            data["opportunity"]["amount"] = None
        return data


class RequestSavedSerializer(RequestSerializer):
    """A request as creating or changing it answers: the request and its ``warnings``."""

    warnings = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="What was accepted but may not work out (e.g. a needed-by date sooner than the "
        "activity usually takes); empty when none.",
    )

    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "warnings"]


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
    requests = serializers.ListField(
        child=id_field(), min_length=1, max_length=200, help_text="Request ids (1–200)."
    )


class RequestBulkAssignResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text="How many of the requests changed assignee.")


class CandidateProposeSerializer(serializers.Serializer):
    reference = id_field(help_text="A reference profile's id.")
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        help_text="Why a cap or rest period is overridden (managers with the override right).",
    )


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
    deal_shared = serializers.BooleanField(
        required=False,
        default=False,
        help_text="With `asked`: show the reference the prospect's deal data on their ask link.",
    )


class SummaryCapacitySerializer(serializers.Serializer):
    used = serializers.IntegerField(help_text="Weighted points the reference used in the window.")
    cap = serializers.IntegerField(help_text="The reference's cap in points.")
    available = serializers.BooleanField(help_text="Can be asked today.")
    available_from = serializers.DateField(
        allow_null=True, help_text="When it can be asked again; null when available or not foreseeable."
    )


def _blank_choice(choices, **kw) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, allow_blank=True, **kw)


class ReferenceSummarySerializer(serializers.Serializer):
    """A reference as matches, nearest misses and candidates show it: everywhere the same shape.
    ``is_stale`` and ``capacity`` are present in matches (for the request's activity), not in
    candidates (whose capacity is reserved). Codes are blank when the profile has none."""

    id = serializers.IntegerField(help_text="The reference profile's id.")
    customer = CustomerRefSerializer()
    industry = serializers.CharField(allow_blank=True, help_text="The customer's industry code.")
    region = serializers.CharField(allow_blank=True, help_text="The customer's region code.")
    country = serializers.CharField(allow_blank=True, help_text="ISO 3166-1 alpha-2 code.")
    size_band = _blank_choice(SizeBand.choices)
    contact_title = serializers.CharField(allow_blank=True, help_text="The reference contact's job title.")
    seniority = _blank_choice(Seniority.choices)
    headline = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=ProfileStatus.choices)
    deployment = _blank_choice(Deployment.choices)
    products = serializers.ListField(child=serializers.CharField(), help_text="Product names.")
    is_stale = serializers.BooleanField(required=False, help_text="Matches only.")
    capacity = SummaryCapacitySerializer(required=False, help_text="Matches only.")


def reference_summary(profile) -> dict:
    """The summary of a reference profile (``customer``, ``contact`` and ``products`` loaded)."""
    customer, contact = profile.customer, profile.contact
    return {
        "id": profile.pk,
        "customer": {"id": customer.pk, "name": customer.name},
        "industry": customer.industry_id or "",
        "region": customer.region_id or "",
        "country": customer.country or "",
        "size_band": customer.size_band or "",
        "contact_title": contact.title,
        "seniority": contact.seniority or "",
        "headline": profile.headline,
        "status": profile.status,
        "deployment": profile.deployment or "",
        "products": sorted(p.name for p in profile.products.all()),
    }


class UsageSummarySerializer(serializers.Serializer):
    """The ledger entry a candidate reserved (``usage/{id}/``)."""

    id = serializers.IntegerField(help_text="The usage entry's id.")
    status = serializers.ChoiceField(choices=UsageStatus.choices)
    points = serializers.IntegerField(help_text="The activity's weight when it was asked.")


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
    next_states = serializers.ListField(
        child=serializers.ChoiceField(choices=CandidateState.choices),
        read_only=True,
        help_text="The states this candidate may move to now (transition/ `to`).",
    )
    contact = serializers.SerializerMethodField()
    meeting = serializers.SerializerMethodField()
    completion = serializers.SerializerMethodField()
    offered_slots = serializers.ListField(
        child=serializers.DateTimeField(),
        read_only=True,
        help_text="The start times the reference offered (ISO 8601, with the time zone); empty when none.",
    )
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
            "deal_shared",
            "offered_slots",
            "ask_again_after",
            "answer_reason",
            "created_at",
            "events",
        ]
        read_only_fields = fields

    @extend_schema_field(ReferenceSummarySerializer)
    def get_reference(self, obj) -> dict:
        return reference_summary(obj.reference)

    @extend_schema_field(UsageSummarySerializer(allow_null=True, help_text="Null once released."))
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

    reference = ReferenceSummarySerializer(help_text="The reference's summary, with its capacity.")
    score = serializers.IntegerField(help_text="The sum of the factors' points (docs/matching.md).")
    factors = MatchFactorSerializer(many=True)
    met = serializers.ListField(
        child=serializers.ChoiceField(choices=CriterionField.choices), help_text="Criterion fields it meets."
    )
    missed = serializers.ListField(
        child=serializers.ChoiceField(choices=CriterionField.choices), help_text="Criterion fields it misses."
    )
    met_criteria = CriterionSerializer(many=True, help_text="The criteria it meets.")
    missed_criteria = CriterionSerializer(many=True, help_text="The criteria it misses.")
    must_missed = serializers.ListField(
        child=serializers.ChoiceField(choices=CriterionField.choices),
        help_text="Must-have fields it misses (nearest misses only; empty in matches).",
    )
    available = serializers.BooleanField(help_text="Whether it can be proposed now.")
    explanation = serializers.CharField()


class SupplyAlternativeSerializer(serializers.Serializer):
    """Another way to a customer voice when supply is short: approved content of the content
    library (``kind`` a use: quote, case study, video) or a reference who would meet the prospect
    at an event (``kind`` ``event_meeting``). Fields that do not apply to the kind are blank."""

    kind = serializers.CharField(help_text="An approval use code, or the activity type code `event_meeting`.")
    activity_type = serializers.CharField(help_text="The same as `kind` (its name before content items).")
    name = serializers.CharField(help_text="The kind as people read it.")
    customer = CustomerRefSerializer()
    title = serializers.CharField(allow_blank=True)
    quote_text = serializers.CharField(allow_blank=True)
    asset_url = serializers.CharField(allow_blank=True, help_text="A web address, or blank.")
    asset_file_url = serializers.CharField(allow_blank=True, help_text="The uploaded file's path, or blank.")
    scope = serializers.ListField(child=serializers.CharField(), help_text="Channel codes.")
    scope_labels = serializers.ListField(
        child=serializers.CharField(), help_text="The channels as people read them."
    )
    expires_on = serializers.DateField(allow_null=True)
    must_missed = serializers.ListField(child=serializers.ChoiceField(choices=CriterionField.choices))
    must_missed_criteria = MustCriterionSerializer(many=True)
    must_missed_labels = serializers.ListField(
        child=serializers.CharField(),
        help_text='The missed must-haves as people read them ("region Europe, Middle East and Africa").',
    )
    approval = serializers.IntegerField(allow_null=True, help_text="The approval's id (content items).")
    reference = serializers.IntegerField(
        allow_null=True, help_text="The reference profile's id (event meetings)."
    )
    contact_title = serializers.CharField(allow_blank=True)
    url = serializers.CharField(help_text="The page of the approval or the reference.")
    note = serializers.CharField(help_text="What it is and which must-haves it misses, in words.")


class SupplyWeightSerializer(serializers.Serializer):
    what = serializers.CharField(help_text="What earns or costs points.")
    points = serializers.CharField(help_text="The points, as people read them (e.g. `+5 each`).")


class SupplySerializer(serializers.Serializer):
    """Is supply short for this request? (``requests/{id}/supply/``)."""

    short = serializers.BooleanField()
    reason = serializers.ChoiceField(
        choices=[(UnmetReason.NO_MATCH, "No match"), (UnmetReason.ALL_UNAVAILABLE, "All unavailable")],
        allow_blank=True,
        help_text="Blank when supply is not short.",
    )
    message = serializers.CharField(allow_blank=True)
    nearest_misses = MatchSerializer(many=True, help_text="References that miss few must-haves.")
    alternatives = SupplyAlternativeSerializer(many=True)
    weights = SupplyWeightSerializer(many=True, help_text="How matches are ranked (docs/matching.md).")
