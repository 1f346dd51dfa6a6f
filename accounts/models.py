from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from simple_history.models import HistoricalRecords

from refprogram.i18n import validate_time_zone

from .choices import Role


class User(AbstractUser):
    """A person at the company who uses RefProgram, with exactly one role.

    Customer contacts are not users: they approve public use through private links.
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.SALES)
    # The interface's language and the time zone dates are shown in (refprogram.i18n); blank: the
    # browser's language, the company's time zone.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])

    # Who changed a person's role, name or access, and when (the audit log); never the password.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def can(self, capability: str) -> bool:
        from .permissions import has_capability

        return has_capability(self, capability)


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NotificationQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one user: shown in their in-app list and sent by email.

    ``key`` makes a notification idempotent: the same key for the same user is sent once,
    so a nightly check that runs twice does not notify twice.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key")]

    def __str__(self) -> str:
        return self.subject


class ScimToken(models.Model):
    """A bearer token the company's identity provider uses to provision people over SCIM 2.0.

    ``manage.py scim_token`` prints the token once; only its sha256 hash is stored, so a leaked
    table opens nothing. A revoked token is refused at once.
    """

    label = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label or f"SCIM token {self.pk}"


# The facets a team's scope may name, as the catalog's facet keys spell them
# (``references/facets.py``): ``region=emea``, ``industry=finance``, ``product=12``.
TEAM_SCOPE_FACETS = ("region", "industry", "product")


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TeamQuerySet":
        """Managers, admins and executives see every team; anyone else the teams they belong to."""
        from .permissions import VIEW_TEAMS, has_capability

        if has_capability(user, VIEW_TEAMS):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(members=user)


class Team(models.Model):
    """Managers who own a scope of the program: regions, industries and products (e.g. EMEA, or
    Americas finance). Requests route to the team owning the prospect's region; a manager's queue,
    request list and inventory open on their teams' scope, with everything one click away.

    ``scope`` holds facet keys, exactly as the catalog spells them (``region=emea``,
    ``industry=finance``, ``product=12``), so "is this profile in the team's scope" is a lookup on
    the profile's indexed ``facet_keys``. Within one facet any key matches; across facets all must:
    ``region=emea industry=finance`` is EMEA's finance customers, not all of EMEA plus all finance.

    ``edit_only_in_scope`` is the team's policy: its members may change requests and profiles
    only inside the scope of their teams (they still see everything through "All"). It lives on
    the team, not in the deployment's settings, so an administrator can turn it on for one region
    without a deploy, and its history shows who turned it on and when.
    """

    name = models.CharField(max_length=100, unique=True)
    scope = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams")
    edit_only_in_scope = models.BooleanField(
        "members edit only inside the team's scope",
        default=False,
        help_text="Members may change requests and profiles only inside their teams' scope.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[members])
    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def scope_by_facet(self) -> dict[str, list[str]]:
        """The scope's keys grouped by facet, e.g. ``{"region": ["region=emea"]}``."""
        grouped: dict[str, list[str]] = {}
        for key in self.scope:
            grouped.setdefault(key.split("=", 1)[0], []).append(key)
        return grouped

    def scope_values(self, facet: str) -> list[str]:
        """The values of one facet, e.g. ``["emea"]`` for ``region``."""
        return [key.split("=", 1)[1] for key in self.scope_by_facet().get(facet, [])]


class Term(models.Model):
    """The program's own word for one of its main nouns in one language, e.g. "Advocate" and
    "Advocates" for *reference* in English (``accounts.terms``). No row: the interface's usual
    word in that language. Labels, headings, the navigation and table headers use it; sentences
    keep their translated wording (articles and genders differ between languages)."""

    noun = models.CharField(max_length=16)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    singular = models.CharField(max_length=40)
    plural = models.CharField(max_length=40)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who renamed which noun in which language, and who put the usual word back (the audit log).
    history = HistoricalRecords(
        get_user=lambda instance, **kwargs: getattr(instance, "_history_user", None) or instance.updated_by
    )

    class Meta:
        ordering = ["language", "noun"]
        constraints = [models.UniqueConstraint(fields=["noun", "language"], name="term_once_per_language")]

    def __str__(self) -> str:
        return f"{self.noun} ({self.language}): {self.singular} / {self.plural}"
