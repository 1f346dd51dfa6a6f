"""Segments: an optional slice of the program (one industry, region, product line or activity
type) and, in one table, the lookup path that slices each kind of row the metrics count.

A request is in a segment by its prospect's industry and region, its activity type and a
product of interest in the line; unmet demand by what was asked for; a reference by its
customer's industry and region, a product it runs in the line and an activity type it is
willing to do; a ledger row by its customer and activity type and its reference's products;
a nomination by its customer and products; an approval by its customer. A dimension a model
has no path for does not slice it (approvals have no product line: they stay program-wide).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.db.models import Exists, Model, OuterRef, QuerySet
from django.db.models.sql.query import Query

from approvals.models import Approval
from ledger.models import UsageEntry
from references.models import Nomination, ReferenceProfile
from requests_app.models import Request, UnmetDemand

SEGMENT_DIMENSIONS = ("industry", "product_line", "region", "activity_type")


@dataclass(frozen=True)
class Segment:
    """An optional slice of the program: one industry, region, product line or activity type."""

    industry: str | None = None
    region: str | None = None
    product_line: str | None = None
    activity_type: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    def __bool__(self) -> bool:
        return any(self.as_dict().values())


# No slice at all: the whole program (the default of every figure).
PROGRAM = Segment()


# Per model the metrics count, per dimension: the lookup from that model to the segment's value.
SEGMENT_PATHS: dict[type[Model], dict[str, str]] = {
    Request: {
        "industry": "prospect_industry_id",
        "region": "prospect_region_id",
        "activity_type": "activity_type_id",
        "product_line": "products__product_line",
    },
    UnmetDemand: {
        "industry": "industry_id",
        "region": "region_id",
        "activity_type": "activity_type_id",
        "product_line": "product__product_line",
    },
    ReferenceProfile: {
        "industry": "customer__industry_id",
        "region": "customer__region_id",
        "activity_type": "activity_types",
        "product_line": "products__product_line",
    },
    UsageEntry: {
        "industry": "customer__industry_id",
        "region": "customer__region_id",
        "activity_type": "activity_type_id",
        "product_line": "reference__products__product_line",
    },
    Nomination: {
        "industry": "customer__industry_id",
        "region": "customer__region_id",
        "product_line": "products__product_line",
    },
    Approval: {
        "industry": "customer__industry_id",
        "region": "customer__region_id",
    },
}


def _crosses_many(model: type[Model], path: str) -> bool:
    """Whether ``path`` goes through a to-many relation (a row could match more than once)."""
    steps, *_ = Query(model).names_to_path(path.split("__"), model._meta, fail_on_missing=True)
    return any(step.m2m for step in steps)


def segmented(queryset: QuerySet, segment: Segment) -> QuerySet:
    """``queryset`` cut to ``segment`` along the model's paths in :data:`SEGMENT_PATHS`. A path
    through a to-many relation becomes an ``EXISTS`` so that no row is counted twice."""
    model = queryset.model
    for dimension, path in SEGMENT_PATHS[model].items():
        value = getattr(segment, dimension)
        if not value:
            continue
        if _crosses_many(model, path):
            queryset = queryset.filter(
                Exists(model._base_manager.filter(pk=OuterRef("pk"), **{path: value}).order_by())
            )
        else:
            queryset = queryset.filter(**{path: value})
    return queryset
