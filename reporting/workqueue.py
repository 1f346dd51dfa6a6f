"""The manager's work queue: what needs someone today, each row a link to the thing to act on.

The one home of the operational rules ("overdue", "due within 72 hours", "waiting for the owner's
consent", "waiting for the customer's answer", "aging nomination", "stale profile", "approval
expiring soon", "near or at its cap"): the home page of managers and the Operations page both
read these selectors. It lives in reporting because one page lists requests, candidates,
nominations, profiles and approvals together; only this layer may import all of them.

Each section is one query whatever its number of rows: the rows up to ``limit`` and, through a
window count, how many there are in all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import F, Func, IntegerField, Q, QuerySet, Subquery, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import permissions as perms
from accounts.models import User
from accounts.services import notification_send
from accounts.teams import TeamScope
from approvals.choices import EXPIRY_WARNING_DAYS
from approvals.models import Approval
from ledger import capacity
from references.models import Nomination, ReferenceProfile, Staleness, program_policy
from refprogram import i18n
from refprogram.errors import RuleViolation
from requests_app.choices import DUE_SOON_HOURS, CandidateState
from requests_app.models import Candidate, Request

HOME_LIMIT = 10  # rows per section on the home page; the Operations page shows more
OPERATIONS_LIMIT = 50

CODE_NOTHING_TO_CHASE = "nothing_to_chase"
CODE_NO_ACCOUNT_OWNER = "no_account_owner"

# Whom a waiting candidate waits for: the state it waits in → the section's key.
WAITING_STATES = {
    CandidateState.PROPOSED: "waiting_owner",
    CandidateState.ASKED: "waiting_customer",
}


# --- The rules, one selector each -------------------------------------------------------------


def overdue_requests(now: dt.datetime, requests: QuerySet[Request] | None = None) -> QuerySet[Request]:
    """Open requests whose needed-by moment has passed."""
    return (
        (Request.objects.all() if requests is None else requests)
        .open()
        .filter(needed_by__lte=now)
        .order_by("needed_by", "id")
    )


def due_soon_requests(now: dt.datetime, requests: QuerySet[Request] | None = None) -> QuerySet[Request]:
    """Open requests needed within the next 72 hours (not yet overdue)."""
    return (
        (Request.objects.all() if requests is None else requests)
        .open()
        .filter(needed_by__gt=now, needed_by__lte=now + dt.timedelta(hours=DUE_SOON_HOURS))
        .order_by("needed_by", "id")
    )


def waiting_candidates(state: str, candidates: QuerySet[Candidate] | None = None) -> QuerySet[Candidate]:
    """Candidates of open requests waiting in ``state`` (the owner's consent: proposed; the
    customer's answer: asked), the longest-waiting first."""
    return (
        (Candidate.objects.all() if candidates is None else candidates)
        .filter(state=state, request__in=Request.objects.open())
        .order_by("updated_at", "id")
    )


def aging_nominations(
    now: dt.datetime, nominations: QuerySet[Nomination] | None = None
) -> QuerySet[Nomination]:
    """Open nominations submitted more than 7 days ago (``Nomination.objects.aging``)."""
    return (
        (Nomination.objects.all() if nominations is None else nominations)
        .aging(now)
        .order_by("created_at", "id")
    )


def stale_profiles(
    today: dt.date, policy: Staleness, profiles: QuerySet[ReferenceProfile] | None = None
) -> QuerySet[ReferenceProfile]:
    """Profiles in the catalog that must be re-confirmed before anyone asks them."""
    return (
        (ReferenceProfile.objects.all() if profiles is None else profiles)
        .in_catalog()
        .stale(today, policy)
        .order_by("last_validated", "id")
    )


def expiring_approvals(today: dt.date, approvals: QuerySet[Approval] | None = None) -> QuerySet[Approval]:
    """Approvals valid today that end within the warning period (``Approval.objects.expiring``)."""
    return (
        (Approval.objects.all() if approvals is None else approvals)
        .expiring(EXPIRY_WARNING_DAYS, on=today)
        .order_by("expires_on", "id")
    )


def capped_profiles(
    today: dt.date, policy, profiles: QuerySet[ReferenceProfile] | None = None
) -> QuerySet[ReferenceProfile]:
    """Profiles in the catalog near their cap (the policy's near-cap ratio) or at it."""
    threshold = float(policy.near_cap_ratio) * policy.reference_cap
    profiles = (ReferenceProfile.objects.all() if profiles is None else profiles).in_catalog()
    if 0 < threshold <= policy.reference_cap:  # only the heavily used can qualify: weigh only them
        profiles = profiles.filter(capacity.heavily_used_q(today, policy, threshold))
    return (
        profiles.with_capacity(today, policy)
        .filter(Q(cap_used__gte=threshold) | capacity.at_cap_q(policy))
        .order_by("-cap_used", "id")
    )


def capped_section_rows(
    today: dt.date, policy, profiles: QuerySet[ReferenceProfile], limit: int
) -> tuple[list[ReferenceProfile], int]:
    """:func:`capped_profiles`' first ``limit`` rows and how many it holds, without weighing every
    one of them against the ledger to sort them: first the references whose own counted use reaches
    the near-cap threshold, busiest first, from one grouped read of the ledger (their use is the
    sort key); then those only their customer's use puts at the cap, whose own use is below the
    threshold and so sorts after every one of the first. Only the rows shown are read with their
    capacity. (A threshold of zero or above the reference cap reads :func:`capped_profiles` whole.)"""
    threshold = float(policy.near_cap_ratio) * policy.reference_cap
    if not 0 < threshold <= policy.reference_cap:
        everything = capped_profiles(today, policy, profiles)
        return list(everything[:limit]), everything.count()
    in_catalog = profiles.in_catalog()
    references, customers_at_cap = capacity.heavy_use(today, policy, threshold)
    own = references.filter(reference__in=in_catalog.order_by().values("pk"))
    busiest = list(own.order_by("-used", "reference_id").values_list("reference_id", flat=True))
    listed = set(busiest)
    through_customer = [
        pk
        for pk in in_catalog.filter(customer_id__in=customers_at_cap.values("customer_id"))
        .order_by()
        .values_list("pk", flat=True)
        if pk not in listed
    ]
    shown = busiest[:limit]
    if len(shown) < limit and through_customer:
        used = dict(
            capacity.counting_usage(today, policy)
            .filter(reference_id__in=through_customer)
            .order_by()
            .values("reference_id")
            .annotate(used=Sum("points"))
            .values_list("reference_id", "used")
        )
        through_customer.sort(key=lambda pk: (-used.get(pk, 0), pk))
        shown += through_customer[: limit - len(shown)]
    rows = {p.pk: p for p in profiles.filter(pk__in=shown).with_capacity(today, policy)}
    return [rows[pk] for pk in shown], len(busiest) + len(through_customer)


def leavers_requests(requests: QuerySet[Request] | None = None) -> QuerySet[Request]:
    """Open requests whose requester or assignee has left (deactivated, e.g. by SCIM
    provisioning): someone must take them over."""
    return (
        (Request.objects.all() if requests is None else requests)
        .open()
        .filter(Q(requester__is_active=False) | Q(assignee__is_active=False))
        .order_by("needed_by", "id")
    )


# --- The queue ---------------------------------------------------------------------------------


@dataclass
class Section:
    """One list of the queue: its rows (at most the limit) and how many there are in all."""

    key: str
    title: str
    empty: str
    summary: str = ""  # the title as it reads after a count in the queue's summary ("3 overdue requests")
    rows: list = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


def _total(queryset: QuerySet) -> Subquery:
    """How many rows ``queryset`` holds, as a subquery PostgreSQL runs once (an InitPlan) beside
    the section's first rows: counting over narrow rows lets the rows' own read stop at the limit
    (a window count over the ordered rows read and sorted all of them: 24,000 stale profiles with
    their customers and contacts at 100k, 0.36 s for the home page)."""
    counted = queryset.order_by().values(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
    return Subquery(counted, output_field=IntegerField())


def _section(key: str, title: str, summary: str, empty: str, queryset: QuerySet, limit: int) -> Section:
    rows = list(queryset.annotate(queue_total=_total(queryset))[:limit])
    return Section(
        key=key,
        title=title,
        summary=summary,
        empty=empty,
        rows=rows,
        count=rows[0].queue_total if rows else 0,
    )


def work_queue(
    viewer: User,
    *,
    now: dt.datetime | None = None,
    limit: int = HOME_LIMIT,
    include_capped: bool = False,
    scope: TeamScope | None = None,
) -> dict[str, Section]:
    """What needs the viewer's program today, section by section, limited to what they may see
    and, for a manager in a team, to the team's scope (its requests and their candidates, the
    profiles in its regions, industries and products) unless they chose "All" (``scope``).

    One query per section (and one for the policy), whatever the number of rows; the near-cap list
    (``include_capped``) three or four (:func:`capped_section_rows`)."""
    scope = scope or TeamScope()
    now = now or timezone.now()
    today = timezone.localdate(now)
    policy = program_policy()
    requests = scope.apply(Request.objects.visible_to(viewer)).select_related(
        "activity_type", "requester", "assignee"
    )
    candidates = scope.apply(Candidate.objects.visible_to(viewer)).select_related(
        "request__activity_type", "reference__contact", "reference__customer__account_owner"
    )
    profiles = scope.apply(ReferenceProfile.objects.visible_to(viewer)).select_related(
        "customer__account_owner", "contact"
    )
    sections = [
        _section(
            "overdue",
            _("Overdue requests"),
            _("overdue requests"),
            _("No request is overdue."),
            overdue_requests(now, requests),
            limit,
        ),
        _section(
            "due_soon",
            _("Due within %(hours)s hours") % {"hours": DUE_SOON_HOURS},
            _("due within %(hours)s hours") % {"hours": DUE_SOON_HOURS},
            _("Nothing is due within %(hours)s hours.") % {"hours": DUE_SOON_HOURS},
            due_soon_requests(now, requests),
            limit,
        ),
        _section(
            "waiting_owner",
            _("Waiting for the account owner's consent"),
            _("waiting for the account owner's consent"),
            _("No candidate waits for an account owner."),
            waiting_candidates(CandidateState.PROPOSED, candidates),
            limit,
        ),
        _section(
            "waiting_customer",
            _("Waiting for the customer's answer"),
            _("waiting for the customer's answer"),
            _("No customer owes us an answer."),
            waiting_candidates(CandidateState.ASKED, candidates),
            limit,
        ),
        _section(
            "aging_nominations",
            _("Nominations waiting more than 7 days"),
            _("nominations waiting more than 7 days"),
            _("No nomination has waited more than 7 days."),
            aging_nominations(
                now, Nomination.objects.visible_to(viewer).select_related("customer", "nominated_by")
            ),
            limit,
        ),
        _section(
            "stale",
            _("Stale profiles to re-confirm"),
            _("stale profiles to re-confirm"),
            _("Every profile in the catalog is fresh."),
            stale_profiles(today, policy, profiles),
            limit,
        ),
        _section(
            "expiring_approvals",
            _("Approvals expiring within %(days)s days") % {"days": EXPIRY_WARNING_DAYS},
            _("approvals expiring within %(days)s days") % {"days": EXPIRY_WARNING_DAYS},
            _("No approval ends within %(days)s days.") % {"days": EXPIRY_WARNING_DAYS},
            expiring_approvals(today, Approval.objects.visible_to(viewer).select_related("customer")),
            limit,
        ),
        _section(
            "leavers",
            _("Requests of people who left, to reassign"),
            _("requests of people who left, to reassign"),
            _("No open request belongs to someone who left."),
            leavers_requests(requests),
            limit,
        ),
    ]
    if include_capped:
        rows, count = capped_section_rows(today, policy, profiles, limit)
        sections.append(
            Section(
                key="capped",
                title=_("References at or near their cap"),
                summary=_("references at or near their cap"),
                empty=_("No reference is near its cap."),
                rows=rows,
                count=count,
            )
        )
    return {section.key: section for section in sections}


# --- Chase -------------------------------------------------------------------------------------


def candidate_chase(*, candidate: Candidate, actor: User, today: dt.date | None = None) -> bool:
    """Remind the account owner about a candidate that waits: for their consent (proposed), or
    for the customer's answer (asked: the owner holds the relationship and nudges the customer;
    the customer's contact has no account). At most one reminder per candidate, state and day:
    returns False when this one was already sent today.

    Refused with 409 ``nothing_to_chase`` when the candidate waits for no one (another state, or
    its request is closed) and ``no_account_owner`` when its customer has no owner to remind."""
    if not perms.has_capability(actor, perms.TRIAGE_REQUESTS):
        raise PermissionDenied(_("Only a reference manager may chase."))
    today = today or timezone.localdate()
    request = candidate.request
    if candidate.state not in WAITING_STATES or not request.is_open:
        raise RuleViolation(CODE_NOTHING_TO_CHASE, _("This candidate is not waiting for anyone."))
    reference = candidate.reference
    customer = reference.customer
    owner = customer.account_owner
    if owner is None:
        raise RuleViolation(
            CODE_NO_ACCOUNT_OWNER,
            _("%(customer)s has no account owner to remind.") % {"customer": customer.name},
        )
    activity = request.activity_type.name.lower()
    values = {
        "contact": reference.contact.name,
        "customer": customer.name,
        "request": request.pk,
        "activity": activity,
        "prospect": request.prospect_name,
        "actor": actor,
    }
    # The reminder speaks the account owner's language (their profile's, else the company's).
    with translation.override(owner.language or i18n.default_language()):
        if candidate.state == CandidateState.PROPOSED:
            subject = _("Reminder: your consent for %(customer)s on request #%(request)s") % values
            body = (
                _(
                    "%(contact)s of %(customer)s is proposed for a %(activity)s with %(prospect)s, "
                    "and the reference manager is waiting for your consent."
                )
                % values
            )
        else:
            subject = _("Reminder: %(customer)s has not answered request #%(request)s") % values
            body = (
                _(
                    "%(contact)s of %(customer)s was asked for a %(activity)s with %(prospect)s "
                    "and has not answered yet. Could you nudge them?"
                )
                % values
            )
        body = body + "\n\n" + _("%(actor)s sent this reminder.") % values
    return notification_send(
        user=owner,
        key=f"candidate:{candidate.pk}:chase:{candidate.state}:{today.isoformat()}",
        subject=subject,
        body=body,
        link=reverse("requests:detail", args=[request.pk]),
    )
