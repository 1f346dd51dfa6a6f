"""The score of a reference for a request: THE scale (published on the request page and in
docs/matching.md), the pure formula over one row per candidate (:func:`score_row`) and the same
formula in SQL over the profile's own row (:func:`base_sql`) and the usage ledger
(:func:`load_sql`).

Every factor is in points on one scale, where a weight-1 wish is worth less than one size band
or one seniority level of closeness, and a weight-5 wish more than two. All points are whole
numbers, so the database and Python add them up exactly alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.db.models import (
    Case,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

from ledger import capacity
from references.choices import SENIORITY_ORDER, SIZE_ORDER, Seniority
from references.facets import KEY_CODE_SQL, FacetKeys, facet_key
from references.models import MatchingRow, Product, UseCase

from ..choices import CriterionField
from ..criteria import CUSTOM_PREFIX, field_label, read_value_labels, value_label


def _interpolate(text, **values) -> str:
    return str(text) % values


# A lazy label with its numbers filled in when it is read, in the reader's language.
_f = lazy(_interpolate, str)

# --- The scale (docs/matching.md) ------------------------------------------------------------
NICE_POINTS = 7  # per unit of a met nice-to-have's weight (1–10)
# An implicit preference from the prospect: its industry as much as a weight-2 wish (what a
# prospect relates to first, more than one size band), its region and each product a weight-1 wish.
IMPLICIT_POINTS = {CriterionField.INDUSTRY: 14, CriterionField.REGION: 7, CriterionField.PRODUCT: 7}
SIZE_POINTS = 30  # the prospect's size band…
SIZE_STEP = 10  # …minus this per band apart
SENIORITY_POINTS = 40  # the prospect contact's seniority…
JUNIOR_STEP = 15  # …minus this per level the reference is more junior (fails the prospect)…
SENIOR_STEP = 10  # …or this per level more senior (spends a scarcer reference)
PROTECTION_POINTS = -50  # a C-level reference for an ask below the policy's level
HEALTH_DIVISOR = 5  # one point per 5 of customer health (rounded toward zero): −20…+20
FRESH_POINTS = 5  # validated within FRESH_DAYS
FRESH_DAYS = 90
RECENT_DAYS = 60  # ledger use this recent counts double…
RECENT_FACTOR = 2
LATEST_DAYS = 30  # …and this recent (a site visit last week) four times…
LATEST_FACTOR = 4
SAME_KIND_FACTOR = 2  # …and use of the request's activity type counts double again
REFERENCE_LOAD_POINTS = 1  # per effective point of the reference's own use in the window
CUSTOMER_LOAD_POINTS = 1  # per effective point of its customer's use (all its contacts)
DIVERSITY_MARGIN = 20  # a different customer's reference within this many points is "comparable"
NEAREST_MISSES = 5

WEIGHTS_DOC = [
    (
        gettext_lazy("Each met nice-to-have"),
        _f(gettext_lazy("%(points)s × its weight (1–10; the first listed weighs most)"), points=NICE_POINTS),
    ),
    (
        gettext_lazy("Implicit preference: same industry, same region, each of the prospect's products"),
        _f(
            gettext_lazy(
                "industry %(industry)s, region and each product %(region)s, unless a criterion names the"
                " same field or product"
            ),
            industry=IMPLICIT_POINTS[CriterionField.INDUSTRY],
            region=IMPLICIT_POINTS[CriterionField.REGION],
        ),
    ),
    (
        gettext_lazy("Size band"),
        _f(
            gettext_lazy("%(points)s for the prospect's band, −%(step)s per band apart"),
            points=SIZE_POINTS,
            step=SIZE_STEP,
        ),
    ),
    (
        gettext_lazy("Seniority of the contact"),
        _f(
            gettext_lazy(
                "%(points)s for the prospect contact's level, −%(junior)s per level more junior,"
                " −%(senior)s per level more senior"
            ),
            points=SENIORITY_POINTS,
            junior=JUNIOR_STEP,
            senior=SENIOR_STEP,
        ),
    ),
    (gettext_lazy("C-level reference for a junior ask (policy)"), f"{PROTECTION_POINTS}"),
    (
        gettext_lazy("Customer health"),
        _f(
            gettext_lazy("health score ÷ %(divisor)s, rounded toward zero (−20 to +20)"),
            divisor=HEALTH_DIVISOR,
        ),
    ),
    (_f(gettext_lazy("Validated within %(days)s days"), days=FRESH_DAYS), f"+{FRESH_POINTS}"),
    (
        gettext_lazy("Recent use of the reference (load spreading)"),
        _f(
            gettext_lazy(
                "−%(points)s per weighted point in the policy window; use in the last %(recent)s days counts"
                " ×%(recent_factor)s, in the last %(latest)s ×%(latest_factor)s, use for the same activity"
                " ×%(same)s again"
            ),
            points=REFERENCE_LOAD_POINTS,
            recent=RECENT_DAYS,
            recent_factor=RECENT_FACTOR,
            latest=LATEST_DAYS,
            latest_factor=LATEST_FACTOR,
            same=SAME_KIND_FACTOR,
        ),
    ),
    (
        gettext_lazy("Recent use of its customer (all contacts)"),
        _f(gettext_lazy("−%(points)s per weighted point, same weighting"), points=CUSTOMER_LOAD_POINTS),
    ),
    (
        gettext_lazy("Several references needed"),
        _f(
            gettext_lazy("the picks come from different customers when one is within %(margin)s points"),
            margin=DIVERSITY_MARGIN,
        ),
    ),
    (
        gettext_lazy("Available now"),
        gettext_lazy("always ranks above resting, stale, detractor or at-cap references"),
    ),
]

# Criterion field -> facet of ``references.facets`` (competitor is matched in its text instead).
CRITERION_FACETS = {
    CriterionField.INDUSTRY: "industry",
    CriterionField.REGION: "region",
    CriterionField.COUNTRY: "country",
    CriterionField.SIZE_BAND: "size",
    CriterionField.SENIORITY: "seniority",
    CriterionField.DEPLOYMENT: "deployment",
    CriterionField.PRODUCT: "product",
    CriterionField.USE_CASE: "usecase",
    CriterionField.LANGUAGE: "language",
}
# Criteria whose value is a name the facet keys hold as an id.
_NAMED = {CriterionField.PRODUCT: Product, CriterionField.USE_CASE: UseCase}


# --- What is asked ---------------------------------------------------------------------------


@dataclass
class MatchSpec:
    """What the formula needs to know about a request: its criteria, the prospect's facts (the
    implicit preferences), the activity asked for, how many references, and the policy's
    C-level protection. ``ids`` resolves product and use-case names to the ids in the keys."""

    must: list[dict] = field(default_factory=list)
    nice: list[dict] = field(default_factory=list)
    implicit: list[dict] = field(default_factory=list)
    size_band: str = ""
    seniority: str = ""
    activity: str = ""
    references_needed: int = 1
    protect_below: str = Seniority.DIRECTOR
    ids: dict[tuple[str, str], int] = field(default_factory=dict)
    product_names: dict[int, str] = field(default_factory=dict)
    labels: dict = field(default_factory=dict)  # value labels read for the explanation, by field

    @classmethod
    def for_request(cls, request, *, policy=None) -> MatchSpec:
        """The request's spec: one query for the product list (names and ids; the prospect's
        products are the request's, prefetched by the lists), one more only when its criteria name
        use cases."""
        must, nice = request.must, request.nice
        explicit = {c["field"] for c in must + nice}
        named = {c["value"] for c in must + nice if c["field"] == CriterionField.PRODUCT}
        implicit = []
        if request.prospect_industry_id and CriterionField.INDUSTRY not in explicit:
            implicit.append({"field": CriterionField.INDUSTRY.value, "value": request.prospect_industry_id})
        if request.prospect_region_id and CriterionField.REGION not in explicit:
            implicit.append({"field": CriterionField.REGION.value, "value": request.prospect_region_id})
        products = dict(Product.objects.values_list("pk", "name"))  # the product list is short
        ids = {(CriterionField.PRODUCT.value, name): pk for pk, name in products.items()}
        prospect = sorted(p.pk for p in request.products.all()) if request.pk else []
        implicit += [
            {"field": CriterionField.PRODUCT.value, "value": products[pk]}
            for pk in prospect
            if pk in products and products[pk] not in named
        ]
        ids.update(resolve_names(must + nice, known=ids))
        return cls(
            must=must,
            nice=nice,
            implicit=implicit,
            size_band=request.prospect_size_band,
            seniority=request.prospect_seniority,
            activity=request.activity_type_id,
            references_needed=request.references_needed or 1,
            protect_below=policy.c_level_protected_below if policy is not None else Seniority.DIRECTOR,
            ids=ids,
            product_names=products,
        )

    def label(self, criterion: dict) -> str:
        """``criterion`` in words (:func:`criterion_label`), said once per request: the
        twenty matches of a list name the same criteria over and over. The value labels of every
        criterion are read at the first call, in one query (``criteria.read_value_labels``)."""
        # A spec serves one call, read in one language (asking for the language per label costs more
        # than the label): the language is the one active at the first label.
        cache = self.__dict__.setdefault("_said", {})
        ident = (criterion["field"], str(criterion["value"]))
        if ident not in cache:
            if not self.labels:
                self.labels.update(read_value_labels(self.must + self.nice + self.implicit))
            cache[ident] = criterion_label(criterion, self.labels)
        return cache[ident]

    def gettext(self, message: str) -> str:
        """``message`` in the reader's language, looked up once per request: twenty matches say the
        same sentences, and each lookup of the active translation costs more than the sentence (a
        spec serves one call, in one language)."""
        return self._once(message, gettext, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """:meth:`gettext` for a sentence with a number."""
        return self._once((singular, n), ngettext, singular, plural, n)

    def _once(self, ident, say, *args) -> str:
        said = self.__dict__.setdefault("_said_once", {})
        text = said.get(ident)
        if text is None:
            text = said[ident] = say(*args)
        return text

    def key(self, criterion: dict) -> str | None:
        """The facet key a profile holds when it meets ``criterion`` (``None``: none can, e.g. an
        unknown product; competitor criteria are matched in the profile's text instead)."""
        cache = self.__dict__.setdefault("_keys", {})
        ident = (criterion["field"], criterion["value"])
        if ident not in cache:
            cache[ident] = self._key(criterion)
        return cache[ident]

    def _key(self, criterion: dict) -> str | None:
        f, value = criterion["field"], criterion["value"]
        if f in _NAMED:
            pk = self.ids.get((f, value))
            return facet_key(CRITERION_FACETS[f], pk) if pk is not None else None
        if f == CriterionField.COUNTRY:
            value = str(value).upper()
        if str(f).startswith(CUSTOM_PREFIX):  # the program's own field: its key is its name
            return facet_key(f, value)
        return facet_key(CRITERION_FACETS[f], value) if f in CRITERION_FACETS else None

    @cached_property
    def explicit_fields(self) -> set[str]:
        return {c["field"] for c in self.must + self.nice}

    @cached_property
    def protects(self) -> bool:
        """Is a C-level reference protected from this ask (the prospect's contact is junior)?"""
        return bool(
            self.protect_below
            and self.seniority in SENIORITY_ORDER
            and SENIORITY_ORDER[self.seniority] < SENIORITY_ORDER[self.protect_below]
        )


def resolve_names(criteria: list[dict], known: dict | None = None) -> dict[tuple[str, str], int]:
    """``{(field, name): id}`` for the product and use-case names of ``criteria`` (one query per
    kind that has names not yet ``known``)."""
    found: dict[tuple[str, str], int] = {}
    for f, model in _NAMED.items():
        names = {c["value"] for c in criteria if c["field"] == f and (f, c["value"]) not in (known or {})}
        if names:
            found.update(
                {(f.value, n): pk for n, pk in model.objects.filter(name__in=names).values_list("name", "pk")}
            )
    return found


# --- One row per candidate, and the pure formula --------------------------------------------


@dataclass
class Row:
    """What the formula reads of one candidate: the profile's facet keys (``references.facets``,
    with its customer's health), the competitor it replaced, its last validation, and the
    weighted use of it and of its customer in the policy window (``load_sql``)."""

    keys: frozenset[str] = frozenset()
    competitor: str = ""
    last_validated: date | None = None
    reference_load: int = 0
    customer_load: int = 0
    first: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.keys and not self.first:
            for key in sorted(self.keys):
                facet, _, value = key.partition("=")
                self.first.setdefault(facet, value)

    @classmethod
    def of(cls, search_facets: str, **kwargs) -> Row:
        return cls(keys=frozenset((search_facets or "").split()), **kwargs)

    def value(self, facet: str) -> str:
        """The profile's value of a single-valued facet (industry, size, seniority, health…)."""
        return self.first.get(facet, "")

    @property
    def health(self) -> int | None:
        value = self.value("health")
        return int(value) if value else None


def criterion_met(row: Row, criterion: dict, spec: MatchSpec) -> bool:
    """Does this candidate meet one criterion? (The Python twin of :func:`criterion_sql`.)"""
    if criterion["field"] == CriterionField.COMPETITOR:
        return str(criterion["value"]).lower() in (row.competitor or "").lower()
    key = spec.key(criterion)
    return key is not None and key in row.keys


def criterion_label(c: dict, labels: dict | None = None) -> str:
    """A criterion in words: "industry Financial services", "product Vault". ``labels`` is the
    request's cache of value labels (``MatchSpec.labels``: one read per listed field); without it
    the value is said as stored."""
    value = c["value"] if labels is None else value_label(c["field"], c["value"], labels)
    if str(c["field"]).startswith(CUSTOM_PREFIX):  # the program's own field, by its label as written
        return f"{field_label(c['field'])} {value}"
    try:
        name = str(CriterionField(c["field"]).label)
        # Inside a sentence the field is said in lower case, but German writes its nouns capitalised.
        return f"{name if get_language() == 'de' else name.lower()} {value}"
    except ValueError:
        return f"{c['field']} {value}"


def criterion_fields(criteria: list[dict]) -> list[str]:
    """The fields of these criteria, each once, in order (a match's ``met`` and ``missed``)."""
    return list(dict.fromkeys(c["field"] for c in criteria))


def size_points(profile_band: str, prospect_band: str) -> int:
    return SIZE_POINTS - SIZE_STEP * abs(SIZE_ORDER[profile_band] - SIZE_ORDER[prospect_band])


def seniority_points(profile_level: str, prospect_level: str) -> int:
    gap = SENIORITY_ORDER[profile_level] - SENIORITY_ORDER[prospect_level]
    return SENIORITY_POINTS - (JUNIOR_STEP * -gap if gap < 0 else SENIOR_STEP * gap)


def health_points(health: int) -> int:
    """Rounded toward zero, as the database divides whole numbers."""
    return int(health / HEALTH_DIVISOR)


def score_row(row: Row, spec: MatchSpec, today: date) -> dict:
    """Score one candidate for one request: ``{"score", "factors", "met", "missed",
    "must_missed", "implicit_met"}``. ``factors`` is ``[{"name", "points", "detail"}]`` and its
    points add up to ``score``. Must-haves filter, they do not score."""
    _, ngettext = spec.gettext, spec.ngettext  # each sentence translated once per request
    factors: list[dict] = []

    def add(name: str, points: int, detail: str) -> None:
        factors.append({"name": name, "points": points, "detail": detail})

    must_missed = [c for c in spec.must if not criterion_met(row, c, spec)]
    met = [c for c in spec.must if c not in must_missed]
    missed = list(must_missed)
    for c in spec.nice:
        if criterion_met(row, c, spec):
            met.append(c)
            add(
                "nice_to_have",
                NICE_POINTS * c["weight"],
                _("%(criterion)s (weight %(weight)s)") % {"criterion": spec.label(c), "weight": c["weight"]},
            )
        else:
            missed.append(c)
    implicit_met = [c for c in spec.implicit if criterion_met(row, c, spec)]
    for c in implicit_met:
        add(
            "implicit",
            IMPLICIT_POINTS[c["field"]],
            _("same %(criterion)s as the prospect (implicit)") % {"criterion": spec.label(c)},
        )
    explicit = spec.explicit_fields
    band = row.value("size")
    if spec.size_band and band in SIZE_ORDER and CriterionField.SIZE_BAND not in explicit:
        gap = abs(SIZE_ORDER[band] - SIZE_ORDER[spec.size_band])
        where = (
            _("same size band as the prospect")
            if not gap
            else ngettext("%(n)d size band from the prospect", "%(n)d size bands from the prospect", gap)
            % {"n": gap}
        )
        add("size", size_points(band, spec.size_band), where)
    level = row.value("seniority")
    if spec.seniority and level in SENIORITY_ORDER and CriterionField.SENIORITY not in explicit:
        gap = SENIORITY_ORDER[level] - SENIORITY_ORDER[spec.seniority]
        if not gap:
            where = _("same seniority as the prospect's contact")
        elif gap < 0:
            where = ngettext(
                "%(n)d level more junior than the prospect's contact",
                "%(n)d levels more junior than the prospect's contact",
                -gap,
            ) % {"n": -gap}
        else:
            where = ngettext(
                "%(n)d level more senior than the prospect's contact",
                "%(n)d levels more senior than the prospect's contact",
                gap,
            ) % {"n": gap}
        add("seniority", seniority_points(level, spec.seniority), where)
    if spec.protects and level == Seniority.C_LEVEL:
        add("c_level_protection", PROTECTION_POINTS, _("C-level reference kept for senior asks (policy)"))
    health = row.health
    if health is not None:
        add("health", health_points(health), _("customer health %(health)s") % {"health": health})
    if row.last_validated and row.last_validated >= today - timedelta(days=FRESH_DAYS):
        add("freshness", FRESH_POINTS, _("validated within %(days)s days") % {"days": FRESH_DAYS})
    if row.reference_load:
        add(
            "reference_load",
            -REFERENCE_LOAD_POINTS * row.reference_load,
            _("%(points)s weighted points of its own recent use") % {"points": row.reference_load},
        )
    if row.customer_load:
        add(
            "customer_load",
            -CUSTOMER_LOAD_POINTS * row.customer_load,
            _("%(points)s weighted points of recent use of its customer (all contacts)")
            % {"points": row.customer_load},
        )
    return {
        "score": sum(f["points"] for f in factors),
        "factors": factors,
        "met": met,
        "missed": missed,
        "must_missed": must_missed,
        "implicit_met": implicit_met,
    }


# --- The same formula in the database -------------------------------------------------------


def keyed_field(f) -> bool:
    """Is a criterion on ``f`` met through the profile's facet keys (a built-in field, or one of the
    program's own fields, ``custom.<slug>``)? (:meth:`MatchSpec.key` gives the key.)"""
    return f in CRITERION_FACETS or str(f).startswith(CUSTOM_PREFIX)


def criterion_sql(criterion: dict, spec: MatchSpec | None = None) -> Q:
    """One criterion as a condition on a reference profile's own row (its facet keys, or its
    competitor text). Without a spec, product and use-case names are looked up in the query."""
    f, value = criterion["field"], criterion["value"]
    if f == CriterionField.COMPETITOR:
        return Q(competitor__icontains=value)
    if not keyed_field(f):
        raise ValueError(f"unknown criterion field {f!r}")
    if spec is None and f in _NAMED:
        lookup = Subquery(_NAMED[f].objects.filter(name=value).values("pk")[:1])
        return Q(FacetKeys([(CRITERION_FACETS[f], lookup)]))
    key = (spec or MatchSpec()).key(criterion)
    return Q(FacetKeys([key])) if key is not None else Q(pk__in=[])


def criterion_q(criterion: dict) -> Q:
    """One criterion as a condition on ``ReferenceProfile`` (for the catalog, supply and
    alternatives): :func:`criterion_sql` with names looked up in the query."""
    return criterion_sql(criterion)


class BaseScore(Expression):
    """Every factor but the ledger's, over one row per candidate, as one SQL expression: what the
    reference *is* for this request (:func:`score_row` without the load factors; a test holds
    the two equal). Never above the score's reach: the load factors only subtract.

    It reads either the profile's own row (its text ``facet_keys``) or, in the match list, the
    narrow matching row (``references.models.MatchingRow``: the same keys as integer codes, each
    key coded once per statement, ``references.facets.KEY_CODE_SQL``); the competitor, which only the
    profile holds, is then read through the row's profile, and only when a wish names one.

    Written as SQL text rather than a tree of ``Case``/``When`` nodes: the ranking compiles it for
    every request, and a tree of a few dozen nodes costs Django milliseconds to resolve."""

    output_field = IntegerField()

    def __init__(self, spec: MatchSpec, today: date):
        super().__init__()
        self.spec, self.today = spec, today
        self.competitor = None  # the competitor column, resolved for the query when a wish names one

    @property
    def identity(self):  # the spec is not hashable; one expression per spec and day
        return (type(self), id(self.spec), self.today)

    def get_source_expressions(self):
        return [self.competitor] if self.competitor is not None else []

    def set_source_expressions(self, exprs):
        self.competitor = exprs[0] if exprs else None

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        c = self.copy()
        c.is_summary = summarize
        if any(x["field"] == CriterionField.COMPETITOR for x in self.spec.nice + self.spec.implicit):
            path = "profile__competitor" if query is not None and query.model is MatchingRow else "competitor"
            c.competitor = F(path).resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return c

    def as_sql(self, compiler, connection):
        spec = self.spec
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        if compiler.query.model is MatchingRow:
            has = f"{KEY_CODE_SQL} = ANY({table}.codes)"
        else:
            has = f"%s = ANY({table}.facet_keys)"
        terms: list[str] = []
        params: list = []

        def points_if(criterion: dict, points: int) -> None:
            if criterion["field"] == CriterionField.COMPETITOR:
                competitor, competitor_params = compiler.compile(self.competitor)
                terms.append(f"CASE WHEN strpos(lower({competitor}), lower(%s)) > 0 THEN {points} ELSE 0 END")
                params.extend([*competitor_params, str(criterion["value"])])
                return
            key = spec.key(criterion)
            if key is not None:
                terms.append(f"CASE WHEN {has} THEN {points} ELSE 0 END")
                params.append(key)

        def closeness(facet: str, points: dict[str, int]) -> None:
            whens = " ".join(f"WHEN {has} THEN {int(p)}" for p in points.values())
            terms.append(f"CASE {whens} ELSE 0 END")
            params.extend(facet_key(facet, code) for code in points)

        for c in spec.nice:
            points_if(c, NICE_POINTS * int(c["weight"]))
        for c in spec.implicit:
            points_if(c, IMPLICIT_POINTS[c["field"]])
        explicit = spec.explicit_fields
        if spec.size_band in SIZE_ORDER and CriterionField.SIZE_BAND not in explicit:
            closeness("size", {band: size_points(band, spec.size_band) for band in SIZE_ORDER})
        if spec.seniority in SENIORITY_ORDER and CriterionField.SENIORITY not in explicit:
            closeness(
                "seniority", {level: seniority_points(level, spec.seniority) for level in SENIORITY_ORDER}
            )
        if spec.protects:
            terms.append(f"CASE WHEN {has} THEN {PROTECTION_POINTS} ELSE 0 END")
            params.append(facet_key("seniority", Seniority.C_LEVEL))
        # Whole numbers: the division rounds toward zero, as health_points does.
        terms.append(f"COALESCE({table}.customer_health / {HEALTH_DIVISOR}, 0)")
        terms.append(f"CASE WHEN {table}.last_validated >= %s THEN {FRESH_POINTS} ELSE 0 END")
        params.append(self.today - timedelta(days=FRESH_DAYS))
        return "(" + " + ".join(terms) + ")", params


def base_sql(spec: MatchSpec, today: date) -> BaseScore:
    """The base score of every candidate, in the database (:class:`BaseScore`)."""
    return BaseScore(spec, today)


def effective_points(today: date, activity: str):
    """A ledger row's points as the load factors weigh them: recent use and use of the
    request's activity type count more (docs/matching.md)."""
    recent = Case(
        When(occurred_on__gt=today - timedelta(days=LATEST_DAYS), then=Value(LATEST_FACTOR)),
        When(occurred_on__gt=today - timedelta(days=RECENT_DAYS), then=Value(RECENT_FACTOR)),
        default=Value(1),
        output_field=IntegerField(),
    )
    kind = Case(
        When(activity_type_id=activity, then=Value(SAME_KIND_FACTOR)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return F("points") * recent * kind


def load_sql(spec: MatchSpec, today: date, policy) -> dict:
    """``reference_load`` and ``customer_load``: the effective points of the counted use of the
    reference, and of its customer, in the policy window (``ledger.capacity.counting_usage``)."""
    counting = capacity.counting_usage(today, policy)
    weighted = effective_points(today, spec.activity)
    per_ref = counting.filter(reference=OuterRef("pk")).order_by().values("reference")
    per_customer = counting.filter(customer=OuterRef("customer_id")).order_by().values("customer")
    return {
        "reference_load": Coalesce(
            Subquery(per_ref.annotate(s=Sum(weighted)).values("s")[:1]), Value(0), output_field=IntegerField()
        ),
        "customer_load": Coalesce(
            Subquery(per_customer.annotate(s=Sum(weighted)).values("s")[:1]),
            Value(0),
            output_field=IntegerField(),
        ),
    }


def facts_of(profile, *, reference_load: int = 0, customer_load: int = 0) -> Row:
    """The row of a profile object (for the explanations of a single profile, tests, the demo)."""
    return Row.of(
        profile.search_facets,
        competitor=profile.competitor,
        last_validated=profile.last_validated,
        reference_load=reference_load,
        customer_load=customer_load,
    )
