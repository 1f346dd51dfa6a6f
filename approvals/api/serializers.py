"""Serializers of the approvals API (API.md ``approvals/``) and the content library (``library/``).

A customer person's e-mail address is shown only to roles with the contact-data capability.
"""

from __future__ import annotations

from rest_framework import serializers

from accounts import permissions as perms
from references.models import Contact, Customer
from refprogram.validators import BoundedSerializerMixin

from ..choices import ApprovalStatus, Channel
from ..models import Approval, ApprovalEvent


def _shows_contact_data(context: dict) -> bool:
    """May the caller see contacts' personal data (e-mail, phone): the ``view_contact_pii``
    capability, the rule every page, export and API response applies."""
    request = context.get("request")
    return perms.has_capability(getattr(request, "user", None), perms.VIEW_CONTACT_PII)


class ApprovalEventSerializer(serializers.ModelSerializer):
    """One history row; a customer person's e-mail address only for roles with contact data."""

    who = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalEvent
        fields = ["kind", "from_status", "to_status", "who", "changes", "note", "created_at"]

    def get_who(self, obj) -> str:
        return obj.who_for(show_contact_data=_shows_contact_data(self.context))

    def get_note(self, obj) -> str:
        return obj.note_for(show_contact_data=_shows_contact_data(self.context))


class ApprovalSerializer(BoundedSerializerMixin, serializers.ModelSerializer):
    single_line_fields = ("title",)  # its dates are bounded too (2000-2100)

    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.none(), required=False, allow_null=True
    )
    supersedes = serializers.PrimaryKeyRelatedField(
        queryset=Approval.objects.none(), required=False, allow_null=True
    )
    scope = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), allow_empty=False)
    # null until the customer decided, and for roles that may not see contacts' personal data
    approver_email = serializers.EmailField(read_only=True, allow_null=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    is_valid_today = serializers.SerializerMethodField()
    has_document = serializers.SerializerMethodField()
    has_asset_file = serializers.SerializerMethodField()

    class Meta:
        model = Approval
        fields = [
            "id",
            "customer",
            "customer_name",
            "use",
            "status",
            "title",
            "quote_text",
            "asset_url",
            "scope",
            "expires_on",
            "contact",
            "notes",
            "requested_by",
            "supersedes",
            "approver_name",
            "approver_title",
            "approver_email",
            "decided_at",
            "decision_comment",
            "is_valid_today",
            "has_document",
            "document_name",
            "has_asset_file",
            "asset_file_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "requested_by",
            "approver_name",
            "approver_title",
            "approver_email",
            "decided_at",
            "decision_comment",
            "document_name",
            "asset_file_name",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None:
            self.fields["customer"].queryset = Customer.objects.visible_to(user)
            self.fields["contact"].queryset = Contact.objects.visible_to(user)
            self.fields["supersedes"].queryset = Approval.objects.visible_to(user)

    def get_is_valid_today(self, obj) -> bool:
        return obj.is_valid_for(obj.use)

    def get_has_document(self, obj) -> bool:
        return bool(obj.document)

    def get_has_asset_file(self, obj) -> bool:
        return bool(obj.asset_file)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not _shows_contact_data(self.context):
            data["approver_email"] = None  # the customer contact's personal data
        data["approver_email"] = data["approver_email"] or None
        return data


class ApprovalDetailSerializer(ApprovalSerializer):
    history = ApprovalEventSerializer(source="events", many=True, read_only=True)

    class Meta(ApprovalSerializer.Meta):
        fields = [*ApprovalSerializer.Meta.fields, "history"]


class ApprovalPatchSerializer(ApprovalSerializer):
    class Meta(ApprovalSerializer.Meta):
        read_only_fields = [*ApprovalSerializer.Meta.read_only_fields, "customer", "supersedes"]


class ApprovalTransitionSerializer(BoundedSerializerMixin, serializers.Serializer):
    single_line_fields = ("approver_name", "approver_title")

    to = serializers.ChoiceField(choices=ApprovalStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    approver_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    approver_title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    approver_email = serializers.EmailField(required=False, allow_blank=True, default="")
    decided_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


class ApprovalSendLinkSerializer(BoundedSerializerMixin, serializers.Serializer):
    single_line_fields = ("name",)

    email = serializers.EmailField(required=False, allow_blank=True, default="")
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    valid_days = serializers.IntegerField(required=False, min_value=1, max_value=30, default=14)


class ApprovalUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class LibraryAssetSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    industry = serializers.CharField(source="customer.industry_id", read_only=True)
    scope = serializers.ListField(child=serializers.CharField(), read_only=True)
    has_asset_file = serializers.SerializerMethodField()

    class Meta:
        model = Approval
        fields = [
            "id",
            "customer",
            "customer_name",
            "industry",
            "use",
            "status",
            "title",
            "quote_text",
            "asset_url",
            "has_asset_file",
            "scope",
            "expires_on",
        ]

    def get_has_asset_file(self, obj) -> bool:
        return bool(obj.asset_file)
