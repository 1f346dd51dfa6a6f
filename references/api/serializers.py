"""API shapes of the reference inventory (API.md). Serializers only translate: every change is
made by ``references.services``, called from the views."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import permissions as perms
from accounts.models import User
from refprogram.validators import BoundedSerializerMixin

from ..choices import ConsentMethod, ConsentScope, ProfileStatus, RestingReason
from ..models import (
    CONTACT_PII_FIELDS,
    ActivityType,
    Contact,
    ContactConsent,
    Customer,
    CustomField,
    Industry,
    Language,
    Nomination,
    Product,
    Program,
    ReferenceProfile,
    Region,
    UseCase,
)
from ..services.custom_fields import CustomValuesInvalid, custom_values_clean
from .fields import ManagedListField, VisibleRelatedField

PII_FIELDS = CONTACT_PII_FIELDS
PII_HELP = "Only for roles that may see contacts' personal data (managers, admins); absent otherwise."


def _industry(**kw):
    return ManagedListField(
        slug_field="code",
        queryset=Industry.objects.all(),
        label_name="industry",
        listed_at="industries/",
        **kw,
    )


def _region(**kw):
    return ManagedListField(
        slug_field="code", queryset=Region.objects.all(), label_name="region", listed_at="regions/", **kw
    )


def _products(**kw):
    return ManagedListField(
        slug_field="name",
        queryset=Product.objects.all(),
        label_name="product",
        listed_at="products/",
        many=True,
        **kw,
    )


def _programs(**kw):
    return ManagedListField(
        slug_field="name",
        queryset=Program.objects.all(),
        label_name="program",
        listed_at="programs/",
        many=True,
        **kw,
    )


def _languages(**kw):
    return ManagedListField(
        slug_field="code",
        queryset=Language.objects.all(),
        label_name="language",
        many=True,
        help_text="ISO 639-1 codes, e.g. en, de.",
        **kw,
    )


class PiiHidingMixin:
    """Drops email and phone from the output unless the caller has ``view_contact_pii``: the keys
    are absent, not blank, so nothing about them leaks."""

    pii_fields: tuple[str, ...] = PII_FIELDS

    def _may_see_pii(self) -> bool:
        request = self.context.get("request")
        return perms.has_capability(getattr(request, "user", None), perms.VIEW_CONTACT_PII)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self._may_see_pii():
            for name in self.pii_fields:
                data.pop(name, None)
        return data


class NoUnknownFieldsMixin:
    """A field the resource does not have is a 400, so a typo is not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field does not exist.")] for name in unknown}
                )
        return super().to_internal_value(data)


CUSTOM_HELP = (
    'The program\'s own fields (see custom-fields/): {"<slug>": value}. Text, number, date '
    "(YYYY-MM-DD), true/false, a choice's value, or a list of choice values. On write, the fields "
    "named are set (null clears one) and the others keep their value; each value is checked against "
    'its definition: 400 {"custom": {"<slug>": ["..."]}}.'
)


@extend_schema_field({"type": "object", "additionalProperties": True, "example": {"partner_tier": "gold"}})
class CustomValuesField(serializers.Field):
    """An object's ``custom`` values, read as stored (no query) and checked on write by
    ``services.custom_fields.custom_values_clean`` (by the serializer's :class:`CustomValuesMixin`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", CUSTOM_HELP)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value or {}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(_('Give an object: {"<slug>": value}.'))
        return data


class CustomValuesMixin:
    """Checks ``custom`` against the active definitions of ``custom_on`` objects, over what the
    object holds; a new object gets its required fields checked even without ``custom``."""

    custom_on = ""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "custom" in attrs or self.instance is None:
            current = self.instance.custom if self.instance is not None else {}
            attrs["custom"] = attrs.get("custom") or {}
            try:  # the service writes the same values over the same ones (a null clears)
                custom_values_clean(self.custom_on, attrs["custom"], current=current)
            except CustomValuesInvalid as exc:
                raise serializers.ValidationError({"custom": exc.by_slug}) from None
        return attrs


# --- Managed lists -------------------------------------------------------------------------


class IndustrySerializer(BoundedSerializerMixin, serializers.ModelSerializer):
    single_line_fields = ("name",)

    class Meta:
        model = Industry
        fields = ["code", "name"]


class RegionSerializer(BoundedSerializerMixin, serializers.ModelSerializer):
    single_line_fields = ("name",)

    class Meta:
        model = Region
        fields = ["code", "name"]


class ProductSerializer(BoundedSerializerMixin, serializers.ModelSerializer):
    single_line_fields = ("name", "product_line")

    class Meta:
        model = Product
        fields = ["id", "name", "product_line"]


class UseCaseSerializer(BoundedSerializerMixin, serializers.ModelSerializer):
    single_line_fields = ("name",)

    class Meta:
        model = UseCase
        fields = ["id", "name"]


class ProgramSerializer(BoundedSerializerMixin, serializers.ModelSerializer):
    single_line_fields = ("name",)

    class Meta:
        model = Program
        fields = ["id", "name"]


# --- Customers and contacts ----------------------------------------------------------------


class CustomerSerializer(
    CustomValuesMixin, BoundedSerializerMixin, NoUnknownFieldsMixin, serializers.ModelSerializer
):
    single_line_fields = ("name", "crm_id", "revenue_band", "strategic_segment")
    custom_on = "customer"
    custom = CustomValuesField()

    industry = _industry()
    region = _region()
    products = _products(required=False)
    programs = _programs(required=False)
    account_owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False, help_text="A user id."
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "crm_id",
            "industry",
            "region",
            "country",
            "size_band",
            "employees",
            "revenue_band",
            "products",
            "account_owner",
            "strategic_segment",
            "is_marquee",
            "programs",
            "health_score",
            "health_updated",
            "renewal_date",
            "custom",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # Uniqueness is checked by the model's full_clean() in the service (one path for all).
        extra_kwargs = {"crm_id": {"validators": []}}


class ContactSerializer(
    CustomValuesMixin,
    BoundedSerializerMixin,
    PiiHidingMixin,
    NoUnknownFieldsMixin,
    serializers.ModelSerializer,
):
    single_line_fields = ("name", "title", "phone", "time_zone")
    custom_on = "contact"
    custom = CustomValuesField()

    customer = VisibleRelatedField(model=Customer, help_text="A customer id.")
    languages = _languages(required=False)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254, help_text=PII_HELP)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40, help_text=PII_HELP)

    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "name",
            "title",
            "seniority",
            "email",
            "phone",
            "languages",
            "time_zone",
            "custom",
            "left_program_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["left_program_at", "created_at", "updated_at"]


class ContactEraseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, help_text="Why the person is erased (kept in the audit log)."
    )


class ContactConsentSerializer(BoundedSerializerMixin, NoUnknownFieldsMixin, serializers.ModelSerializer):
    """A person's consent record (read), or a new one (write: ``scope``, ``method``,
    ``method_reference``, ``text_version``, ``given_on``, ``expires_on``)."""

    single_line_fields = ("method_reference", "text_version")

    scope = serializers.ChoiceField(choices=ConsentScope.choices)
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    recorded_by_name = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = ContactConsent
        fields = [
            "id",
            "contact",
            "scope",
            "method",
            "method_reference",
            "text_version",
            "given_on",
            "expires_on",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
            "withdrawn_at",
            "withdrawn_via",
            "state",
        ]
        read_only_fields = ["contact", "recorded_by", "recorded_at", "withdrawn_at", "withdrawn_via"]
        # The service checks the rules (a clause needs its reference); the constraint is its backstop.
        validators: list = []

    def get_recorded_by_name(self, consent) -> str:
        user = consent.recorded_by
        return (user.get_full_name() or user.username) if user else ""

    def get_state(self, consent) -> str:
        """``valid``, ``withdrawn``, ``expired`` or ``future``."""
        return consent.state()


# --- Reference profiles --------------------------------------------------------------------


class ReferenceCapacitySerializer(serializers.Serializer):
    used = serializers.IntegerField(help_text="Weighted points this reference used in the window.")
    cap = serializers.IntegerField(help_text="The reference's cap in points.")
    customer_used = serializers.IntegerField(help_text="Points all the customer's contacts used.")
    customer_cap = serializers.IntegerField()
    available = serializers.BooleanField(help_text="Can be asked today.")
    available_from = serializers.DateField(
        allow_null=True, help_text="When it can be asked again; null when available or not foreseeable."
    )


class CustomerSummarySerializer(serializers.ModelSerializer):
    """What a catalog shows about the customer behind a reference."""

    industry = serializers.CharField(source="industry_id")
    region = serializers.CharField(source="region_id")
    programs = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "industry",
            "region",
            "country",
            "size_band",
            "programs",
            "health_score",
            "health_updated",
            "is_marquee",
            "custom",
        ]
        read_only_fields = fields


class ContactSummarySerializer(PiiHidingMixin, serializers.ModelSerializer):
    """The contact behind a reference; email and phone only for roles that may see them."""

    languages = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    # Not read-only on purpose: the schema must not promise keys that are absent for most roles.
    email = serializers.EmailField(required=False, allow_blank=True, help_text=PII_HELP)
    phone = serializers.CharField(required=False, allow_blank=True, help_text=PII_HELP)

    class Meta:
        model = Contact
        fields = ["id", "name", "title", "seniority", "languages", "email", "phone", "custom"]
        read_only_fields = ["id", "name", "title", "seniority", "languages", "custom"]


class ReferenceProfileSerializer(
    CustomValuesMixin, BoundedSerializerMixin, NoUnknownFieldsMixin, serializers.ModelSerializer
):
    """A reference: who, the story, what it will do, and whether it can be asked today."""

    single_line_fields = ("headline", "competitor")
    custom_on = "profile"
    custom = CustomValuesField()

    customer = VisibleRelatedField(
        model=Customer, required=False, help_text="A customer id; defaults to the contact's customer."
    )
    contact = VisibleRelatedField(model=Contact, help_text="A contact id (one profile per contact).")
    status = serializers.ChoiceField(
        choices=ProfileStatus.choices,
        required=False,
        help_text="Set on creation: nominated (the default), vetting or active (any other is a 400); "
        "later moves go through transition/.",
    )
    activity_types = ManagedListField(
        slug_field="code",
        queryset=ActivityType.objects.all(),
        label_name="activity type",
        many=True,
        required=False,
    )
    products = _products(required=False)
    use_cases = ManagedListField(
        slug_field="name",
        queryset=UseCase.objects.all(),
        label_name="use case",
        listed_at="use-cases/",
        many=True,
        required=False,
    )
    # blank unless resting: declared so the schema lists the blank value too
    resting_reason = serializers.ChoiceField(choices=RestingReason.choices, read_only=True, allow_blank=True)
    is_stale = serializers.SerializerMethodField()
    capacity = serializers.SerializerMethodField()
    customer_summary = CustomerSummarySerializer(source="customer", read_only=True)
    contact_summary = ContactSummarySerializer(source="contact", read_only=True)

    class Meta:
        model = ReferenceProfile
        fields = [
            "id",
            "customer",
            "contact",
            "status",
            "resting_reason",
            "headline",
            "story",
            "activity_types",
            "products",
            "use_cases",
            "deployment",
            "competitor",
            "outcomes",
            "private_only",
            "last_validated",
            "custom",
            "is_stale",
            "capacity",
            "customer_summary",
            "contact_summary",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["resting_reason", "created_at", "updated_at"]
        validators: list = []  # one profile per contact is checked by the model in the service

    def get_is_stale(self, profile: ReferenceProfile) -> bool:
        if hasattr(profile, "is_stale_now"):
            return bool(profile.is_stale_now)
        profile.capacity(today=self.context.get("today"), policy=self.context.get("policy"))  # annotates
        return bool(profile.is_stale_now)

    @extend_schema_field(ReferenceCapacitySerializer)
    def get_capacity(self, profile: ReferenceProfile) -> dict:
        return profile.capacity(today=self.context.get("today"), policy=self.context.get("policy"))

    def validate_status(self, value):
        if self.instance is not None and value != self.instance.status:
            raise serializers.ValidationError(
                _("Change the status with POST references/{id}/transition/ so the lifecycle is respected.")
            )
        return value


class ProfileTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=ProfileStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    resting_reason = serializers.ChoiceField(
        choices=RestingReason.choices, required=False, default=RestingReason.REQUEST
    )


class InventoryNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ProfileReconfirmSerializer(InventoryNoteSerializer):
    """A re-confirmation: an optional note, and optionally the customer's health score as checked
    today (-100 to 100), as on the page."""

    health_score = serializers.IntegerField(required=False, allow_null=True, min_value=-100, max_value=100)


class ProfileFieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The field's name, e.g. `competitor`.")
    label = serializers.CharField(help_text="The field as the page names it.")
    old = serializers.CharField(allow_null=True, help_text="As people read it (names, labels); null: empty.")
    new = serializers.CharField(allow_null=True, help_text="As people read it (names, labels); null: empty.")


class ProfileHistoryEntrySerializer(serializers.Serializer):
    """One line of a profile's change history (``references.selectors.profile_history``, the same
    list the profile page shows): who, when, what."""

    when = serializers.DateTimeField()
    who = serializers.CharField(allow_null=True, help_text="Username, or null for the system.")
    what = serializers.ChoiceField(
        choices=[
            ("Reference profile", "Reference profile"),
            ("Customer", "Customer"),
            ("Contact", "Contact"),
            ("Lifecycle", "Lifecycle"),
        ]
    )
    kind = serializers.ChoiceField(
        choices=[
            ("created", "Created"),
            ("changed", "Changed"),
            ("deleted", "Deleted"),
            ("transition", "Status change"),
            ("revalidated", "Re-confirmed"),
        ]
    )
    from_status = serializers.CharField(allow_blank=True, required=False)
    to_status = serializers.CharField(allow_blank=True, required=False)
    note = serializers.CharField(allow_blank=True, required=False)
    changes = ProfileFieldChangeSerializer(many=True)


# --- Nominations ---------------------------------------------------------------------------


class NominationSerializer(
    BoundedSerializerMixin, PiiHidingMixin, NoUnknownFieldsMixin, serializers.ModelSerializer
):
    """A proposed reference and its vetting. ``aging`` is true for an open nomination waiting
    more than 7 days."""

    pii_fields = ("contact_email",)
    single_line_fields = ("contact_name", "contact_title")

    customer = VisibleRelatedField(model=Customer, help_text="A customer id.")
    contact = VisibleRelatedField(
        model=Contact, required=False, allow_null=True, help_text="An existing contact, or give contact_name."
    )
    contact_email = serializers.EmailField(required=False, allow_blank=True, help_text=PII_HELP)
    products = _products(required=False)
    account_owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False, help_text="A user id."
    )
    aging = serializers.BooleanField(source="is_aging", read_only=True)
    age_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "customer",
            "contact",
            "contact_name",
            "contact_title",
            "contact_email",
            "contact_seniority",
            "source",
            "reason",
            "products",
            "account_owner",
            "nominated_by",
            "status",
            "strategic_fit",
            "health_ok",
            "owner_consent",
            "vetting_notes",
            "rejection_reason",
            "decided_by",
            "decided_at",
            "profile",
            "created_at",
            "aging",
            "age_days",
        ]
        read_only_fields = [
            "nominated_by",
            "status",
            "strategic_fit",
            "health_ok",
            "owner_consent",
            "vetting_notes",
            "rejection_reason",
            "decided_by",
            "decided_at",
            "profile",
            "created_at",
        ]


class NominationVetSerializer(serializers.Serializer):
    strategic_fit = serializers.BooleanField(required=False, allow_null=True, default=None)
    health_ok = serializers.BooleanField(required=False, allow_null=True, default=None)
    owner_consent = serializers.BooleanField(required=False, allow_null=True, default=None)
    vetting_notes = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


class NominationAcceptSerializer(InventoryNoteSerializer):
    """Accept a vetted nomination: the activities the new reference has agreed to do (codes; at
    least one, else 409 ``activities_missing``) and an optional note."""

    activity_types = ManagedListField(
        slug_field="code",
        queryset=ActivityType.objects.all(),
        label_name="activity type",
        many=True,
        required=False,
        default=list,
    )


class NominationRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the nomination is rejected (required).")


# --- The program's own fields ----------------------------------------------------------------


class CustomFieldChoiceSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="The stable value stored and filtered on, e.g. `gold`.")
    labels = serializers.DictField(
        child=serializers.CharField(), help_text='By language: {"en": "Gold", "de": "Gold"}; en required.'
    )


class CustomFieldSerializer(BoundedSerializerMixin, NoUnknownFieldsMixin, serializers.ModelSerializer):
    """A field the program defines on customers, contacts or reference profiles (``on``). ``slug``
    (its stable machine name: in ``custom``, in ``?custom.<slug>=`` filters, as the import column
    ``custom.<slug>`` and as the criterion field ``custom.<slug>``), ``on`` and ``kind`` are fixed
    once created; deactivate a field rather than delete it."""

    single_line_fields = ("label_en", "label_de", "label_fr", "label_es")

    choices = CustomFieldChoiceSerializer(many=True, required=False)
    label = serializers.SerializerMethodField(help_text="The label in the caller's language.")

    class Meta:
        model = CustomField
        fields = [
            "slug",
            "on",
            "kind",
            "label",
            "label_en",
            "label_de",
            "label_fr",
            "label_es",
            "choices",
            "required",
            "position",
            "active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {"slug": {"validators": []}}  # uniqueness: the model's full_clean in the service

    def get_label(self, field: CustomField) -> str:
        return field.label()
