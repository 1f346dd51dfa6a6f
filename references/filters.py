"""One FilterSet per listed model, shared by the HTML lists and the API."""

from __future__ import annotations

import json
import re
from functools import partial

import django_filters as filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .choices import (
    Deployment,
    NominationSource,
    NominationStatus,
    ProfileStatus,
    Seniority,
    SizeBand,
)
from .facets import FACETS, FacetKeys, facet_key
from .models import (
    ActivityType,
    Contact,
    Customer,
    CustomField,
    Industry,
    Language,
    Nomination,
    Product,
    ReferenceProfile,
    Region,
    Staleness,
    UseCase,
    program_policy,
)

SEARCH_WORD = re.compile(r"\w+", re.UNICODE)
SEARCH_MAX_CHARS = 200
SEARCH_MAX_WORDS = 12


def search_terms(value: str) -> list[list[str]]:
    """The free text as terms: commas (and semicolons) separate alternatives, the words of one
    term must all match. ``"cloud migration, healthcare"`` → ``[["cloud", "migration"],
    ["healthcare"]]``. At most 12 words in all; empty terms are dropped."""
    terms, budget = [], SEARCH_MAX_WORDS
    for part in re.split(r"[,;]", (value or "")[:SEARCH_MAX_CHARS]):
        words = SEARCH_WORD.findall(part)[:budget]
        if words:
            terms.append(words)
            budget -= len(words)
        if budget <= 0:
            break
    return terms


def full_text(queryset: QuerySet, value: str) -> QuerySet:
    """Free-text search of reference profiles. Commas separate alternatives: a profile is found
    when it matches any of them; within one term every word must match (as a word prefix).

    Reads the stored, GIN-indexed ``search_vector`` column (migration 0004: ``to_tsvector`` of
    ``search_document``, computed at write time), so a search never recomputes it row by row.
    """
    terms = search_terms(value)
    if not terms:
        return queryset
    # Only \w+ tokens reach the raw tsquery, so the query text cannot be malformed.
    raw = " | ".join("(" + " & ".join(f"{word}:*" for word in words) + ")" for words in terms)
    prefixes = SearchQuery(raw, search_type="raw", config="english")
    table = connection.ops.quote_name(ReferenceProfile._meta.db_table)
    stored = RawSQL(f"{table}.search_vector", [], output_field=SearchVectorField())
    return queryset.alias(search_vector=stored).filter(search_vector=prefixes)


def _m2m_exists(queryset: QuerySet, through, owner_field: str, target_field: str, values) -> QuerySet:
    """Filter by any of ``values`` in a many-to-many relation without joining (no duplicates)."""
    if not values:
        return queryset
    return queryset.filter(
        Exists(through.objects.filter(**{owner_field: OuterRef("pk"), f"{target_field}__in": values}))
    )


CUSTOM_PARAM = re.compile(r"^custom\.([a-z][a-z0-9_]{0,39})$")


def custom_facet_filter(queryset: QuerySet, key: str, values) -> QuerySet:
    """Profiles holding any of ``values`` of the program's field ``key`` (``custom.<slug>``; yes/no
    as ``yes``/``no``), on itself, its customer or its contact: one lookup in the facet keys."""
    values = [str(v) for v in values if v not in ("", None)]
    if not values:
        return queryset
    return queryset.filter(FacetKeys([facet_key(key, v) for v in values], how="any"))


CUSTOM_RANGE_PARAM = re.compile(r"^custom\.([a-z][a-z0-9_]{0,39})\.(min|max)$")


class CustomInRange(Func):
    """A profile whose (or whose customer's or contact's) number or date field ``slug`` is at least
    (``min``) or at most (``max``) ``value``: one ``jsonb_path_exists`` on the ``custom`` column
    (numbers compare as numbers; dates are stored as ``YYYY-MM-DD`` and compare as such). A profile
    without a value is left out."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, holder: str, slug: str, bound: str, value):
        super().__init__(F(holder))
        operator = ">=" if bound == "min" else "<="
        self.path = f'$."{slug}" ? (@ {operator} $v)'  # the slug is [a-z][a-z0-9_]*: nothing to escape
        self.variables = json.dumps({"v": value})

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.get_source_expressions()[0])
        return f"jsonb_path_exists({column}, %s::jsonpath, %s::jsonb)", [*params, self.path, self.variables]


def custom_range_filter(queryset: QuerySet, field: CustomField, bound: str, value) -> QuerySet:
    """Profiles whose value of the program's number or date field ``field`` is within ``bound``."""
    if value in (None, ""):
        return queryset
    if field.kind == CustomField.Kind.DATE:
        value = value.isoformat()
    else:
        value = int(value) if value == value.to_integral_value() else float(value)
    return queryset.filter(CustomInRange(field.holder, field.slug, bound, value))


def _no_such_range_field(value):
    raise ValidationError(_("The program has no number or date field of this name."))


class ReferenceProfileFilter(filters.FilterSet):
    """Filters of the inventory, the sales catalog and `GET /api/v1/references/`.

    The program's own list and yes/no fields filter as ``?custom.<slug>=<value>`` (several values:
    any of them), its number and date fields as ``?custom.<slug>.min=`` and ``.max=`` (either or
    both). Pages pass the definitions (``custom_fields``) to show them as facets and ranges with
    labels; the API reads list parameters without them (no query for the definitions) and looks up
    only the fields its range parameters name (one query)."""

    search = filters.CharFilter(method="filter_search", label=_("Search"))
    status = filters.MultipleChoiceFilter(distinct=False, choices=ProfileStatus.choices)
    industry = filters.ModelMultipleChoiceFilter(
        distinct=False,
        field_name="customer__industry",
        queryset=Industry.objects.all(),
        to_field_name="code",
        method="filter_facet",
    )
    region = filters.ModelMultipleChoiceFilter(
        distinct=False,
        field_name="customer__region",
        queryset=Region.objects.all(),
        to_field_name="code",
        method="filter_facet",
    )
    country = filters.CharFilter(field_name="customer__country", method="filter_country", label=_("Country"))
    size_band = filters.MultipleChoiceFilter(
        distinct=False,
        field_name="customer__size_band",
        choices=SizeBand.choices,
        label=_("Size band"),
        method="filter_facet",
    )
    product = filters.ModelMultipleChoiceFilter(
        distinct=False, queryset=Product.objects.all(), to_field_name="name", method="filter_product"
    )
    product_line = filters.CharFilter(method="filter_product_line", label=_("Product line"))
    use_case = filters.ModelMultipleChoiceFilter(
        distinct=False,
        queryset=UseCase.objects.all(),
        to_field_name="name",
        method="filter_use_case",
        label=_("Use case"),
    )
    deployment = filters.MultipleChoiceFilter(
        distinct=False, field_name="deployment", choices=Deployment.choices, method="filter_facet"
    )
    activity_type = filters.ModelMultipleChoiceFilter(
        distinct=False,
        queryset=ActivityType.objects.all(),
        to_field_name="code",
        method="filter_activity_type",
        label=_("Activity type"),
    )
    seniority = filters.MultipleChoiceFilter(
        distinct=False, field_name="contact__seniority", choices=Seniority.choices, method="filter_facet"
    )
    language = filters.ModelMultipleChoiceFilter(
        distinct=False, queryset=Language.objects.all(), to_field_name="code", method="filter_language"
    )
    customer = filters.NumberFilter(field_name="customer_id")
    available = filters.BooleanFilter(method="filter_available")
    stale = filters.BooleanFilter(method="filter_stale")
    marquee = filters.BooleanFilter(field_name="customer__is_marquee")

    class Meta:
        model = ReferenceProfile
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, custom_fields=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        if custom_fields is None:  # the API: only the range fields its parameters name
            custom_fields = self._named_range_fields()
        for field in custom_fields:
            if field.active and field.is_range:
                self._add_range(field)
            if not (field.active and field.is_facet):
                continue
            if field.kind == field.Kind.YES_NO:
                choices = [("yes", _("Yes")), ("no", _("No"))]
            else:
                choices = [(c["value"], field.choice_label(c["value"])) for c in field.choices]
            self.filters[field.key] = filters.MultipleChoiceFilter(
                field_name=field.key,
                distinct=False,
                choices=choices,
                label=field.label(),
                method=self.filter_custom,
            )

    def _named_range_fields(self) -> list[CustomField]:
        """The number and date fields the parameters name (``custom.<slug>.min`` / ``.max``): one
        query, and none without such a parameter. A name the program has no such field for is a
        filter that refuses every value (400 on the API)."""
        named = {m.group(1) for m in map(CUSTOM_RANGE_PARAM.match, self.data or ()) if m}
        if not named:
            return []
        found = [f for f in CustomField.objects.filter(slug__in=named, active=True) if f.is_range]
        for slug in named - {f.slug for f in found}:
            for bound in ("min", "max"):
                self.filters[f"custom.{slug}.{bound}"] = filters.CharFilter(
                    method=self.filter_nothing, validators=[_no_such_range_field]
                )
        return found

    def _add_range(self, field: CustomField) -> None:
        """Lowest and highest value filters of a number or date field, labelled in words."""
        label = field.label()
        if field.kind == CustomField.Kind.DATE:
            widget = forms.DateInput(attrs={"type": "date"})
            texts = {"min": _("%(field)s from"), "max": _("%(field)s until")}
        else:
            widget = forms.NumberInput(attrs={"step": "any"})
            texts = {"min": _("%(field)s at least"), "max": _("%(field)s at most")}
        kind = filters.DateFilter if field.kind == CustomField.Kind.DATE else filters.NumberFilter
        for bound in ("min", "max"):
            self.filters[f"{field.key}.{bound}"] = kind(
                method=partial(self.filter_custom_range, field, bound),
                label=texts[bound] % {"field": label},
                widget=widget,
            )

    def filter_custom(self, queryset, name, value):
        return custom_facet_filter(queryset, name, value)

    def filter_custom_range(self, field, bound, queryset, name, value):
        return custom_range_filter(queryset, field, bound, value)

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # ``custom.<slug>`` parameters without a filter of their own (the API): the same lookup.
        getlist = getattr(self.data, "getlist", None)
        for name in list(self.data or ()):
            if name in self.filters or not CUSTOM_PARAM.match(name):
                continue
            values = getlist(name) if getlist else [self.data[name]]
            queryset = custom_facet_filter(queryset, name, values)
        return queryset

    def filter_search(self, queryset, name, value):
        return full_text(queryset, value)

    @staticmethod
    def _facet_or(queryset, name: str, values):
        """Profiles holding any of ``values`` of filter ``name``: one lookup in the profile's
        GIN-indexed facet keys (see ``references.facets``)."""
        if not values:
            return queryset
        keys = [facet_key(FACETS[name], getattr(v, "pk", v)) for v in values]
        return queryset.filter(FacetKeys(keys, how="any"))

    # The filters with a field of their own (``field_name``) and their facet.
    FIELD_FACETS = {
        "customer__industry": "industry",
        "customer__region": "region",
        "customer__size_band": "size_band",
        "deployment": "deployment",
        "contact__seniority": "seniority",
    }

    def filter_facet(self, queryset, field_name, value):
        """Industry, region, size band, deployment, seniority: the field's facet."""
        return self._facet_or(queryset, self.FIELD_FACETS[field_name], value)

    def filter_country(self, queryset, name, value):
        value = (value or "").strip().upper()
        return self._facet_or(queryset, "country", [value] if value else [])

    def filter_product(self, queryset, name, value: list[Product]):
        return self._facet_or(queryset, "product", value)

    def filter_product_line(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Exists(
                ReferenceProfile.products.through.objects.filter(
                    referenceprofile_id=OuterRef("pk"), product__product_line__iexact=value
                )
            )
        )

    def filter_use_case(self, queryset, name, value: list[UseCase]):
        return self._facet_or(queryset, "use_case", value)

    def filter_activity_type(self, queryset, name, value: list[ActivityType]):
        return self._facet_or(queryset, "activity_type", value)

    def filter_language(self, queryset, name, value: list[Language]):
        return self._facet_or(queryset, "language", value)

    @cached_property
    def policy(self) -> Staleness:
        """The program's policy row, read once per filtering (the list view may pass its own)."""
        return program_policy()

    def filter_available(self, queryset, name, value):
        if value is None:
            return queryset
        # With one activity type chosen, "available" means available for that activity.
        chosen = list(self.form.cleaned_data.get("activity_type") or [])
        activity_type = chosen[0] if len(chosen) == 1 else None
        if value:
            return queryset.available(policy=self.policy, activity_type=activity_type)
        return queryset.unavailable(policy=self.policy, activity_type=activity_type)

    def filter_stale(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.stale(policy=self.policy) if value else queryset.fresh(policy=self.policy)


class CustomerFilter(filters.FilterSet):
    search = filters.CharFilter(method="filter_search", label=_("Search"))
    industry = filters.ModelMultipleChoiceFilter(
        distinct=False, queryset=Industry.objects.all(), to_field_name="code"
    )
    region = filters.ModelMultipleChoiceFilter(
        distinct=False, queryset=Region.objects.all(), to_field_name="code"
    )
    country = filters.CharFilter(method="filter_country")
    size_band = filters.MultipleChoiceFilter(distinct=False, choices=SizeBand.choices)
    product = filters.ModelMultipleChoiceFilter(
        distinct=False, queryset=Product.objects.all(), to_field_name="name", method="filter_product"
    )
    account_owner = filters.NumberFilter(field_name="account_owner_id")
    marquee = filters.BooleanFilter(field_name="is_marquee")
    crm_id = filters.CharFilter(field_name="crm_id")

    class Meta:
        model = Customer
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        value = (value or "").strip()[:200]
        return queryset.filter(Q(name__icontains=value) | Q(crm_id__iexact=value)) if value else queryset

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.strip().upper()) if value else queryset

    def filter_product(self, queryset, name, value: list[Product]):
        return _m2m_exists(queryset, Customer.products.through, "customer_id", "product", value)


class ContactFilter(filters.FilterSet):
    search = filters.CharFilter(method="filter_search", label=_("Search"))
    customer = filters.NumberFilter(field_name="customer_id")
    seniority = filters.MultipleChoiceFilter(distinct=False, choices=Seniority.choices)
    language = filters.ModelMultipleChoiceFilter(
        distinct=False, queryset=Language.objects.all(), to_field_name="code", method="filter_language"
    )

    class Meta:
        model = Contact
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        value = (value or "").strip()[:200]
        return queryset.filter(Q(name__icontains=value) | Q(title__icontains=value)) if value else queryset

    def filter_language(self, queryset, name, value: list[Language]):
        return _m2m_exists(queryset, Contact.languages.through, "contact_id", "language", value)


class NominationFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(distinct=False, choices=NominationStatus.choices)
    source = filters.MultipleChoiceFilter(distinct=False, choices=NominationSource.choices)
    aging = filters.BooleanFilter(method="filter_aging")

    class Meta:
        model = Nomination
        fields: list[str] = []

    def filter_aging(self, queryset, name, value):
        if value is None:
            return queryset
        aging = queryset.aging()
        return aging if value else queryset.exclude(pk__in=aging.values("pk"))
