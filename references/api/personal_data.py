"""API shapes of the retention review and the Art. 14 notice (``ContactViewSet`` actions
``retention``, ``retention_keep`` and ``notice``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Contact
from ..services.retention import retention_erase_on


class RetentionReviewSerializer(serializers.ModelSerializer):
    """A person due for review: since when, and the day the nightly check erases them unless a
    manager keeps them or they become active again."""

    customer_name = serializers.CharField(source="customer.name", read_only=True)
    erase_on = serializers.SerializerMethodField(
        help_text="The day the nightly check erases them (null when not due for review)."
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "name",
            "customer",
            "customer_name",
            "retention_review_since",
            "erase_on",
            "retention_kept_on",
            "retention_kept_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_erase_on(self, contact: Contact) -> str | None:
        if contact.retention_review_since is None:
            return None
        return retention_erase_on(contact.retention_review_since, self.context["policy"]).isoformat()


class RetentionKeepSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, help_text="Why the program keeps the person (kept in their history)."
    )


class ContactNoticeSerializer(serializers.Serializer):
    """The person's Art. 14 notice: whether it was sent, when, which version of the text, by whom
    (a manager's username) or what (``sent_via``: the notices page, the API, the nightly check);
    ``due``: they arrived from an import or the CRM and have not been sent it."""

    contact = serializers.IntegerField()
    sent = serializers.BooleanField()
    sent_at = serializers.DateTimeField(allow_null=True)
    template_version = serializers.IntegerField(allow_null=True)
    sent_by = serializers.CharField(allow_null=True)
    sent_via = serializers.CharField(allow_null=True)
    due = serializers.BooleanField()


def notice_data(contact: Contact, *, due: bool) -> dict:
    notice = getattr(contact, "notice", None)
    return {
        "contact": contact.pk,
        "sent": notice is not None,
        "sent_at": notice.sent_at if notice else None,
        "template_version": notice.template.version if notice else None,
        "sent_by": notice.sent_by.username if notice and notice.sent_by else None,
        "sent_via": notice.sent_via if notice else None,
        "due": due,
    }
