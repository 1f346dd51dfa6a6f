"""The catalog's facet keys: one short key per filterable attribute of a reference profile.

A profile's ``search_facets`` holds its keys separated by spaces, e.g. ``industry=finance
region=emea country=DE size=enterprise product=12 activity=call language=de health=60``. On PostgreSQL
the column ``facet_keys`` (migration 0005) is that text as an array with a GIN index, so a
catalog search with several filters is one index lookup (``facet_keys && ARRAY[...]`` per
filter) instead of joins to customers, contacts and three many-to-many tables; the catalog's
filters read nothing else. The matching engine reads the same row: its must-haves and wishes are
these keys, and ``health=`` (the customer's health score, when recorded) is also a stored integer
column ``customer_health`` (migration 0011), so a match's score needs no other table.

The keys are rebuilt with the search text (``services.search_documents_refresh``) whenever a
profile, its customer or its contact changes; ``demo.inventory`` computes the same keys from plain
values, and migration 0005 fills them in SQL for profiles that existed before.

The match list reads its candidates from a narrower copy, ``references.models.MatchingRow``: the
same keys as whole numbers (``FacetCode``, :class:`FacetCodes`), kept in step by the database
(migration 0014) whenever ``search_facets`` changes, however it is written.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import BooleanField, Expression

# Filter name in ReferenceProfileFilter -> facet prefix.
FACETS = {
    "industry": "industry",
    "region": "region",
    "country": "country",
    "size_band": "size",
    "deployment": "deployment",
    "seniority": "seniority",
    "product": "product",
    "use_case": "usecase",
    "activity_type": "activity",
    "language": "language",
}


def facet_key(facet: str, value) -> str:
    """One key; values are codes, ids or choice values, never free text (no spaces)."""
    return f"{facet}={str(value).replace(' ', '_')}"


def facet_text(
    *,
    industry: str,
    region: str,
    country: str,
    size_band: str,
    deployment: str,
    seniority: str,
    product_ids: Iterable[int],
    use_case_ids: Iterable[int],
    activity_codes: Iterable[str],
    language_codes: Iterable[str],
    health: int | None = None,
    custom_keys: Iterable[str] = (),
) -> str:
    """A profile's facet keys from plain values, in a fixed order (sorted within each facet); the
    program's own list and yes/no fields last (``custom.<slug>=<value>``,
    ``services.custom_fields.custom_facet_keys``)."""
    keys = [
        facet_key("industry", industry),
        facet_key("region", region),
        facet_key("country", country),
        facet_key("size", size_band),
    ]
    if deployment:
        keys.append(facet_key("deployment", deployment))
    if seniority:
        keys.append(facet_key("seniority", seniority))
    keys += [facet_key("product", pk) for pk in sorted(product_ids)]
    keys += [facet_key("usecase", pk) for pk in sorted(use_case_ids)]
    keys += [facet_key("activity", code) for code in sorted(activity_codes)]
    keys += [facet_key("language", code) for code in sorted(language_codes)]
    if health is not None:
        keys.append(facet_key("health", health))
    keys += list(custom_keys)
    return " ".join(keys)


class FacetKeys(Expression):
    """Condition on a profile's ``facet_keys``: holds ``all`` of the keys (``@>``) or
    ``any`` of them (``&&``). A key is a string, or a ``(facet, Subquery)`` whose single value
    the database turns into the key (a product's id looked up by name, say); a key whose lookup
    finds nothing matches no profile. The column is read from the query's own profile table,
    so the condition also works inside a subquery."""

    conditional = True

    def __init__(self, keys, *, how: str = "all"):
        super().__init__(output_field=BooleanField())
        self.keys = list(keys)
        self.operator = {"all": "@>", "any": "&&"}[how]

    def get_source_expressions(self):
        return [k[1] for k in self.keys if isinstance(k, tuple)]

    def set_source_expressions(self, exprs):
        exprs = iter(exprs)
        self.keys = [(k[0], next(exprs)) if isinstance(k, tuple) else k for k in self.keys]

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        parts, params = [], []
        for key in self.keys:
            if isinstance(key, tuple):
                sql, sub_params = compiler.compile(key[1])
                parts.append(f"(%s || ({sql})::text)")
                params += [f"{key[0]}=", *sub_params]
            else:
                parts.append("%s")
                params.append(key)
        return f"({table}.facet_keys {self.operator} ARRAY[{', '.join(parts)}]::text[])", params


# A key's code, looked up once per statement (PostgreSQL runs an uncorrelated subquery once): NULL
# for a key no profile has ever held, which then matches nothing.
KEY_CODE_SQL = "(SELECT code FROM references_facetcode WHERE key = %s)"


class FacetCodes(Expression):
    """Condition on a matching row's ``codes`` (``references.models.MatchingRow``): holds every one
    of these facet keys. The keys are given as text and coded in the statement itself
    (:data:`KEY_CODE_SQL`), so the GIN index on the codes answers it; a key without a code matches no
    row."""

    conditional = True

    def __init__(self, keys):
        super().__init__(output_field=BooleanField())
        self.keys = list(keys)

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.base_table)
        codes = ", ".join(KEY_CODE_SQL for _ in self.keys)
        return f"({table}.codes @> ARRAY[{codes}]::integer[])", list(self.keys)
