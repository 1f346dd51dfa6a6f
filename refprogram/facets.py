"""Filters as checkbox facets with counts, shared by the list pages (inventory, catalog, request
queue, usage ledger).

A facet is one filter of a page's FilterSet shown as a list of checkboxes, each with the number of
results that ticking it would give. The count of a facet's options ignores the facet's own choice
(so ticking "Finance" still shows how many "Healthcare" would add) and applies every other filter;
it comes from one grouped query per facet (``GROUP BY`` the facet's column, or its keys in the
profile's ``facet_keys``), never from one query per option. Yes/no filters become "Any / Yes / No"
radios; a page's remaining filters keep their field.

With htmx a change re-renders the page's filters and results (``facet_response``); without
JavaScript the form's "Apply filters" button does the same with a full page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django import forms
from django.apps import apps
from django.db import connection
from django.db.models import Count, QuerySet
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

# Options shown before "more" in a long facet (the rest fold into a <details>).
SHOWN_OPTIONS = 8

YES_NO = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


@dataclass
class Option:
    value: str
    label: str
    count: int
    checked: bool
    id: str


@dataclass
class Facet:
    name: str
    label: str
    options: list[Option] = field(default_factory=list)

    @property
    def shown(self) -> list[Option]:
        """The first options (every ticked one among them), the rest under "more"."""
        return self.options[:SHOWN_OPTIONS]

    @property
    def more(self) -> list[Option]:
        return self.options[SHOWN_OPTIONS:]


# How a facet counts its options: a function of the result set (without this facet's own
# choice) returning {key: count}, where key is the option's value as the database holds it.
Counter = Callable[[QuerySet], dict[str, int]]


def _groupable(queryset: QuerySet) -> bool:
    """Can the results be grouped as they are (no DISTINCT, slice, grouping or union of their
    own)? Matching their ids against the whole table instead cost a hash join of a million ledger
    rows with themselves (0.27 s a facet on the usage ledger's page)."""
    query = queryset.query
    return not (query.distinct or query.is_sliced or query.group_by is not None or query.combinator)


def count_by(column: str) -> Counter:
    """Count the results per value of ``column`` (a field or a foreign key's ``_id``): one
    ``GROUP BY`` query. Results without a value count under ``none``."""

    def counter(queryset: QuerySet) -> dict[str, int]:
        if _groupable(queryset):  # grouped as it is: no second pass over the table to match its ids
            rows = queryset.order_by().values_list(column).annotate(n=Count("pk"))
        else:
            rows = (
                queryset.model._default_manager.filter(pk__in=queryset.order_by().values("pk"))
                .order_by()
                .values_list(column)
                .annotate(n=Count("pk"))
            )
        return {("none" if key is None else str(key)): n for key, n in rows}

    return counter


def _facet_key_counts(queryset: QuerySet, prefixes: list[str]) -> dict[str, dict[str, int]]:
    """Reference profiles per key of the facets ``prefixes``: one grouped query for all of them,
    over the profiles' narrow matching rows (``references.MatchingRow``: the same keys as whole
    numbers, a tenth of the profile's row), each code named once through ``FacetCode`` after the
    count. Counting the profiles' own text keys unnested 2 million strings and matched each against
    every prefix (0.35 s for the whole inventory at 100k). Returns {prefix: {value: count}}."""
    q = connection.ops.quote_name
    rows = queryset.model._meta.get_field("matching_row").related_model
    codes = apps.get_model("references", "FacetCode")  # by name: refprogram imports no app
    inner, params = queryset.order_by().values("pk").query.sql_with_params()
    sql = (
        f"SELECT f.key, c.n FROM (SELECT code, COUNT(*) AS n FROM {q(rows._meta.db_table)} AS m, "
        f"unnest(m.codes) AS code WHERE m.{q(rows._meta.pk.column)} IN ({inner}) GROUP BY code) AS c "
        f"JOIN {q(codes._meta.db_table)} AS f ON f.code = c.code WHERE f.key LIKE ANY(%s)"
    )
    counts: dict[str, dict[str, int]] = {prefix: {} for prefix in prefixes}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, [f"{prefix}=%" for prefix in prefixes]])
        for key, n in cursor.fetchall():
            prefix, value = key.split("=", 1)
            if prefix in counts:
                counts[prefix][value] = n
    return counts


class count_facet_keys:  # noqa: N801 (used like the other counters: a function of the results)
    """Count reference profiles per key of one facet (``references.facets``): one grouped query
    over the keys starting with ``prefix=`` (:func:`_facet_key_counts`). The
    facets not chosen share one query (their results are the same)."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, queryset: QuerySet) -> dict[str, int]:
        return _facet_key_counts(queryset, [self.prefix])[self.prefix]


def count_by_m2m(through, owner: str, target: str) -> Counter:
    """Count the results per related object of a many-to-many relation (one grouped query on
    its table)."""

    def counter(queryset: QuerySet) -> dict[str, int]:
        rows = (
            through.objects.filter(**{f"{owner}__in": queryset.order_by().values("pk")})
            .values_list(target)
            .annotate(n=Count(owner, distinct=True))
            .order_by()
        )
        return {str(key): n for key, n in rows}

    return counter


def queryset_without(filterset, name: str | None) -> QuerySet:
    """The filterset's results as if filter ``name`` were not chosen (every other filter
    applies). Reuses the form's validated values: no second validation."""
    queryset = filterset.queryset
    for other, value in _cleaned(filterset).items():
        if other != name:
            queryset = filterset.filters[other].filter(queryset, value)
    return queryset


def _cleaned(filterset) -> dict:
    """The filters' validated values; none chosen when the page was opened without any."""
    return filterset.form.cleaned_data if filterset.is_bound else {}


def _choice_key(value) -> str:
    """What the database holds for one choice: a model choice's primary key, else the value."""
    instance = getattr(value, "instance", None)
    return str(instance.pk if instance is not None else value)


def build_facets(
    filterset, counters: dict[str, Counter], labels: dict[str, str] | None = None
) -> list[Facet]:
    """The page's facets, in the order of ``counters``: every option with results (or ticked),
    its count, ticked or not. An invalid form shows no facets (the page shows its errors)."""
    if filterset.is_bound and not filterset.is_valid():
        return []
    facets = []
    data = filterset.form.data

    def chosen_values(name) -> set[str]:
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
        return {str(v) for v in values if v not in ("", None)}

    # The key facets nobody chose all count the same results: one query for all of them.
    shared_keys = [
        counter.prefix
        for name, counter in counters.items()
        if isinstance(counter, count_facet_keys) and name in filterset.form.fields and not chosen_values(name)
    ]
    shared = _facet_key_counts(filterset.qs, shared_keys) if shared_keys else {}
    for name, counter in counters.items():
        form_field = filterset.form.fields.get(name)
        if form_field is None:
            continue
        chosen = chosen_values(name)
        if isinstance(counter, count_facet_keys) and counter.prefix in shared:
            counts = shared[counter.prefix]
        else:
            counts = counter(queryset_without(filterset, name))
        options = []
        for value, label in form_field.choices:
            if value in ("", None):
                continue
            value_text = str(value)
            count = counts.get(_choice_key(value), 0)
            checked = value_text in chosen
            if count or checked:
                options.append(
                    Option(value_text, str(label), count, checked, f"f-{name}-{slugify(value_text) or 'x'}")
                )
        # Ticked first, then the most frequent, then by label.
        options.sort(key=lambda o: (not o.checked, -o.count, o.label.lower()))
        facets.append(Facet(name, (labels or {}).get(name) or str(form_field.label or name), options))
    return facets


def yes_no_radios(form: forms.Form, names: Iterable[str] | None = None) -> None:
    """Yes/no filters as "Any / Yes / No" radios (never a select offering "Unknown")."""
    for name, form_field in form.fields.items():
        if (names is None or name in names) and isinstance(form_field, forms.NullBooleanField):
            form_field.widget = forms.RadioSelect(choices=YES_NO)


def other_fields(form: forms.Form, facets: list[Facet]) -> list:
    """The form's bound fields that are not shown as facets (search, dates, yes/no…)."""
    names = {facet.name for facet in facets}
    return [bound for bound in form if bound.name not in names]


def chosen_count(filterset) -> int:
    """How many filters are in use (for the collapsed panel's summary)."""
    if not filterset.is_bound or not filterset.is_valid():
        return 0
    return sum(1 for value in filterset.form.cleaned_data.values() if value not in (None, "", [], ()))


def facet_response(request, template: str, partial: str, context: dict):
    """The full page, or with htmx (a filter changed) only the part holding the filters and the
    results. A history restore gets the full page."""
    htmx = getattr(request, "htmx", None)
    name = partial if htmx and not htmx.history_restore_request else template
    response = render(request, name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def facet_panel(
    filterset, counters: dict[str, Counter], labels: dict[str, str] | None = None, hidden=()
) -> dict:
    """Everything the filter panel (templates/partials/facet_filters.html) needs: yes/no filters
    as radios, ``hidden`` filters kept as hidden inputs (an id a link chose, say), the facets
    with their counts, the other fields, how many filters are in use."""
    form = filterset.form
    yes_no_radios(form)
    for name in hidden:
        if name in form.fields:
            form.fields[name].widget = forms.HiddenInput()
    facets = build_facets(filterset, counters, labels)
    return {"facets": facets, "other": other_fields(form, facets), "chosen": chosen_count(filterset)}
