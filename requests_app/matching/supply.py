"""Is supply short for a request, and what else could help (nearest misses, alternatives)."""

from __future__ import annotations

import json
from datetime import date

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from approvals.choices import ApprovalUse, Channel
from approvals.models import Approval
from approvals.selectors import library_assets
from ledger import capacity
from ledger.models import OverusePolicy
from references.choices import ProfileStatus
from references.facets import KEY_CODE_SQL, FacetCodes, facet_key
from references.models import (
    ActivityType,
    MatchingRow,
    ReferenceProfile,
)

from ..choices import CriterionField, UnmetReason
from ..criteria import read_value_labels
from .ranking import any_can_be_proposed, matches_for_request, nearest_misses
from .scoring import (
    _NAMED,
    CRITERION_FACETS,
    MatchSpec,
    criterion_fields,
    criterion_label,
    criterion_q,
    keyed_field,
)

# Alternatives to a one-to-one activity when supply is short.
ALTERNATIVE_TYPES = ("event_meeting", "case_study", "video", "quote")
# Approved content of the content library offered as alternatives (a logo is no customer voice).
CONTENT_KINDS = (ApprovalUse.QUOTE, ApprovalUse.CASE_STUDY, ApprovalUse.VIDEO)
CONTENT_PER_KIND = 5
CONTENT_TOTAL = 10
EVENT_MEETINGS = 5
EVENT_MEETING = "event_meeting"
# The event-meeting references weighed against the ledger at first: the nearest this many willing
# ones (each further page four times as large, until five customers' references can be proposed or
# every willing reference was weighed).
EVENT_MEETING_PAGE = 100


class _NamedCode(Expression):
    """A matching row holds the facet key of the product or use case of this name (its id looked up
    by name in the statement, as :func:`scoring.criterion_q` does on the profile's own keys; no
    such name: no row holds it)."""

    conditional = True

    def __init__(self, facet: str, lookup: Subquery):
        super().__init__(output_field=BooleanField())
        self.facet, self.lookup = facet, lookup

    def get_source_expressions(self):
        return [self.lookup]

    def set_source_expressions(self, exprs):
        (self.lookup,) = exprs

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        sql, params = compiler.compile(self.lookup)
        code = KEY_CODE_SQL.replace("%s", f"(%s || ({sql})::text)")
        return f"({table}.codes @> ARRAY[{code}]::integer[])", [f"{self.facet}=", *params]


def _row_meets(criterion: dict) -> Q:
    """One must-have as a condition on a reference's matching row (``references.MatchingRow``):
    the twin of :func:`scoring.criterion_q` on the profile's own row (the same keys, as codes)."""
    f, value = criterion["field"], criterion["value"]
    if f == CriterionField.COMPETITOR:
        return Q(profile__competitor__icontains=value)
    if not keyed_field(f):
        return criterion_q(criterion)  # an unknown field: the same error
    if f in _NAMED:
        lookup = Subquery(_NAMED[f].objects.filter(name=value).values("pk")[:1])
        return Q(_NamedCode(CRITERION_FACETS[f], lookup))
    return Q(FacetCodes([MatchSpec().key(criterion)]))


def _nearest_first(qs, flags: dict):
    """``qs`` with the must-have flags (boolean annotations) and ``missed``, how many of them are
    false; and the ordering that puts fewest missed first (none without must-haves)."""
    if not flags:
        return qs, []
    missed = Value(0, output_field=IntegerField())
    for flag in flags:
        missed = missed + Case(
            When(**{flag: True}, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    return qs.annotate(**flags).annotate(missed=missed), [F("missed").asc()]


def _must_missed(row: dict, must: list[dict]) -> list[dict]:
    return [c for i, c in enumerate(must) if not row[f"must_{i}"]]


def _labels_read(must: list[dict], labels: dict | None) -> dict:
    """The labels of the must-haves' values, read before the rows (one read per listed field,
    whichever rows miss what), into the caller's cache."""
    labels = {} if labels is None else labels
    if not labels:
        labels.update(read_value_labels(must))
    return labels


def _misses_note(missed: list[dict], labels: dict) -> str:
    """The must-haves missed, said by their labels (``labels``: the caller's cache, one read per
    listed field such as industry or region)."""
    if not missed:
        return _("Meets every must-have.")
    return _("Misses the must-have %(criteria)s.") % {
        "criteria": ", ".join(criterion_label(c, labels) for c in missed)
    }


def _item(
    kind: str, name: str, *, customer: tuple[int, str], missed: list[dict], labels: dict, **extra
) -> dict:
    item = {
        "kind": kind,
        "activity_type": kind,  # the field's name before content items (compatible)
        "name": name,
        "customer": {"id": customer[0], "name": customer[1]},
        "title": "",
        "quote_text": "",
        "asset_url": "",
        "asset_file_url": "",
        "scope": [],
        "scope_labels": [],
        "expires_on": None,
        "must_missed": criterion_fields(missed),
        "must_missed_criteria": missed,
        "must_missed_labels": [criterion_label(c, labels) for c in missed],
        "approval": None,
        "reference": None,
        "contact_title": "",
        "url": "",
        "note": "",
    }
    item.update(extra)
    return item


def _content_missed(must: list[dict]):
    """How many of the must-haves an approval's customer misses (it meets one when any of its
    catalog references does). One must-have: the customers meeting it are read once, from one GIN
    lookup of the matching rows (hashed), whatever the number of approvals. Several: one lookup of
    the customer's own profiles per approval answers them all at once (a lookup per must-have of
    the matching rows would read every row holding any of the keys, tens of thousands at 100,000
    profiles for a region). Measured at 100,000 profiles and 5,000 approvals (benchmarks/README.md)."""
    if len(must) == 1:
        catalog = MatchingRow.objects.filter(status__in=(ProfileStatus.ACTIVE, ProfileStatus.RESTING))
        missed = Value(0, output_field=IntegerField())
        for c in must:
            meets = Q(customer_id__in=catalog.filter(_row_meets(c)).values("customer_id"))
            missed = missed + Case(When(meets, then=Value(0)), default=Value(1), output_field=IntegerField())
        return missed
    catalog = ReferenceProfile.objects.in_catalog().filter(customer_id=OuterRef("customer_id"))
    meets = [Max(Case(When(criterion_q(c), then=Value(1)), default=Value(0))) for c in must]
    missed = (
        catalog.order_by().values("customer_id").annotate(missed=Value(len(must)) - sum(meets[1:], meets[0]))
    )
    return Coalesce(Subquery(missed.values("missed")[:1]), Value(len(must)))


def approved_content(
    request, *, user=None, today: date | None = None, labels: dict | None = None
) -> list[dict]:
    """Approved quotes, case studies and videos of the content library (valid today, as the
    library shows them to ``user``) from the customers nearest to the request's must-haves:
    fewest must-haves missed first (a customer meets one when any of its active or resting
    references does), then expiring latest, then newest; at most ``CONTENT_PER_KIND`` of a kind
    and ``CONTENT_TOTAL`` in all. One query (and one per listed field naming a missed must-have).

    The statement first picks the page (the ids of at most ``CONTENT_TOTAL`` approvals, counting
    only how many must-haves each customer misses, :func:`_content_missed`), then reads those few
    with the must-haves each misses: the per-must-have checks run for the page, not for the whole
    library."""
    today = today or timezone.localdate()
    must = list(request.must or [])
    labels = _labels_read(must, labels)
    base = Approval.objects.visible_to(user) if user is not None else Approval.objects.all()
    if base.query.is_empty():
        return []

    def build():
        assets = library_assets(base, status_given=False, on=today).filter(use__in=CONTENT_KINDS)
        order = [F("expires_on").desc(nulls_last=True), F("created_at").desc(), F("id").desc()]
        if must:
            assets = assets.annotate(missed=_content_missed(must))
            order = [F("missed").asc(), *order]
        page = (
            assets.annotate(kind_rank=Window(RowNumber(), partition_by=[F("use")], order_by=order))
            .filter(kind_rank__lte=CONTENT_PER_KIND)
            .order_by(*order)
            .values("pk")[:CONTENT_TOTAL]
        )
        # The page's approvals, with the must-haves each misses (its customer's catalog profiles).
        catalog = ReferenceProfile.objects.in_catalog().filter(customer_id=OuterRef("customer_id"))
        flags = {f"must_{i}": Exists(catalog.filter(criterion_q(c))) for i, c in enumerate(must)}
        chosen, first = _nearest_first(Approval.objects.filter(pk__in=page), flags)
        return chosen.order_by(*first, *order[1:] if must else order).values(
            "pk",
            "use",
            "customer_id",
            "customer__name",
            "title",
            "quote_text",
            "asset_url",
            "asset_file",
            "scope",
            "expires_on",
            *flags,
        )

    key = ("supply.approved_content", today, json.dumps(must, sort_keys=True, default=str), str(base.query))
    rows = _cached_rows(key, build)
    uses, channels = dict(ApprovalUse.choices), dict(Channel.choices)
    result = []
    for row in rows:
        missed = _must_missed(row, must)
        name = uses[row["use"]]
        file_url = reverse("approval-file", args=[row["pk"], "asset"]) if row["asset_file"] else ""
        until = date_format(row["expires_on"]) if row["expires_on"] else _("no expiry")
        scope = row["scope"]
        scope = list((json.loads(scope) if isinstance(scope, str) else scope) or [])
        result.append(
            _item(
                row["use"],
                name,
                customer=(row["customer_id"], row["customer__name"]),
                missed=missed,
                labels=labels,
                title=row["title"],
                quote_text=row["quote_text"],
                asset_url=row["asset_url"],
                asset_file_url=file_url,
                scope=scope,
                scope_labels=[channels.get(s, s) for s in scope],
                expires_on=row["expires_on"],
                approval=row["pk"],
                url=reverse("approval-detail", args=[row["pk"]]),
                note=_("Approved %(use)s of %(customer)s, valid until %(until)s.")
                % {"use": str(name).lower(), "customer": row["customer__name"], "until": until}
                + " "
                + _misses_note(missed, labels),
            )
        )
    return result


# Compiled statements of the alternatives, by what they depend on (see :func:`_cached_rows`).
_STATEMENTS: dict[tuple, tuple[str, tuple, tuple[str, ...]]] = {}
STATEMENTS_CACHED = 256


def _cached_rows(key: tuple, build) -> list[dict]:
    """The rows of the ``values()`` queryset ``build()`` returns (plain columns: numbers, text,
    booleans, dates), compiled once per ``key`` (everything the statement depends on: the day, the
    policy, the must-haves, whose view…): Django's compiling of the ledger's columns costs more
    than PostgreSQL's running the statement for a page, and a request's page is viewed again and
    again. One query, counted and logged as any other."""
    if key not in _STATEMENTS:
        qs = build()
        sql, params = qs.query.sql_with_params()
        if len(_STATEMENTS) >= STATEMENTS_CACHED:
            _STATEMENTS.clear()
        _STATEMENTS[key] = (sql, tuple(params), tuple(qs.query.selected))
    sql, params, names = _STATEMENTS[key]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _event_page(activity: ActivityType, must: list[dict], size: int):
    """The ids of the ``size`` willing references (in the catalog, offering the activity) nearest to
    the must-haves, in :func:`event_meetings`' order, read from their matching rows alone (GIN
    lookups of the narrow rows and a bounded sort, no ledger). Those meeting every must-have come
    first from one lookup of all their keys; the others (every willing row weighed) are read only
    when fewer than ``size`` meet them all."""
    willing = MatchingRow.objects.filter(
        FacetCodes([facet_key("activity", activity.pk)]),
        status__in=(ProfileStatus.ACTIVE, ProfileStatus.RESTING),
    )
    latest = [F("last_validated").desc(nulls_last=True), F("profile_id").asc()]
    if not must:
        return willing.order_by(*latest).values("profile_id")[:size]
    flags = {
        f"must_{i}": ExpressionWrapper(_row_meets(c), output_field=BooleanField()) for i, c in enumerate(must)
    }
    rows, first = _nearest_first(willing, flags)
    meeting_all = willing.filter(*(_row_meets(c) for c in must)).order_by(*latest).values("profile_id")[:size]
    missing_some = rows.filter(missed__gte=1).order_by(*first, *latest).values("profile_id")[:size]
    # In this order, and PostgreSQL stops reading at the bound: the second part only runs when the
    # first has fewer than ``size`` rows.
    return meeting_all.union(missing_some, all=True)[:size]


def event_meetings(
    request, *, user=None, today: date | None = None, policy=None, labels: dict | None = None
) -> list[dict]:
    """References who would meet the prospect at an event and can be proposed for it now, one per
    customer, nearest to the must-haves first (the reference's own profile against each must-have,
    as the nearest misses read it), then the most recently validated; at most ``EVENT_MEETINGS``.
    Two queries (the activity type, the references; and one per listed field naming a missed
    must-have); none when the request is for an event meeting (its matches and nearest misses
    already are).

    Only the nearest ``EVENT_MEETING_PAGE`` willing references (read from the matching rows) are
    weighed against the ledger; the picks among them are exactly the first picks among all (each
    customer's pick is its first reference that can be proposed, and the page is the start of the
    same order). When the page is full and fewer than ``EVENT_MEETINGS`` of its customers have a
    reference that can be proposed, a page four times as large is read (one more query each time):
    the result is the same as weighing every willing reference."""
    if request.activity_type_id == EVENT_MEETING:
        return []
    activity = ActivityType.objects.filter(pk=EVENT_MEETING).first()
    if activity is None:
        return []
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    must = list(request.must or [])
    labels = _labels_read(must, labels)
    base = ReferenceProfile.objects.visible_to(user) if user is not None else ReferenceProfile.objects.all()
    flags = {
        f"must_{i}": ExpressionWrapper(criterion_q(c), output_field=BooleanField())
        for i, c in enumerate(must)
    }
    if base.query.is_empty():
        return []
    size = EVENT_MEETING_PAGE
    while True:

        def build(size=size):
            qs = capacity.annotate(
                base.filter(pk__in=_event_page(activity, must, size)),
                today=today,
                policy=policy,
                activity_type=activity,
                select=False,
            ).annotate(
                can_propose=Case(
                    When(capacity.askable_q(policy), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
            qs, first = _nearest_first(qs, flags)
            order = [*first, F("last_validated").desc(nulls_last=True), F("id").asc()]
            # The page in order (a few hundred small rows); each customer's first reference that
            # can be proposed is its pick.
            return qs.order_by(*order).values(
                "pk", "customer_id", "customer__name", "contact__title", "can_propose", *flags
            )

        key = (
            "supply.event_meetings",
            today,
            tuple(getattr(policy, f.attname) for f in policy._meta.concrete_fields),
            (activity.pk, activity.weight, activity.kind),
            json.dumps(must, sort_keys=True, default=str),
            str(base.query),
            size,
        )
        rows = _cached_rows(key, build)
        picks, customers = [], set()
        for row in rows:
            if row["can_propose"] and row["customer_id"] not in customers:
                customers.add(row["customer_id"])
                picks.append(row)
        picks = picks[:EVENT_MEETINGS]
        # Fewer rows than the page: every willing reference was weighed (``visible_to`` hides none
        # of the page from those who see the catalog, which holds every willing reference).
        if len(picks) == EVENT_MEETINGS or len(rows) < size:
            break
        size *= 4
    result = []
    for row in picks:
        missed = _must_missed(row, must)
        who = row["contact__title"] or _("A reference")
        result.append(
            _item(
                EVENT_MEETING,
                activity.name,
                customer=(row["customer_id"], row["customer__name"]),
                missed=missed,
                labels=labels,
                title=row["contact__title"],
                contact_title=row["contact__title"],
                reference=row["pk"],
                url=reverse("profile-detail", args=[row["pk"]]),
                note=_("%(who)s at %(customer)s would meet the prospect at an event.")
                % {"who": who, "customer": row["customer__name"]}
                + " "
                + _misses_note(missed, labels),
            )
        )
    return result


def alternatives(request, *, user=None, today: date | None = None, policy=None) -> list[dict]:
    """Other ways to get the prospect a customer voice when supply is short, best first: approved
    content of the content library (quotes, case studies, videos, with their scope and expiry)
    from the customers nearest to the must-haves, then references who would meet the prospect at
    an event. Each item names the must-haves it misses (none: it meets them all) and links to
    the approval or the reference. ``user``: what the content library and the catalog let them
    see (``None``: everything). A fixed number of queries (three)."""
    today = today or timezone.localdate()
    labels: dict = {}  # value labels, read once per listed field for both kinds
    return [
        *approved_content(request, user=user, today=today, labels=labels),
        *event_meetings(request, user=user, today=today, policy=policy, labels=labels),
    ]


def _not_short() -> dict:
    return {"short": False, "reason": "", "message": "", "nearest_misses": [], "alternatives": []}


def supply_for_request(
    request, *, today: date | None = None, policy=None, matches: list[dict] | None = None, user=None
) -> dict:
    """Is supply short for this request? ``{"short", "reason", "message", "nearest_misses",
    "alternatives"}``. Short means no reference meets the must-haves, or none that does can be
    proposed now. ``user``: whose view of the content library and catalog the alternatives
    respect (``None``: everything)."""
    today = today or timezone.localdate()
    policy = policy or OverusePolicy.current()
    if matches is None:
        if any_can_be_proposed(request, policy=policy, today=today):
            return _not_short()
        matches = matches_for_request(request, today=today, policy=policy)
    if matches and any(m["available"] for m in matches):
        return _not_short()
    if not matches:
        reason = UnmetReason.NO_MATCH
        message = _("No reference meets every must-have for this request.")
    else:
        reason = UnmetReason.ALL_UNAVAILABLE
        message = ngettext(
            "%(n)d reference meets the must-haves, but it is resting, stale or at its cap and cannot be"
            " proposed now.",
            "%(n)d references meet the must-haves, but every one is resting, stale or at its cap and"
            " cannot be proposed now.",
            len(matches),
        ) % {"n": len(matches)}
    return {
        "short": True,
        "reason": str(reason),
        "message": message,
        "nearest_misses": nearest_misses(request, today=today, policy=policy),
        "alternatives": alternatives(request, user=user, today=today, policy=policy),
    }
