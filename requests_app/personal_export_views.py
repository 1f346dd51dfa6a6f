"""The access export of a person's data, as JSON for the API and as a printable page to send to
them: both render ``personal_export`` (one assembly). For the roles that may erase a person
(``change_inventory``); a contact they cannot see is a 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions as perms
from accounts.permissions import HasCapability
from references.models import Contact
from refprogram.views import capability_required

from .personal_export import personal_export

SECTION_TITLES = {
    "consents": "Consent records",
    "profiles": "Reference profiles",
    "asks": "Times you were asked",
    "feedback": "Feedback you gave",
    "usage": "Usage record",
    "holds": "Pauses on asking you",
    "approvals": "Public uses that name or show you",
    "withdrawal_links": "Withdrawal links we sent you",
    "notices": "Information notices we sent you (where your data came from, and your rights)",
    "history": "Changes to your contact record",
}


# --- The document's shape, for the API schema (the document itself is ``personal_export``) -----

_Date = dict(allow_null=True)


class PersonalExportContactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField(required=False)
    seniority = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    time_zone = serializers.CharField(required=False)
    left_program_at = serializers.DateTimeField(required=False, **_Date)
    erased_at = serializers.DateTimeField(**_Date)
    created_at = serializers.DateTimeField(required=False)
    updated_at = serializers.DateTimeField(required=False)


class PersonalExportCustomerSerializer(serializers.Serializer):
    name = serializers.CharField()


class PersonalExportConsentSerializer(serializers.Serializer):
    scope = serializers.CharField()
    method = serializers.CharField()
    method_reference = serializers.CharField()
    text_version = serializers.CharField()
    given_on = serializers.DateField()
    expires_on = serializers.DateField(**_Date)
    recorded_by = serializers.CharField(allow_null=True)
    recorded_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(**_Date)
    withdrawn_via = serializers.CharField()
    state = serializers.CharField()


class PersonalExportProfileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    headline = serializers.CharField()
    story = serializers.CharField()
    outcomes = serializers.CharField()
    competitor = serializers.CharField()
    private_only = serializers.BooleanField()
    last_validated = serializers.DateField(**_Date)
    created_at = serializers.DateTimeField()


class PersonalExportAskSerializer(serializers.Serializer):
    candidate_id = serializers.IntegerField()
    request_id = serializers.IntegerField()
    activity = serializers.CharField()
    prospect_name = serializers.CharField()
    state = serializers.CharField()
    asked_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    scheduled_for = serializers.DateTimeField(**_Date)
    answer_reason = serializers.CharField()
    ask_again_after = serializers.DateField(**_Date)
    offered_slots = serializers.ListField(child=serializers.DateTimeField())


class PersonalExportFeedbackSerializer(serializers.Serializer):
    request_id = serializers.IntegerField()
    prospect_name = serializers.CharField()
    happened = serializers.BooleanField()
    rating = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()
    would_do_again = serializers.BooleanField(allow_null=True)
    too_often = serializers.CharField()
    given_at = serializers.DateTimeField()


class PersonalExportUsageSerializer(serializers.Serializer):
    profile_id = serializers.IntegerField()
    activity = serializers.CharField()
    status = serializers.CharField()
    occurred_on = serializers.DateField()
    request_id = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()


class PersonalExportHoldSerializer(serializers.Serializer):
    profile_id = serializers.IntegerField()
    kind = serializers.CharField()
    reason = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(**_Date)
    lifted_on = serializers.DateField(**_Date)


class PersonalExportApprovalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    use = serializers.CharField()
    status = serializers.CharField()
    title = serializers.CharField()
    quote_text = serializers.CharField()
    scope = serializers.ListField(child=serializers.CharField())
    expires_on = serializers.DateField(**_Date)
    decided_at = serializers.DateTimeField(**_Date)
    created_at = serializers.DateTimeField()


class PersonalExportWithdrawalLinkSerializer(serializers.Serializer):
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    used_at = serializers.DateTimeField(**_Date)
    withdrawn_at = serializers.DateTimeField(**_Date)


class PersonalExportNoticeSerializer(serializers.Serializer):
    sent_at = serializers.DateTimeField()
    subject = serializers.CharField()
    text_version = serializers.IntegerField()
    sent_via = serializers.CharField()


class PersonalExportHistorySerializer(serializers.Serializer):
    date = serializers.DateTimeField()
    who = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    changed_fields = serializers.ListField(child=serializers.CharField())
    reason = serializers.CharField()


class PersonalExportSerializer(serializers.Serializer):
    """Everything stored about a person (GDPR Art. 15); an erased contact has only ``contact``
    (id, placeholder name, erasure date), ``customer`` null and every list empty."""

    generated_at = serializers.DateTimeField()
    erased = serializers.BooleanField()
    contact = PersonalExportContactSerializer()
    customer = PersonalExportCustomerSerializer(allow_null=True)
    consents = PersonalExportConsentSerializer(many=True)
    profiles = PersonalExportProfileSerializer(many=True)
    asks = PersonalExportAskSerializer(many=True)
    feedback = PersonalExportFeedbackSerializer(many=True)
    usage = PersonalExportUsageSerializer(many=True)
    holds = PersonalExportHoldSerializer(many=True)
    approvals = PersonalExportApprovalSerializer(many=True)
    withdrawal_links = PersonalExportWithdrawalLinkSerializer(many=True)
    notices = PersonalExportNoticeSerializer(many=True)
    history = PersonalExportHistorySerializer(many=True)


def _text(value) -> str:
    """A value of the document as the person reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _readable(row: dict) -> list[tuple[str, str]]:
    return [(key.replace("_", " ").capitalize(), _text(value)) for key, value in row.items()]


def _contact(user, pk) -> Contact:
    return get_object_or_404(
        Contact.objects.visible_to(user).select_related("customer").prefetch_related("languages"), pk=pk
    )


class ContactExportView(APIView):
    """``GET /api/v1/contacts/{id}/export/``: one JSON document of everything stored about the
    person (GDPR Art. 15)."""

    permission_classes = [HasCapability]
    required_capabilities = {"GET": perms.CHANGE_INVENTORY}

    @extend_schema(responses={200: PersonalExportSerializer}, operation_id="contacts_export")
    def get(self, request, pk: int):
        return Response(personal_export(_contact(request.user, pk)))


@capability_required(perms.CHANGE_INVENTORY)
def contact_export_page(request, pk):
    """The same document, readable and printable, to send to the person."""
    contact = _contact(request.user, pk)
    document = personal_export(contact)
    sections = [
        {"key": key, "title": title, "rows": [_readable(row) for row in document[key]]}
        for key, title in SECTION_TITLES.items()
    ]
    return render(
        request,
        "requests_app/contact_export.html",
        {
            "contact": contact,
            "document": document,
            "person": _readable(document["contact"]),
            "sections": sections,
        },
    )
