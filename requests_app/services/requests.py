"""Requests: submit, edit, triage, cancel or close, and what happened afterwards (outcome, rating),
plus unmet demand and deadline reminders."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions as perms
from accounts.models import Team, User
from accounts.services import notification_send
from refprogram import events
from refprogram.errors import RuleViolation
from refprogram.i18n import in_company_language, moment
from refprogram.validators import validate_date_in_range
from refprogram.words import sentence

from ..choices import (
    CODE_ALREADY_RATED,
    CODE_NOT_EDITABLE,
    CODE_NOT_FULFILLED,
    CODE_REQUEST_CLOSED,
    OPEN_CANDIDATE_STATES,
    CandidateState,
    OutcomeResult,
    RequestEventKind,
    RequestStatus,
    UnmetReason,
)
from ..criteria import criteria_clean
from ..models import Request, RequestEvent, UnmetDemand
from .candidates import _withdraw_as_system, _withdraw_open_candidates
from .common import _link, _notify, _require_open, _require_triage, _set_status, lead_time_warning

REQUEST_FIELDS = (
    "activity_type",
    "prospect_name",
    "prospect_industry",
    "prospect_region",
    "prospect_country",
    "prospect_size_band",
    "prospect_contact_title",
    "prospect_seniority",
    "criteria",
    "references_needed",
    "needed_by",
    "opportunity_crm_id",
    "opportunity_amount",
    "opportunity_stage",
    "opportunity",
    "notes",
)
# A request linked to a CRM opportunity takes its result from the CRM: no outcome by hand.
CODE_OUTCOME_FROM_CRM = "outcome_from_crm"


def _to_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _refuse_past_needed_by(request: Request, before, now: datetime | None = None) -> None:
    """A needed-by moment already past is refused: nobody can meet it, and it would top the
    queue as overdue. An update that keeps the request's existing date (e.g. a manager fixing a
    typo in an overdue request) is allowed: only a new or changed date is checked."""
    if request.needed_by is None:
        return
    if request.pk is not None and before is not None and _to_minute(request.needed_by) == _to_minute(before):
        return  # kept as it was (the form sends it back to the minute)
    if request.needed_by < (now or timezone.now()):
        raise ValidationError({"needed_by": _("This date and time is already past: choose a later one.")})


def _crm_id_max() -> int:
    return Request._meta.get_field("opportunity_crm_id").max_length


def _apply(request: Request, data: dict[str, Any], now: datetime | None = None) -> list | None:
    needed_by_before = request.needed_by
    products = data.pop("products", None)
    if "criteria" in data:
        try:
            data["criteria"] = criteria_clean(data["criteria"])
        except ValidationError as exc:
            raise ValidationError({"criteria": exc.messages}) from None
    if "prospect_country" in data and data["prospect_country"]:
        data["prospect_country"] = data["prospect_country"].strip().upper()
    for name, value in data.items():
        if name not in REQUEST_FIELDS:
            raise ValidationError({name: _("This field cannot be changed here.")})
        setattr(request, name, value)
    if data.get("opportunity") is not None and len(request.opportunity.crm_id) <= _crm_id_max():
        # The linked deal's id is the request's too (lists, exports and filters show it).
        request.opportunity_crm_id = request.opportunity.crm_id
    if request.needed_by is not None:
        try:
            validate_date_in_range(request.needed_by)
        except ValidationError as exc:
            raise ValidationError({"needed_by": exc.messages}) from None
        _refuse_past_needed_by(request, needed_by_before, now)
    if request.needed_by is not None and request.activity_type_id is not None:
        request.start_by = request.compute_start_by()
    request.full_clean(exclude=["start_by"] if request.needed_by is None else None)
    return products


@transaction.atomic
def request_submit(
    *, requester: User, data: dict[str, Any], now: datetime | None = None
) -> tuple[Request, list[str]]:
    """Submit a request for references. Returns the request and warnings (a needed-by date
    shorter than the activity type's lead time is warned about, not refused; one already past
    is refused, ``needed_by``). When the inventory cannot meet it, the unmet demand is recorded
    at once. ``now`` is the moment the submission counts as made (the demo's past requests)."""
    if not perms.has_capability(requester, perms.SUBMIT_REQUESTS):
        raise PermissionDenied(_("Your role cannot submit requests."))
    request = Request(requester=requester)
    products = _apply(request, dict(data), now)
    request.team = owning_team(
        region=request.prospect_region_id,
        industry=request.prospect_industry_id,
        product_ids=[getattr(p, "pk", p) for p in products or []],
    )
    request.save()
    if products:
        request.products.set(products)
    RequestEvent.objects.create(
        request=request, kind=RequestEventKind.SUBMITTED, to_status=request.status, actor=requester
    )
    events.publish(
        events.REQUEST_SUBMITTED, {"request": request.pk, "activity_type": request.activity_type_id}
    )
    warnings = [w for w in [lead_time_warning(request)] if w]
    request_supply_check(request=request)
    _notify(
        [request.assignee],
        key=f"request:{request.pk}:submitted",
        subject=lambda: _("New request #%(number)s") % {"number": request.pk},
        body="",
        link=_link(request),
    )
    return request, warnings


def owning_team(*, region: str | None, industry: str | None, product_ids: Iterable[int]) -> Team | None:
    """The team whose queue a request goes to: among the teams whose scope covers the prospect
    (each facet a team names holds the prospect's region, industry or one of the products), the
    most specific (naming the most facets), then the first by name. None when no team covers it:
    the request is then in every team's queue. One query."""
    values = {
        "region": {region} - {None},
        "industry": {industry} - {None},
        "product": {str(p) for p in product_ids},
    }
    best = None
    for team in Team.objects.exclude(scope=[]).order_by("name", "id"):
        named = {facet: set(team.scope_values(facet)) for facet in team.scope_by_facet()}
        if all(wanted & values.get(facet, set()) for facet, wanted in named.items()):
            if best is None or len(named) > best[0]:
                best = (len(named), team)
    return best[1] if best else None


def can_edit(user: User, request: Request) -> bool:
    if not request.is_open:
        return False
    if perms.has_capability(user, perms.TRIAGE_REQUESTS):
        return True
    return request.requester_id == user.pk and request.status == RequestStatus.SUBMITTED


@transaction.atomic
def request_update(*, request: Request, actor: User, data: dict[str, Any]) -> tuple[Request, list[str]]:
    """Change a request: its requester while nobody has picked it up yet, a manager while it is open."""
    request = Request.objects.select_for_update().get(pk=request.pk)
    if not can_edit(actor, request):
        if request.requester_id == actor.pk or perms.has_capability(actor, perms.TRIAGE_REQUESTS):
            raise RuleViolation(CODE_NOT_EDITABLE, _("This request can no longer be changed."))
        raise PermissionDenied(_("Only the requester or a reference manager may change a request."))
    products = _apply(request, dict(data))
    request.save()
    if products is not None:
        request.products.set(products)
    RequestEvent.objects.create(request=request, kind=RequestEventKind.UPDATED, actor=actor)
    request_supply_check(request=request)  # changed criteria: matched again
    return request, [w for w in [lead_time_warning(request)] if w]


def request_supply_check(*, request: Request, today: date | None = None, policy=None) -> dict:
    """Match the request against the inventory (when it is submitted or its criteria change) and,
    when supply is short for an open request, record its unmet demand with the reason
    ``supply_for_request`` gives. The only place unmet demand is recorded from matching: looking
    at a request or its matches records nothing. Returns the supply verdict."""
    from ..matching import supply_for_request  # late: matching reads models

    supply = supply_for_request(request, today=today, policy=policy)
    if supply["short"] and request.is_open:
        unmet_demand_record(request=request, reason=supply["reason"])
    return supply


@transaction.atomic
def request_assign(*, requests: Iterable[Request], assignee: User | None, actor: User) -> int:
    """Assign open requests (one, or many at once from the queue) to a manager; a submitted
    request becomes in progress. Returns how many changed."""
    _require_triage(actor)
    if assignee is not None and not perms.has_capability(assignee, perms.TRIAGE_REQUESTS):
        raise ValidationError({"assignee": _("Requests can only be assigned to reference managers.")})
    changed = 0
    ids = [r.pk for r in requests]
    for request in Request.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
        if not request.is_open:
            if len(ids) == 1:
                raise RuleViolation(CODE_REQUEST_CLOSED, _("This request is closed."))
            continue
        if request.assignee_id == (assignee.pk if assignee else None):
            continue
        request.assignee = assignee
        request.save(update_fields=["assignee", "updated_at"])
        RequestEvent.objects.create(
            request=request,
            kind=RequestEventKind.ASSIGNED,
            actor=actor,
            note=f"Assigned to {assignee}" if assignee else "Unassigned",
        )
        if assignee is not None and request.status == RequestStatus.SUBMITTED:
            _set_status(request, RequestStatus.IN_PROGRESS, actor=actor)
        if assignee is not None and assignee.pk != actor.pk:
            _notify(
                [assignee],
                key=f"request:{request.pk}:assigned:{assignee.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
                subject=lambda request=request: (
                    _("Request #%(number)s was assigned to you") % {"number": request.pk}
                ),
                body=lambda request=request: sentence(
                    _("%(activity)s for %(prospect)s")
                    % {"activity": request.activity_type, "prospect": request.prospect_name}
                ),
                link=_link(request),
            )
        changed += 1
    return changed


@transaction.atomic
def request_cancel(*, request: Request, actor: User, reason: str) -> Request:
    """Cancel an open request (its requester or a manager), with a reason; open candidates are
    withdrawn (reservations not yet asked are released)."""
    request = Request.objects.select_for_update().get(pk=request.pk)
    is_requester = request.requester_id == actor.pk
    if not (is_requester or perms.has_capability(actor, perms.TRIAGE_REQUESTS)):
        raise PermissionDenied(_("Only the requester or a reference manager may cancel a request."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is cancelled.")})
    _require_open(request)
    if request.candidates.filter(state__in=OPEN_CANDIDATE_STATES).exists():
        if not perms.has_capability(actor, perms.TRIAGE_REQUESTS):
            # The requester cannot move candidates; the withdrawals are recorded as the system's.
            for candidate in request.candidates.filter(state__in=OPEN_CANDIDATE_STATES).order_by("pk"):
                _withdraw_as_system(candidate, note=f"Request cancelled by its requester: {reason}")
        else:
            _withdraw_open_candidates(request, actor=actor, note=f"Request cancelled: {reason}")
        request.refresh_from_db()
    request.closed_reason = reason
    _set_status(request, RequestStatus.CANCELLED, actor=actor, note=reason)
    _notify(
        [request.requester if not is_requester else None, request.assignee],
        key=f"request:{request.pk}:cancelled",
        subject=lambda: _("Request #%(number)s was cancelled") % {"number": request.pk},
        body=reason,
        link=_link(request),
    )
    return request


@transaction.atomic
def request_close_unfulfilled(*, request: Request, actor: User, reason: str) -> Request:
    """Close an open request unfulfilled (a manager), with a reason; the demand is recorded as unmet."""
    _require_triage(actor)
    request = Request.objects.select_for_update().get(pk=request.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request could not be fulfilled.")})
    _require_open(request)
    _withdraw_open_candidates(request, actor=actor, note=f"Request closed unfulfilled: {reason}")
    request.refresh_from_db()
    request.closed_reason = reason
    _set_status(request, RequestStatus.UNFULFILLED, actor=actor, note=reason)
    unmet_demand_record(request=request, reason=UnmetReason.CLOSED_UNFULFILLED)
    _notify(
        [request.requester],
        key=f"request:{request.pk}:unfulfilled",
        subject=lambda: _("Your request #%(number)s could not be fulfilled") % {"number": request.pk},
        body=reason,
        link=_link(request),
    )
    return request


def can_report_outcome(user: User, request: Request) -> bool:
    return request.requester_id == user.pk or perms.has_capability(user, perms.TRIAGE_REQUESTS)


@transaction.atomic
def request_outcome(*, request: Request, actor: User, result: str, amount: Decimal | None = None) -> Request:
    """Report the deal's outcome (the requester or a manager): won or lost, and the amount.
    Won amounts are the program's influenced revenue."""
    if not can_report_outcome(actor, request):
        raise PermissionDenied(_("Only the requester or a reference manager may report the outcome."))
    request = Request.objects.select_for_update().get(pk=request.pk)
    if request.status == RequestStatus.CANCELLED:
        raise RuleViolation(CODE_REQUEST_CLOSED, _("A cancelled request has no outcome."))
    if request.opportunity_id is not None:
        raise RuleViolation(
            CODE_OUTCOME_FROM_CRM,
            _("This request is linked to a CRM opportunity: its result comes from the CRM."),
        )
    if result not in OutcomeResult.values:
        raise ValidationError(
            {"result": _("Use one of: %(valid)s.") % {"valid": ", ".join(OutcomeResult.values)}}
        )
    if amount is not None and amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    request.outcome_result = result
    request.outcome_amount = amount
    request.outcome_reported_at = timezone.now()
    request.full_clean()
    request.save()
    RequestEvent.objects.create(
        request=request,
        kind=RequestEventKind.OUTCOME,
        actor=actor,
        # The amount stays on the request, where it is shown only to who may see money.
        note=in_company_language(OutcomeResult(result).label),
    )
    return request


@transaction.atomic
def request_rate(*, request: Request, actor: User, rating: int, comment: str = "") -> Request:
    """The requester rates the reference experience (1–5) once at least one reference completed."""
    if request.requester_id != actor.pk:
        raise PermissionDenied(_("Only the requester rates the reference experience."))
    request = Request.objects.select_for_update().get(pk=request.pk)
    if request.rating is not None:
        raise RuleViolation(CODE_ALREADY_RATED, _("You already rated this request."))
    if not request.candidates.filter(state=CandidateState.COMPLETED).exists():
        raise RuleViolation(
            CODE_NOT_FULFILLED, _("There is nothing to rate until a reference has completed.")
        )
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise ValidationError({"rating": _("Rate from 1 to 5.")}) from None
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate from 1 to 5.")})
    request.rating = rating
    request.rating_comment = (comment or "").strip()
    request.save(update_fields=["rating", "rating_comment", "updated_at"])
    RequestEvent.objects.create(request=request, kind=RequestEventKind.RATED, actor=actor, note=f"{rating}/5")
    return request


def unmet_demand_record(*, request: Request, reason: str) -> UnmetDemand:
    """Record the request's demand as unmet, by segment (industry, product, region, activity
    type). One per request: recording again keeps the first record."""
    existing = UnmetDemand.objects.filter(request=request).first()
    if existing is not None:
        return existing
    product_name = next((c["value"] for c in request.must if c["field"] == "product"), None)
    product = None
    if product_name:
        from references.models import Product

        product = Product.objects.filter(name=product_name).first()
    if product is None:
        product = request.products.order_by("name").first()
    try:
        with transaction.atomic():
            record = UnmetDemand.objects.create(
                request=request,
                activity_type_id=request.activity_type_id,
                industry_id=request.prospect_industry_id
                or next((c["value"] for c in request.must if c["field"] == "industry"), None),
                region_id=request.prospect_region_id
                or next((c["value"] for c in request.must if c["field"] == "region"), None),
                product=product,
                reason=reason,
            )
    except IntegrityError:
        return UnmetDemand.objects.get(request=request)
    RequestEvent.objects.create(
        request=request,
        kind=RequestEventKind.SHORT_SUPPLY,
        note=in_company_language(UnmetReason(reason).label),
    )
    return record


def deadline_reminders_send(*, today) -> dict[str, int]:
    """Remind assignees of open requests due within 72 hours and flag overdue ones, once each
    (notification keys make a second run send nothing)."""
    from ..choices import DUE_SOON_HOURS

    now = timezone.now()
    open_requests = Request.objects.open().select_related("assignee", "activity_type")
    due_soon = open_requests.filter(needed_by__gt=now, needed_by__lte=now + timedelta(hours=DUE_SOON_HOURS))
    overdue = open_requests.filter(needed_by__lte=now)
    reminded = flagged = 0
    for request in due_soon.exclude(assignee=None):
        reminded += notification_send(
            user=request.assignee,
            key=f"request:{request.pk}:due_soon",
            subject=lambda request=request: (
                _("Request #%(number)s is due within 72 hours") % {"number": request.pk}
            ),
            body=lambda request=request: (
                _("%(activity)s for %(prospect)s, needed by %(when)s.")
                % {
                    "activity": request.activity_type,
                    "prospect": request.prospect_name,
                    "when": moment(request.needed_by),
                }
            ),
            link=_link(request),
        )
    for request in overdue:
        # Unassigned overdue requests go to their requester, so someone hears about them.
        target = request.assignee or request.requester
        flagged += notification_send(
            user=target,
            key=f"request:{request.pk}:overdue",
            subject=lambda request=request: _("Request #%(number)s is overdue") % {"number": request.pk},
            body=lambda request=request: (
                _("%(activity)s for %(prospect)s was needed by %(when)s.")
                % {
                    "activity": request.activity_type,
                    "prospect": request.prospect_name,
                    "when": moment(request.needed_by),
                }
            ),
            link=_link(request),
        )
    return {"reminded_due_soon": int(reminded), "flagged_overdue": int(flagged)}
