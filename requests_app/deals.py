"""A request's deal: its amount, stage, close date and result (won or lost).

One rule, one home. When the request is linked to a CRM opportunity, the CRM says all of it (the
opportunity's amount, stage, close date; closed-won is won, closed-lost is lost, an open deal has
no result yet) and what the requester typed or reported by hand is not used. An unlinked request
(a program without a CRM) keeps the typed amount and stage and the reported outcome.

The request page and the API read :func:`request_deal` (one request); the dashboard reads the
same rule as SQL expressions (:func:`deal_result_sql`, :func:`deal_revenue_sql`,
:func:`deal_decided_in`, :func:`deal_decided_on_sql`) for many requests at once. The tests prove
both give the same answer on one table of cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, CharField, DateField, DecimalField, F, Q, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from .choices import OutcomeResult

SOURCE_CRM = "crm"
SOURCE_MANUAL = "manual"


@dataclass(frozen=True)
class Deal:
    """What the program knows about a request's deal, and where it comes from."""

    source: str  # "crm" (a linked opportunity) or "manual" (typed on the request)
    crm: str  # "salesforce", "hubspot", "other"; "" when manual
    crm_label: str  # "Salesforce", …; "" when manual
    crm_id: str
    name: str  # the opportunity's name; "" when manual
    amount: Decimal | None  # the deal's amount
    stage: str
    close_date: dt.date | None
    result: str  # "won", "lost" or "" (open, or not reported)
    revenue: Decimal | None  # what counts as influenced revenue when won
    decided_on: dt.date | None  # the day the result counts in (the period of the metrics)

    @property
    def from_crm(self) -> bool:
        return self.source == SOURCE_CRM


def request_deal(request) -> Deal:
    """The request's deal (see the module's docstring). Reads ``request.opportunity``: select it
    with the request when listing."""
    opportunity = request.opportunity if request.opportunity_id else None
    if opportunity is not None:
        result = ""
        if opportunity.is_closed:
            result = OutcomeResult.WON if opportunity.is_won else OutcomeResult.LOST
        return Deal(
            source=SOURCE_CRM,
            crm=opportunity.crm,
            crm_label=opportunity.get_crm_display(),
            crm_id=opportunity.crm_id,
            name=opportunity.name,
            amount=opportunity.amount,
            stage=opportunity.stage,
            close_date=opportunity.close_date,
            result=str(result),
            revenue=opportunity.amount,
            decided_on=opportunity.close_date if opportunity.is_closed else None,
        )
    reported = request.outcome_reported_at
    return Deal(
        source=SOURCE_MANUAL,
        crm="",
        crm_label="",
        crm_id=request.opportunity_crm_id,
        name="",
        amount=request.opportunity_amount,
        stage=request.opportunity_stage,
        close_date=None,
        result=request.outcome_result or "",
        revenue=request.outcome_amount if request.outcome_amount is not None else request.opportunity_amount,
        decided_on=timezone.localdate(reported) if reported and request.outcome_result else None,
    )


# --- The same rule in SQL, for querysets of requests (``prefix`` reaches them through a relation)


def _linked(prefix: str = "") -> Q:
    return Q(**{f"{prefix}opportunity__isnull": False})


def deal_result_sql(prefix: str = "") -> Case:
    """``"won"``, ``"lost"`` or ``""``, as :attr:`Deal.result`."""
    return Case(
        When(Q(**{f"{prefix}opportunity__is_won": True}), then=Value(str(OutcomeResult.WON))),
        When(Q(**{f"{prefix}opportunity__is_closed": True}), then=Value(str(OutcomeResult.LOST))),
        When(_linked(prefix), then=Value("")),
        default=F(f"{prefix}outcome_result"),
        output_field=CharField(),
    )


def deal_revenue_sql(prefix: str = "") -> Case:
    """The amount a won deal adds to influenced revenue, as :attr:`Deal.revenue` (0 when unknown)."""
    money = DecimalField(max_digits=16, decimal_places=2)
    zero = Value(Decimal(0), output_field=money)
    return Case(
        When(_linked(prefix), then=Coalesce(f"{prefix}opportunity__amount", zero, output_field=money)),
        default=Coalesce(f"{prefix}outcome_amount", f"{prefix}opportunity_amount", zero, output_field=money),
        output_field=money,
    )


def deal_decided_on_sql(prefix: str = "") -> Case:
    """The day the result counts in, as :attr:`Deal.decided_on` (the close date of a closed CRM
    deal; the day a manual outcome was reported)."""
    return Case(
        When(Q(**{f"{prefix}opportunity__is_closed": True}), then=F(f"{prefix}opportunity__close_date")),
        When(_linked(prefix), then=Value(None, output_field=DateField())),
        When(~Q(**{f"{prefix}outcome_result": ""}), then=TruncDate(f"{prefix}outcome_reported_at")),
        default=Value(None, output_field=DateField()),
        output_field=DateField(),
    )


def deal_decided_in(start: dt.date, end: dt.date, prefix: str = "") -> Q:
    """Requests whose deal was decided (won or lost) from ``start`` to ``end`` inclusive: a closed
    CRM deal by its close date, a manual outcome by the day it was reported (local time)."""
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    after = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    crm = _linked(prefix) & Q(
        **{
            f"{prefix}opportunity__is_closed": True,
            f"{prefix}opportunity__close_date__gte": start,
            f"{prefix}opportunity__close_date__lte": end,
        }
    )
    manual = (
        ~_linked(prefix)
        & Q(**{f"{prefix}outcome_reported_at__gte": first, f"{prefix}outcome_reported_at__lt": after})
        & ~Q(**{f"{prefix}outcome_result": ""})
    )
    return crm | manual
