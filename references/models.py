"""The reference inventory: customers, contacts, reference profiles, nominations, the
managed lists and the staleness rule (the usage ledger and the overuse policy are the ledger app's)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import (
    Exists,
    OuterRef,
    Q,
)
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts import permissions as perms

from .choices import (
    NOMINATION_AGING_DAYS,
    NOMINATION_TRANSITIONS,
    PROFILE_TRANSITIONS,
    ActivityKind,
    ConsentMethod,
    ConsentScope,
    Deployment,
    NominationSource,
    NominationStatus,
    ProfileStatus,
    RestingReason,
    Seniority,
    SizeBand,
)

country_code = RegexValidator(r"^[A-Z]{2}$", "Use an ISO 3166-1 alpha-2 country code, e.g. DE or US.")


# --- Managed lists -------------------------------------------------------------------------


class Industry(models.Model):
    """An industry code from the managed list (ships with defaults; admins extend it)."""

    code = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "industries"

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """A sales region code from the managed list (na, emea, apac, latam by default)."""

    code = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """A product we sell, in a product line (strategic targets are set per line)."""

    name = models.CharField(max_length=100, unique=True)
    product_line = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UseCase(models.Model):
    """A use case a customer deployed our products for (managed list)."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    """A customer program: advisory board, beta, early adopter, community, user group…"""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    """A language a contact speaks (ISO 639-1 code)."""

    code = models.CharField(max_length=2, primary_key=True)
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ActivityType(models.Model):
    """Something a reference does for us: a call, a site visit, a case study…

    ``weight`` is its cost in cap points (a site visit costs far more than a name drop);
    ``lead_time_days`` its typical lead time; ``live`` activities start a rest period.
    """

    code = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=ActivityKind.choices)
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    lead_time_days = models.PositiveSmallIntegerField(default=3)
    live = models.BooleanField(default=False, help_text="A live activity starts the rest period.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.kind == ActivityKind.PUBLIC


# --- Program-defined fields -----------------------------------------------------------------


CUSTOM_LANGUAGES = ("en", "de", "fr", "es")
custom_slug = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$",
    _("Use lower-case letters, digits and _, starting with a letter (at most 40), e.g. partner_tier."),
)


class CustomField(models.Model):
    """An extra field a manager defines on customers, contacts or reference profiles, in the
    program's own terms: its stable machine name (``slug``), its kind, its label in each language
    (English required; the others fall back to it) and, for a list, its choices
    (``[{"value": "gold", "labels": {"en": "Gold", "de": "Gold"}}]``). Values live in each object's
    ``custom`` column (``{"<slug>": value}``), checked against the definitions by
    ``references.services.custom_fields`` (one home for every form, the API and the import).
    A deactivated field keeps its values but is no longer offered, filtered or matched on."""

    class On(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        CONTACT = "contact", _("Contact")
        PROFILE = "profile", _("Reference profile")

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        YES_NO = "yes_no", _("Yes/no")
        ONE_OF = "one_of", _("One of a list")
        SEVERAL_OF = "several_of", _("Several of a list")

    on = models.CharField(_("on"), max_length=16, choices=On.choices)
    slug = models.CharField(_("machine name"), max_length=40, unique=True, validators=[custom_slug])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    label_en = models.CharField(_("label (English)"), max_length=100)
    label_de = models.CharField(_("label (German)"), max_length=100, blank=True)
    label_fr = models.CharField(_("label (French)"), max_length=100, blank=True)
    label_es = models.CharField(_("label (Spanish)"), max_length=100, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["on", "position", "slug"]

    def __str__(self) -> str:
        return self.label()

    @property
    def key(self) -> str:
        """How a criterion, a filter and an import column name it: ``custom.<slug>``."""
        return f"custom.{self.slug}"

    @property
    def is_list(self) -> bool:
        return self.kind in (self.Kind.ONE_OF, self.Kind.SEVERAL_OF)

    @property
    def is_facet(self) -> bool:
        """Its values are facet keys (``references.facets``): a list or yes/no."""
        return self.is_list or self.kind == self.Kind.YES_NO

    @property
    def is_range(self) -> bool:
        """Filtered by a lowest and a highest value (``custom.<slug>.min`` / ``.max``): a number or a
        date."""
        return self.kind in (self.Kind.NUMBER, self.Kind.DATE)

    @property
    def holder(self) -> str:
        """Where a reference profile reads this field's values: its own ``custom``, its customer's or
        its contact's."""
        return {self.On.PROFILE: "custom", self.On.CUSTOMER: "customer__custom"}.get(
            self.on, "contact__custom"
        )

    def label(self, language: str | None = None) -> str:
        """The label in ``language`` (default: the active one), else the English one."""
        language = (language or get_language() or "en")[:2]
        if language not in CUSTOM_LANGUAGES:
            return self.label_en
        return getattr(self, f"label_{language}") or self.label_en

    def choice_values(self) -> list[str]:
        return [c["value"] for c in self.choices or []]

    def choice_label(self, value: str, language: str | None = None) -> str:
        """A choice's label in ``language``, else in English, else its value."""
        language = (language or get_language() or "en")[:2]
        for choice in self.choices or []:
            if choice.get("value") == value:
                labels = choice.get("labels") or {}
                return labels.get(language) or labels.get("en") or value
        return str(value)

    def value_text(self, value, language: str | None = None) -> str:
        """A stored value as people read it (choice labels, Yes/No, the ISO date)."""
        if value is None or value == "" or value == []:
            return ""
        if self.kind == self.Kind.YES_NO:
            return str(_("Yes") if value else _("No"))
        if self.kind == self.Kind.ONE_OF:
            return self.choice_label(value, language)
        if self.kind == self.Kind.SEVERAL_OF:
            return ", ".join(self.choice_label(v, language) for v in value)
        return str(value)


# --- Staleness ----------------------------------------------------------------------------


class Staleness(models.Model):
    """How long a reference's yes holds: a profile whose last validation or whose customer's health
    check is older than ``stale_after_days`` (or was never recorded) is stale, and nobody asks it
    before its account owner re-confirms it. Default 180 days: love does not last forever.

    The inventory's rule (stale lists, re-confirmation, the owner's tasks), so it is defined here.
    The setting is kept on the program's one policy row, ``ledger.models.OverusePolicy``, which
    extends this and adds the caps, the window and the rest period; read it with
    :func:`program_policy`.
    """

    stale_after_days = models.PositiveSmallIntegerField(default=180, validators=[MinValueValidator(1)])

    class Meta:
        abstract = True

    def stale_cutoff(self, today: date) -> date:
        """Validations and health checks older than this day are stale."""
        return today - timedelta(days=self.stale_after_days)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


class Retention(models.Model):
    """How long the program keeps a person it no longer works with (GDPR Art. 5(1)(e)), and whether
    the Art. 14 notice goes out by itself.

    A contact with no activity (no usage-ledger entry, no ask, no consent given or renewed, no
    "keep" by a manager) and no valid consent for ``retention_months`` (default 24) is *due for
    review*; ``retention_grace_days`` (default 30) later the nightly check erases them, unless a
    manager kept them (with a reason, which restarts the clock) or they became active again. Kept
    on the program's one policy row (``ledger.models.OverusePolicy`` extends this); the rule is
    ``references.services.retention``.
    """

    retention_months = models.PositiveSmallIntegerField(default=24, validators=[MinValueValidator(1)])
    retention_grace_days = models.PositiveSmallIntegerField(default=30)
    # Send the Art. 14 notice to contacts who arrived from an import or the CRM in the nightly run
    # (off: a manager sends them from the notices page).
    notice_auto_send = models.BooleanField(default=False)

    class Meta:
        abstract = True

    def retention_cutoff(self, today: date) -> date:
        """Activity before this day no longer keeps a person in the program."""
        return months_before(today, self.retention_months)


_policy_model: type[Staleness] | None = None


def policy_model_register(model: type[Staleness]) -> None:
    """The ledger app hands in the model of the program's policy row (``ledger.models.OverusePolicy``)
    when Django starts (``LedgerConfig.ready``): this app reads its staleness without importing the
    app above it."""
    global _policy_model
    _policy_model = model


def policy_model() -> type[Staleness]:
    if _policy_model is None:
        raise RuntimeError("The ledger app (ledger.models.OverusePolicy) is not installed.")
    return _policy_model


def program_policy() -> Staleness:
    """The program's policy row (one query): its ``stale_cutoff`` for this app's stale filters, and
    the whole of it to hand on to capacity (``with_capacity``, ``available``, ``capacity``)."""
    return policy_model().current()


# --- Customers and contacts ----------------------------------------------------------------


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, user) -> CustomerQuerySet:
        """Inventory roles see every customer; a sales rep sees the customers in the catalog
        and the accounts they own."""
        if perms.has_capability(user, perms.VIEW_INVENTORY):
            return self
        if perms.has_capability(user, perms.VIEW_CATALOG):
            in_catalog = ReferenceProfile.objects.filter(customer=OuterRef("pk")).in_catalog()
            return self.filter(Q(account_owner=user) | Exists(in_catalog))
        return self.none()


class Customer(models.Model):
    """A company that bought from us (an account), whose people may speak for us."""

    name = models.CharField(max_length=200)
    crm_id = models.CharField("CRM id", max_length=64, unique=True, null=True, blank=True)
    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, related_name="customers")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="customers")
    country = models.CharField(max_length=2, validators=[country_code])
    size_band = models.CharField(max_length=16, choices=SizeBand.choices)
    employees = models.PositiveIntegerField(null=True, blank=True)
    revenue_band = models.CharField(max_length=40, blank=True)
    products = models.ManyToManyField(Product, blank=True, related_name="customers")
    account_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    strategic_segment = models.CharField(max_length=100, blank=True)
    is_marquee = models.BooleanField("marquee", default=False)
    programs = models.ManyToManyField(Program, blank=True, related_name="customers")
    health_score = models.SmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text="Satisfaction or NPS score, -100 to 100.",
    )
    health_updated = models.DateField(null=True, blank=True)
    # The next contract renewal: the customer is on hold in the weeks before it (the policy's
    # ``renewal_hold_days``) until the renewal is marked done (which clears or moves this date).
    renewal_date = models.DateField(null=True, blank=True)
    # The CRM sync (integrations) marks an account deleted in the CRM instead of deleting it here.
    crm_deleted_at = models.DateTimeField("deleted in CRM", null=True, blank=True, editable=False)
    # The program's own fields (``CustomField``): {"<slug>": value}, checked by
    # ``services.custom_fields.custom_values_clean``.
    custom = models.JSONField(_("own fields"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["industry", "region", "size_band"]),
            GinIndex(fields=["custom"], opclasses=["jsonb_path_ops"], name="customer_custom"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(health_score__gte=-100, health_score__lte=100) | Q(health_score__isnull=True),
                name="customer_health_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContactQuerySet:
        """Contacts are for the roles that look after the inventory."""
        if perms.has_capability(user, perms.VIEW_INVENTORY):
            return self
        return self.none()


# A contact's personal data: shown only to roles with ``view_contact_pii`` (pages, API, change
# history and exports all read this one list).
CONTACT_PII_FIELDS = ("email", "phone")


class Contact(models.Model):
    """A person at a customer. Email and phone are personal data, shown only to the roles that
    need them (``view_contact_pii``)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    crm_id = models.CharField("CRM id", max_length=64, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    seniority = models.CharField(max_length=16, choices=Seniority.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    languages = models.ManyToManyField(Language, blank=True, related_name="contacts")
    # The language RefProgram writes to them in (consent, ask and withdrawal pages, e-mails); blank:
    # their customer's country's (``refprogram.i18n.contact_language``).
    preferred_language = models.CharField(
        "language for e-mails and pages", max_length=8, choices=settings.LANGUAGES, blank=True
    )
    time_zone = models.CharField(max_length=64, blank=True)
    # The person left the reference program (their own "withdraw or leave" link, or a manager on
    # their word): never proposed again (``consent_withdrawn``). See ContactConsent.
    left_program_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Erased on the person's request (GDPR Art. 17): their personal fields read "Erased contact #id"
    # everywhere; the row stays so the usage ledger keeps its counts. Irreversible.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The CRM sync (integrations) marks a contact deleted in the CRM instead of deleting it here.
    crm_deleted_at = models.DateTimeField("deleted in CRM", null=True, blank=True, editable=False)
    # Retention (``references.services.retention``): the day the nightly check found the person
    # inactive, without a valid consent, for the policy's months ("due for review"; erased after the
    # grace period), and a manager's "keep" (the day, which restarts the clock, and why).
    retention_review_since = models.DateField(null=True, blank=True, editable=False, db_index=True)
    retention_kept_on = models.DateField(null=True, blank=True, editable=False)
    retention_kept_reason = models.CharField(max_length=500, blank=True, editable=False)
    custom = models.JSONField(
        _("own fields"), default=dict, blank=True, editable=False
    )  # see Customer.custom
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=[])
    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [GinIndex(fields=["custom"], opclasses=["jsonb_path_ops"], name="contact_custom")]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer})"


# --- Reference profiles --------------------------------------------------------------------


def stale_condition(cutoff: date, prefix: str = "") -> Q:
    """A profile is stale when its last validation or its customer's health is older than the
    cutoff (or was never recorded): love does not last forever."""
    return (
        Q(**{f"{prefix}last_validated__isnull": True})
        | Q(**{f"{prefix}last_validated__lt": cutoff})
        | Q(**{f"{prefix}customer__health_updated__isnull": True})
        | Q(**{f"{prefix}customer__health_updated__lt": cutoff})
    )


class ReferenceProfileQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReferenceProfileQuerySet:
        """Inventory roles see every profile; a sales rep sees the catalog (active and resting)."""
        if perms.has_capability(user, perms.VIEW_INVENTORY):
            return self
        if perms.has_capability(user, perms.VIEW_CATALOG):
            return self.in_catalog()
        return self.none()

    def in_catalog(self) -> ReferenceProfileQuerySet:
        return self.filter(status__in=(ProfileStatus.ACTIVE, ProfileStatus.RESTING))

    def in_scope_of(self, teams) -> ReferenceProfileQuerySet:
        """Profiles inside any of these teams' scope (``accounts.Team``): per team, every facet it
        names holds one of its keys (``facet_keys && ARRAY[...]`` on the GIN index). A team with
        no scope owns nothing."""
        from .facets import FacetKeys

        condition = Q(pk__in=[])
        for team in teams:
            by_facet = team.scope_by_facet()
            if not by_facet:
                continue
            team_condition = Q()
            for keys in by_facet.values():
                team_condition &= Q(FacetKeys(keys, how="any"))
            condition |= team_condition
        return self.filter(condition)

    def stale(self, today: date | None = None, policy: Staleness | None = None) -> ReferenceProfileQuerySet:
        today = today or timezone.localdate()
        policy = policy or program_policy()
        return self.filter(stale_condition(policy.stale_cutoff(today)))

    def fresh(self, today: date | None = None, policy: Staleness | None = None) -> ReferenceProfileQuerySet:
        today = today or timezone.localdate()
        policy = policy or program_policy()
        return self.exclude(stale_condition(policy.stale_cutoff(today)))

    # "Can this reference be asked now?" is the usage ledger's rule (``ledger.capacity``, the one
    # definition); these delegate to it so that the catalog's filter and capacity column use it
    # without this app importing the one above it.

    def available(
        self, today: date | None = None, policy: Staleness | None = None, activity_type=None
    ) -> ReferenceProfileQuerySet:
        """Can be asked today, for ``activity_type`` or for something it does: ``ledger.capacity``."""
        return _capacity().available(self, today=today, policy=policy, activity_type=activity_type)

    def unavailable(
        self, today: date | None = None, policy: Staleness | None = None, activity_type=None
    ) -> ReferenceProfileQuerySet:
        return _capacity().available(
            self, today=today, policy=policy, activity_type=activity_type, askable=False
        )

    def with_capacity(self, today: date | None = None, policy: Staleness | None = None):
        """Annotate what ``ReferenceProfile.capacity`` needs, in the same query as the list
        (``ledger.capacity.annotate``)."""
        return _capacity().annotate(self, today=today, policy=policy)

    def at_cap(self, today: date | None = None, policy: Staleness | None = None):
        """The reference's or its customer's cap is spent (``ledger.capacity.at_cap``)."""
        return _capacity().at_cap(self, today=today, policy=policy)


# Rules of the apps above that follow a customer's data (the ledger's automatic holds: a renewal
# date close, a health score low). ``customer_changed`` runs them after a customer is saved, by a
# form, the API or an import, so a hold starts or ends at once, not only at night.
_customer_changed_hooks: list = []


def customer_changed_register(hook) -> None:
    """``hook(customer_ids)``, run after customers' renewal date or health may have changed."""
    if hook not in _customer_changed_hooks:
        _customer_changed_hooks.append(hook)


def customer_changed(customer_ids) -> None:
    ids = [pk for pk in customer_ids if pk is not None]
    if ids:
        for hook in _customer_changed_hooks:
            hook(ids)


_capacity_provider = None


def capacity_provider_register(provider) -> None:
    """The ledger app hands in ``ledger.capacity`` when Django starts (``LedgerConfig.ready``)."""
    global _capacity_provider
    _capacity_provider = provider


def _capacity():
    if _capacity_provider is None:
        raise RuntimeError("The ledger app (ledger.capacity) is not installed.")
    return _capacity_provider


class ReferenceProfile(models.Model):
    """A contact at a customer who will act as a reference, with the story a prospect cares
    about. Lifecycle: nominated → vetting → active ⇄ resting → retired."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="profiles")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="profiles")
    status = models.CharField(max_length=16, choices=ProfileStatus.choices, default=ProfileStatus.NOMINATED)
    resting_reason = models.CharField(max_length=16, choices=RestingReason.choices, blank=True)
    headline = models.CharField(max_length=200, blank=True, help_text="The story in one line.")
    story = models.TextField(blank=True)
    activity_types = models.ManyToManyField(ActivityType, blank=True, related_name="profiles")
    products = models.ManyToManyField(Product, blank=True, related_name="profiles")
    use_cases = models.ManyToManyField(UseCase, blank=True, related_name="profiles")
    deployment = models.CharField(max_length=16, choices=Deployment.choices, blank=True)
    competitor = models.CharField("competitor replaced", max_length=200, blank=True)
    outcomes = models.TextField("measurable outcomes", blank=True)
    private_only = models.BooleanField(default=False, help_text="Never offered for public (marketing) use.")
    last_validated = models.DateField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stale_notified_on = models.DateField(null=True, blank=True)
    search_document = models.TextField(blank=True, editable=False)
    search_facets = models.TextField(blank=True, editable=False)  # see references.facets
    custom = models.JSONField(
        _("own fields"), default=dict, blank=True, editable=False
    )  # see Customer.custom
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        m2m_fields=[activity_types, products, use_cases], excluded_fields=["search_document", "search_facets"]
    )
    objects = ReferenceProfileQuerySet.as_manager()

    class Meta:
        ordering = ["customer__name", "id"]
        indexes = [
            models.Index(fields=["status", "customer"]),
            models.Index(fields=["last_validated"]),
            GinIndex(fields=["custom"], opclasses=["jsonb_path_ops"], name="profile_custom"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["contact"], name="one_profile_per_contact"),
            models.CheckConstraint(
                condition=Q(status=ProfileStatus.RESTING) | Q(resting_reason=""),
                name="resting_reason_only_when_resting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact.name} — {self.customer.name}"

    def can_transition_to(self, status: str) -> bool:
        return status in PROFILE_TRANSITIONS.get(self.status, set())

    def capacity(self, today: date | None = None, policy: Staleness | None = None) -> dict:
        """``{"used", "cap", "customer_used", "customer_cap", "available", "available_from"}``:
        can it be asked now for something it does (``ledger.capacity.capacity_of``)."""
        return _capacity().capacity_of(self, today=today, policy=policy)


class ProfileEvent(models.Model):
    """One step in a reference profile's life: a lifecycle transition or a re-confirmation."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", "Status change"
        REVALIDATED = "revalidated", "Re-confirmed"

    profile = models.ForeignKey(ReferenceProfile, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TRANSITION)
    from_status = models.CharField(max_length=16, choices=ProfileStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ProfileStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.profile_id}: {self.from_status} → {self.to_status}"


# --- Nominations ---------------------------------------------------------------------------


class NominationQuerySet(models.QuerySet):
    def visible_to(self, user) -> NominationQuerySet:
        """Vetting roles see every nomination; everyone else sees the ones they made."""
        if perms.has_capability(user, perms.VET_NOMINATIONS):
            return self
        if perms.has_capability(user, perms.NOMINATE):
            return self.filter(nominated_by=user)
        return self.none()

    def open(self) -> NominationQuerySet:
        return self.filter(status__in=(NominationStatus.SUBMITTED, NominationStatus.VETTING))

    def aging(self, now=None) -> NominationQuerySet:
        now = now or timezone.now()
        return self.open().filter(created_at__lt=now - timedelta(days=NOMINATION_AGING_DAYS))


class Nomination(models.Model):
    """A proposed new reference and where the idea came from, waiting to be vetted
    (strategic fit, customer health, account owner consent) and accepted or rejected."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="nominations")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="nominations"
    )
    contact_name = models.CharField(max_length=200, blank=True)
    contact_title = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_seniority = models.CharField(max_length=16, choices=Seniority.choices, blank=True)
    source = models.CharField(max_length=24, choices=NominationSource.choices)
    reason = models.TextField(help_text="Why this customer would be a good reference.")
    products = models.ManyToManyField(Product, blank=True, related_name="nominations")
    account_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_nominations",
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="nominations"
    )
    status = models.CharField(
        max_length=16, choices=NominationStatus.choices, default=NominationStatus.SUBMITTED
    )
    strategic_fit = models.BooleanField(null=True, blank=True)
    health_ok = models.BooleanField("customer health checked", null=True, blank=True)
    owner_consent = models.BooleanField("account owner consents", null=True, blank=True)
    vetting_notes = models.TextField(blank=True)
    rejection_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    profile = models.OneToOneField(
        ReferenceProfile, null=True, blank=True, on_delete=models.SET_NULL, related_name="nomination"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=NominationStatus.REJECTED) | ~Q(rejection_reason=""),
                name="nomination_rejection_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Nomination of {self.customer}"

    def can_transition_to(self, status: str) -> bool:
        return status in NOMINATION_TRANSITIONS.get(self.status, set())

    @property
    def is_open(self) -> bool:
        return self.status in (NominationStatus.SUBMITTED, NominationStatus.VETTING)

    @property
    def age_days(self) -> int:
        return (timezone.now() - self.created_at).days

    @property
    def is_aging(self) -> bool:
        return self.is_open and self.age_days > NOMINATION_AGING_DAYS


# --- A person's consent to public use of them ------------------------------------------------


class ContactConsentQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContactConsentQuerySet:
        """Consent records are for the roles that look after the inventory (as contacts are)."""
        if perms.has_capability(user, perms.VIEW_INVENTORY):
            return self
        return self.none()

    def valid(self, on: date | None = None) -> ContactConsentQuerySet:
        """Given on or before ``on``, not withdrawn, not past its expiry (the expiry day counts)."""
        on = on or timezone.localdate()
        return self.filter(withdrawn_at__isnull=True, given_on__lte=on).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=on)
        )


class ContactConsent(models.Model):
    """A person's consent to one public use of them (named with title, a quote, photo or video,
    speaking at events, a case study): when and how it was given (a consent link, a signed
    document, a contract clause and its reference), the exact text version they were shown, who
    recorded it and until when it holds. Withdrawn by the person at any time (``withdrawn_at``):
    a withdrawn record is kept as the proof of what was consented to, and when it ended."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(max_length=16, choices=ConsentScope.choices)
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    method_reference = models.CharField(
        "document or clause reference",
        max_length=200,
        blank=True,
        help_text="The signed document's name or the contract clause (e.g. 'MSA 2025 §12.3').",
    )
    text_version = models.CharField(
        "text version shown", max_length=100, help_text="The exact version of the consent text shown."
    )
    given_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_via = models.CharField(max_length=100, blank=True, help_text="Their link, or who recorded it.")

    objects = ContactConsentQuerySet.as_manager()

    class Meta:
        ordering = ["contact", "scope", "-given_on", "-id"]
        indexes = [models.Index(fields=["contact", "scope"], name="consent_contact_scope")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(method=ConsentMethod.CONTRACT_CLAUSE) | ~Q(method_reference=""),
                name="consent_clause_needs_reference",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("given_on")),
                name="consent_expires_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} consent of {self.contact.name}"

    def state(self, on: date | None = None) -> str:
        """``valid``, ``withdrawn``, ``expired`` or ``future``, in the words of the consent box."""
        on = on or timezone.localdate()
        if self.withdrawn_at:
            return "withdrawn"
        if self.expires_on and self.expires_on < on:
            return "expired"
        if self.given_on > on:
            return "future"
        return "valid"


class WithdrawalLink(models.Model):
    """The private link at the foot of every e-mail to a reference contact: a small page, without
    logging in, where they withdraw any consent or leave the program (``refprogram.links`` rules)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="withdrawal_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Withdrawal link for {self.contact.name}"


# --- The Art. 14 notice to people whose data came from an import or the CRM -------------------


class NoticeTemplate(models.Model):
    """One version of the Art. 14 notice e-mail (information to people whose data we did not get
    from them): its subject and body with placeholders, and the texts for the purpose, the legal
    basis and the person's rights. Never edited in place: saving a change adds the next version
    (``references.services.notices``), so the record of each notice names the exact text sent."""

    version = models.PositiveIntegerField(unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    purpose = models.TextField()
    legal_basis = models.TextField()
    rights = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Art. 14 notice, version {self.version}"


class ContactNotice(models.Model):
    """The Art. 14 notice sent to one person: when, which template version, and by whom (a manager)
    or what (the nightly check). Once per person (unique), never re-sent."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="notice")
    template = models.ForeignKey(NoticeTemplate, on_delete=models.PROTECT, related_name="sent")
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_via = models.CharField(max_length=100, help_text="A manager's button, the API or the nightly check.")

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"Art. 14 notice to contact #{self.contact_id}"


class NightlyResult(models.Model):
    """What one nightly check changed on one day (``refprogram.nightly``), written in the check's
    own transaction: a run killed halfway keeps the results of the checks that finished, and the
    rerun adds its own, so the morning digest (``refprogram.digest``) reports the whole night."""

    day = models.DateField()
    check_name = models.CharField(max_length=100)
    changes = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "check_name"], name="nightly_result_once")]
        ordering = ["day", "id"]

    def __str__(self) -> str:
        return f"{self.check_name} on {self.day}"


# --- The matching row (requests_app.matching reads it; a trigger writes it) -----------------


class FacetCode(models.Model):
    """A facet key (``references.facets``) and the whole number that stands for it in
    :class:`MatchingRow`. Keys are coded by the database the first time a profile holds them and
    never renumbered (migration 0014)."""

    code = models.AutoField(primary_key=True)
    key = models.TextField(unique=True)

    def __str__(self) -> str:
        return f"{self.key} = {self.code}"


class MatchingRow(models.Model):
    """The narrow copy of a reference profile that the match list reads its candidates from: the
    profile's customer, status, private-only flag, last validation, its customer's health and its
    facet keys as integer codes (:class:`FacetCode`) with a GIN index: a tenth of the profile's row,
    and whole numbers compared instead of text.

    Never written by the application: a trigger on the profile table keeps it in step on every
    insert and every change of the facet keys, status, private-only flag, validation date or
    customer (bulk updates and ``COPY`` included), and the row goes with its profile (``ON DELETE
    CASCADE``). See migration 0014 and docs/matching.md."""

    profile = models.OneToOneField(
        ReferenceProfile,
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the database cascades (migration 0014)
        db_constraint=False,
        related_name="matching_row",
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    status = models.CharField(max_length=16, choices=ProfileStatus.choices)
    private_only = models.BooleanField()
    last_validated = models.DateField(null=True)
    customer_health = models.SmallIntegerField(null=True)
    codes = ArrayField(models.IntegerField())

    class Meta:
        indexes = [GinIndex(fields=["codes"], name="matching_row_codes")]

    def __str__(self) -> str:
        return f"Matching row of profile {self.profile_id}"
