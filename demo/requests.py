"""The demo program's requests, candidates and public-use approvals (``manage.py seed_demo``).

Runs on the inventory ``demo.inventory`` seeded and goes through the real services
(submit, propose, walk candidates, close, report outcomes, rate; request, review and decide
approvals), so the usage ledger, the histories and every rule stay true. Everything happens
now; afterwards a clock moves each step to the moment the demo says it happened (the last six
months, set-based updates), so the dashboard has trends and times to fulfil.

Deterministic: every choice comes from one ``random.Random(seed)``; dates are relative to
``today``. Bounded: at most ``MAX_REQUESTS`` requests and a pool of references read once,
whatever the size of the inventory.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Notification, User
from approvals.models import Approval, ApprovalEvent, ConsentLink
from demo.inventory import demo_users_ensure
from demo.vocabulary import INDUSTRY_WORDS, NAME_END, NAME_START, TITLES
from ledger.models import OverusePolicy, UsageEntry
from references.choices import ProfileStatus
from references.models import (
    ActivityType,
    Industry,
    ProfileEvent,
    ReferenceProfile,
    Region,
    stale_condition,
)
from refprogram import nightly
from refprogram.errors import RuleViolation
from requests_app import services
from requests_app.choices import CandidateState, OutcomeResult, RequestStatus
from requests_app.matching import MatchSpec, criterion_met, facts_of, score_row
from requests_app.matching.scoring import resolve_names
from requests_app.models import Candidate, CandidateEvent, Request, RequestEvent, UnmetDemand

from . import vocabulary as words
from .approvals import seed_approvals
from .clock import Clock, Timeline
from .teams import seed_teams

MIN_REQUESTS = 20
MAX_REQUESTS = 300
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def request_count(scale: int) -> int:
    """How many requests a demo of ``scale`` customers gets."""
    # Each request runs the real matching over the whole inventory; past 20,000 customers the
    # demo keeps a smaller stream so the seed stays within its three-minute promise.
    cap = MAX_REQUESTS if scale <= 20_000 else MAX_REQUESTS // 5
    return min(max(scale // 5, MIN_REQUESTS), cap)


@dataclass
class _Ref:
    """A reference the demo may propose, with what the caps have left for it."""

    profile: ReferenceProfile
    activities: set[str]
    used: bool = False


@dataclass
class _Seeder:
    rng: random.Random
    today: date
    now: datetime
    n: int
    users: dict[str, User]
    clock: Clock = field(default_factory=Clock)
    counts: Counter = field(default_factory=Counter)

    def setup(self) -> None:
        self.policy = OverusePolicy.current()
        self.activity = {a.code: a for a in ActivityType.objects.all()}
        self.manager = self.users["manager"]
        pool_size = max(400, self.n * 8)
        profiles = list(
            ReferenceProfile.objects.filter(status=ProfileStatus.ACTIVE)
            .exclude(stale_condition(self.policy.stale_cutoff(self.today)))
            .select_related("customer", "contact")
            .prefetch_related("activity_types", "products", "use_cases", "contact__languages")
            .order_by("pk")[:pool_size]
        )
        # A reference resting after a live activity cannot be asked for anything yet.
        resting = set(
            UsageEntry.objects.counting()
            .filter(
                reference__in=[p.pk for p in profiles],
                activity_type__live=True,
                occurred_on__gt=self.today - timedelta(days=self.policy.rest_days),
            )
            .values_list("reference_id", flat=True)
        )
        self.pool = [
            _Ref(p, {a.code for a in p.activity_types.all()}) for p in profiles if p.pk not in resting
        ]
        self.rng.shuffle(self.pool)
        # Points already counted, over the whole ledger (not only the window): the demo stays
        # under the caps on every day of its history, whatever the window.
        ids = [r.profile.pk for r in self.pool]
        customer_ids = sorted({r.profile.customer_id for r in self.pool})
        counting = UsageEntry.objects.counting().order_by()
        self.ref_points: dict[int, int] = dict(
            counting.filter(reference_id__in=ids)
            .values("reference")
            .annotate(s=Sum("points"))
            .values_list("reference", "s")
        )
        self.customer_points: dict[int, int] = dict(
            counting.filter(customer_id__in=customer_ids)
            .values("customer")
            .annotate(s=Sum("points"))
            .values_list("customer", "s")
        )
        self.approved: dict[str, set[int]] = {use: set() for use in words.PUBLIC_USE.values()}

    # --- Choosing references ---------------------------------------------------------------

    def fits(self, ref: _Ref, code: str) -> bool:
        weight = self.activity[code].weight
        p = ref.profile
        return (
            not ref.used
            and code in ref.activities
            and self.ref_points.get(p.pk, 0) + weight <= self.policy.reference_cap
            and self.customer_points.get(p.customer_id, 0) + weight <= self.policy.customer_cap
            and not (
                code in words.PUBLIC_USE
                and (p.private_only or p.customer_id not in self.approved[words.PUBLIC_USE[code]])
            )
        )

    def find(self, code: str, must: list[dict] | None = None) -> _Ref | None:
        """The first reference in the (shuffled) pool that can do ``code`` within the caps and
        meets ``must``. Private requests leave the customers with a public-use approval to the
        public ones while others fit."""
        spare = set() if code in words.PUBLIC_USE else set().union(*self.approved.values())
        spec = MatchSpec(must=must or [], ids=resolve_names(must or []))
        for ref in sorted(self.pool, key=lambda r: r.profile.customer_id in spare) if spare else self.pool:
            if self.fits(ref, code) and all(criterion_met(facts_of(ref.profile), c, spec) for c in spec.must):
                return ref
        return None

    def propose(self, request: Request, ref: _Ref, at: datetime) -> Candidate | None:
        """Propose through the service; a refusal (rest period, cap) marks the reference used."""
        ref.used = True
        self.clock.at(at)
        score = score_row(facts_of(ref.profile), MatchSpec.for_request(request), self.today)["score"]
        try:
            candidate = services.candidate_propose(
                request=request, reference=ref.profile, actor=self.manager, score=round(score, 1)
            )
        except RuleViolation:
            self.counts["refused_by_rules"] += 1
            return None
        weight = request.activity_type.weight
        self.ref_points[ref.profile.pk] = self.ref_points.get(ref.profile.pk, 0) + weight
        self.customer_points[ref.profile.customer_id] = (
            self.customer_points.get(ref.profile.customer_id, 0) + weight
        )
        return candidate

    def propose_first(self, request: Request, code: str, at: datetime) -> Candidate | None:
        for _ in range(5):
            ref = self.find(code, request.must)
            if ref is None:
                return None
            candidate = self.propose(request, ref, at)
            if candidate is not None:
                return candidate
        return None

    def walk(self, candidate: Candidate, to: str, tl: Timeline, note: str = "") -> Candidate:
        """Walk a candidate along the usual path up to ``to`` (one step per moment)."""
        path = [
            CandidateState.OWNER_APPROVED,
            CandidateState.ASKED,
            CandidateState.ACCEPTED,
            CandidateState.SCHEDULED,
            CandidateState.COMPLETED,
        ]
        if to == CandidateState.DECLINED:
            path = [CandidateState.OWNER_APPROVED, CandidateState.ASKED, CandidateState.DECLINED]
        elif to == CandidateState.COMPLETED and not candidate.request.activity_type.live:
            path.remove(CandidateState.SCHEDULED)  # nothing to schedule for a quote or a logo
        for state in path[: path.index(to) + 1]:
            at = tl.next()
            self.clock.at(at)
            scheduled = None
            extra: dict = {}
            if state == CandidateState.SCHEDULED:
                if to == CandidateState.SCHEDULED:
                    scheduled = self.now + timedelta(
                        days=self.rng.randint(2, 14), hours=self.rng.randint(0, 6)
                    )
                else:
                    # The timeline clamps at its end: the meeting starts after it was scheduled.
                    scheduled = max(tl.next(), at + timedelta(hours=1))
                extra = {"meeting_details": self.rng.choice(words.MEETING_PLACES)}
            elif state == CandidateState.COMPLETED:
                extra = {
                    "completion_notes": self.rng.choice(words.COMPLETION_NOTES),
                    "found_useful": self.rng.random() < 0.85,
                }
            candidate = services.candidate_transition(
                candidate=candidate,
                to=state,
                actor=self.manager,
                # The manager consents for the account owner (an override) only with a reason.
                note=(note if state == to else "")
                or ("The account owner agreed by phone." if state == CandidateState.OWNER_APPROVED else ""),
                scheduled_for=scheduled,
                now=at,
                **extra,
            )
        return candidate

    # --- Requests ------------------------------------------------------------------------

    def prospect(self) -> str:
        rng = self.rng
        industry = rng.choice(sorted(INDUSTRY_WORDS))
        return f"{rng.choice(NAME_START)}{rng.choice(NAME_END)} {rng.choice(INDUSTRY_WORDS[industry])}"

    def request_data(self, code: str, ref: _Ref | None, needed_by: datetime, requester: str) -> dict:
        """Prospect, opportunity and criteria drawn from the reference the request is built
        around, so the inventory has a match (must-haves it meets, nice-to-haves it mostly meets)."""
        rng = self.rng
        data: dict = {
            "activity_type": self.activity[code],
            "prospect_name": self.prospect(),
            "needed_by": needed_by,
            "references_needed": 1,
        }
        if ref is not None:
            p = ref.profile
            customer = p.customer
            products = sorted(x.name for x in p.products.all())
            use_cases = sorted(x.name for x in p.use_cases.all())
            # A peer with the product in the prospect's industry, mostly in its region too
            # (narrow must-haves also keep the ranking at submission quick on a big inventory).
            must = [
                {"field": "product", "value": rng.choice(products)},
                {"field": "industry", "value": customer.industry_id},
            ]
            if rng.random() < 0.7:
                must.append({"field": "region", "value": customer.region_id})
            nice = []
            if use_cases:
                nice.append({"field": "use_case", "value": rng.choice(use_cases)})
            if p.deployment and rng.random() < 0.6:
                nice.append({"field": "deployment", "value": p.deployment})
            if p.competitor and rng.random() < 0.5:
                nice.append({"field": "competitor", "value": p.competitor})
            if rng.random() < 0.3:
                nice.append({"field": "country", "value": customer.country})
            seniority = p.contact.seniority if rng.random() < 0.7 else rng.choice(sorted(TITLES))
            data.update(
                prospect_industry_id=customer.industry_id if rng.random() < 0.8 else None,
                prospect_region_id=customer.region_id,
                prospect_country=customer.country,
                prospect_size_band=customer.size_band,
                prospect_seniority=seniority,
                prospect_contact_title=rng.choice(TITLES[seniority]),
                criteria={"must": must, "nice": nice},
                products=[x for x in p.products.all() if x.name in {c["value"] for c in must}],
            )
        if requester != "marketing":
            data.update(
                opportunity_crm_id=f"OPP-{rng.randint(100000, 999999)}",
                opportunity_amount=Decimal(rng.randrange(20, 900) * 1000),
                opportunity_stage=rng.choice(words.STAGES),
                notes=rng.choice(words.SALES_NOTES),
            )
        else:
            data["notes"] = rng.choice(words.MARKETING_NOTES)
        # The form's fields are the model's: the service takes ids for the optional lists.
        for name in ("prospect_industry", "prospect_region"):
            if f"{name}_id" in data:
                value = data.pop(f"{name}_id")
                data[name] = self._lists[name].get(value) if value else None
        return data

    def submit(self, requester: str, data: dict, at: datetime) -> Request:
        self.clock.at(at)
        request, _ = services.request_submit(requester=self.users[requester], data=data, now=at)
        return request

    def plan(self) -> list[tuple[str, datetime]]:
        """(kind, created) for every request, oldest first: kinds in fixed proportions with a
        minimum of each, spread over the last six months (open ones are recent)."""
        n, rng = self.n, self.rng
        short = 2 + n // 150  # each costs seconds at submission on a big inventory (nearest misses)
        counts = {
            "in_progress": max(5, round(n * 0.18)),
            "submitted": max(4, round(n * 0.12)),
            "cancelled": max(1, round(n * 0.07)),
            "unfulfilled": max(1, round(n * 0.06)),
            "short_open": (short + 1) // 2,
            "short_closed": short // 2,
        }
        counts["fulfilled"] = max(3, n - sum(counts.values()))
        plan = []
        for kind, count in counts.items():
            for _ in range(count):
                if kind == "in_progress":
                    age = rng.uniform(3, 24)
                elif kind in ("submitted", "short_open"):
                    age = rng.uniform(0.1, 6)
                else:
                    age = rng.uniform(10, 182)
                plan.append((kind, self.now - timedelta(days=age)))
        plan.sort(key=lambda item: item[1])
        return plan

    def requester_and_activity(self, kind: str) -> tuple[str, str]:
        rng = self.rng
        if kind in ("fulfilled", "in_progress", "cancelled") and rng.random() < 0.2:
            return "marketing", words.pick(rng, words.MARKETING_ACTIVITIES)
        return rng.choice(["sales", "sales", "sales2"]), words.pick(rng, words.SALES_ACTIVITIES)

    def pick(self, kind: str) -> tuple[str, str, _Ref | None]:
        """Who asks, for what, and the reference the request is built around (set aside)."""
        requester, code = self.requester_and_activity(kind)
        ref = self.find(code)
        if ref is None and code != "call":
            code = "call" if requester != "marketing" else "logo_slide"
            ref = self.find(code)
            if ref is None:
                requester, code = "sales", "call"
                ref = self.find(code)
        if ref is not None:
            ref.used = True
        return requester, code, ref

    def seed(self) -> None:
        self._lists = {
            "prospect_industry": {i.pk: i for i in Industry.objects.all()},
            "prospect_region": {r.pk: r for r in Region.objects.all()},
        }
        overdue_left, due_soon_left = 2, 3
        won_first = True
        short_i = 0
        plan = self.plan()
        # The open work a newcomer sees first gets its references before the history takes
        # them (a small inventory runs out).
        picked = {i: self.pick(kind) for i, (kind, _) in enumerate(plan) if kind == "in_progress"}
        for i, (kind, created) in enumerate(plan):
            rng = self.rng
            if kind in ("short_open", "short_closed"):
                self.short_supply(
                    kind, created, words.SHORT_SUPPLY_MUSTS[short_i % len(words.SHORT_SUPPLY_MUSTS)]
                )
                short_i += 1
                continue
            requester, code, ref = picked[i] if i in picked else self.pick(kind)
            lead = timedelta(days=self.activity[code].lead_time_days)
            if kind == "submitted":
                if overdue_left:
                    overdue_left -= 1
                    needed_by = self.now - timedelta(hours=rng.randint(3, 40))
                    created = needed_by - lead - timedelta(days=rng.randint(1, 4))
                elif due_soon_left:
                    due_soon_left -= 1
                    needed_by = self.now + timedelta(hours=rng.randint(8, 68))
                else:
                    needed_by = self.now + lead + timedelta(days=rng.randint(2, 25))
            elif kind == "in_progress":
                needed_by = self.now + timedelta(days=rng.randint(2, 30))
            else:
                needed_by = created + lead + timedelta(days=rng.randint(2, 21))
            data = self.request_data(code, ref, needed_by, requester)
            if kind == "fulfilled" and rng.random() < 0.12 and code in ("call", "email"):
                data["references_needed"] = 2
            request = self.submit(requester, data, created)
            self.counts["requests"] += 1
            if kind == "submitted":
                continue
            if kind == "in_progress":
                self.in_progress(request, ref, created)
            elif kind == "fulfilled":
                won_first = self.fulfilled(request, ref, created, won_first)
            elif kind == "cancelled":
                self.cancelled(request, ref, created)
            else:
                self.unfulfilled(request, ref, created)

    def in_progress(self, request: Request, ref: _Ref | None, created: datetime) -> None:
        rng = self.rng
        end = timezone.make_aware(datetime.combine(self.today, time(0))) - timedelta(hours=rng.randint(1, 10))
        end = max(end, created + timedelta(hours=2))
        tl = Timeline(rng, created, end, steps=7)
        stages = [
            CandidateState.PROPOSED,
            CandidateState.OWNER_APPROVED,
            CandidateState.ASKED,
            CandidateState.ACCEPTED,
            CandidateState.SCHEDULED,
        ]
        candidate = self.propose(request, ref, tl.next()) if ref else None
        if candidate is None:
            candidate = self.propose_first(request, request.activity_type_id, tl.next())
        if candidate is None:
            # Nobody to propose yet: a manager took it and is looking.
            self.clock.at(tl.next())
            services.request_assign(requests=[request], assignee=self.manager, actor=self.manager)
            return
        # Each step of the candidate path in turn, so the board shows all of them.
        target = stages[self.counts["in_progress"] % len(stages)]
        self.counts["in_progress"] += 1
        if target != CandidateState.PROPOSED:
            self.walk(candidate, target, tl)
        if rng.random() < 0.3:
            self.propose_first(request, request.activity_type_id, tl.next())

    def fulfilled(self, request: Request, ref: _Ref | None, created: datetime, won_first: bool) -> bool:
        rng = self.rng
        end = min(created + timedelta(days=rng.uniform(3, 28)), self.now - timedelta(days=2))
        tl = Timeline(rng, created, end, steps=12)
        code = request.activity_type_id
        candidate = self.propose(request, ref, tl.next()) if ref else None
        if candidate is not None and rng.random() < 0.2:
            # The first customer said no; the manager found another.
            self.walk(candidate, CandidateState.DECLINED, tl, note="Too busy with a migration this month.")
            candidate = self.propose_first(request, code, tl.next())
        elif candidate is None:
            candidate = self.propose_first(request, code, tl.next())
        if candidate is None:
            self.clock.at(end)
            services.request_close_unfulfilled(
                request=request, actor=self.manager, reason=words.UNFULFILLED_REASONS[0]
            )
            return won_first
        candidates = [candidate]
        if request.references_needed > 1:
            second = self.propose_first(request, code, tl.next())
            if second is not None:
                candidates.append(second)
            else:
                # Nobody else fits: the requester agreed that one reference will do.
                self.clock.at(tl.next())
                services.request_update(request=request, actor=self.manager, data={"references_needed": 1})
        for c in candidates:
            c = self.walk(c, CandidateState.COMPLETED, tl)
            if rng.random() < 0.5:
                services.candidate_feedback_record(
                    candidate=c, actor=self.manager, feedback=rng.choice(words.FEEDBACK)
                )
        request.refresh_from_db()
        if request.status != RequestStatus.FULFILLED:
            return won_first
        after = min(end + timedelta(days=rng.uniform(1, 20)), self.now - timedelta(hours=5))
        requester = request.requester
        if request.opportunity_amount is not None and (won_first or rng.random() < 0.75):
            won = won_first or rng.random() < 0.65
            self.clock.at(after)
            amount = request.opportunity_amount * Decimal(rng.choice(["0.8", "1", "1", "1.15"]))
            services.request_outcome(
                request=request,
                actor=requester,
                result=OutcomeResult.WON if won else OutcomeResult.LOST,
                amount=amount.quantize(Decimal("1")) if won else None,
            )
            won_first = False
        if rng.random() < 0.85:
            rating = words.pick(rng, [(5, 45), (4, 40), (3, 15)])
            self.clock.at(after + timedelta(hours=1))
            services.request_rate(
                request=request,
                actor=requester,
                rating=rating,
                comment=rng.choice(words.RATING_COMMENTS[rating]),
            )
        return won_first

    def cancelled(self, request: Request, ref: _Ref | None, created: datetime) -> None:
        rng = self.rng
        end = min(created + timedelta(days=rng.uniform(1, 20)), self.now - timedelta(days=1))
        tl = Timeline(rng, created, end, steps=4)
        if ref is not None and rng.random() < 0.6:
            self.propose(request, ref, tl.next())
        self.clock.at(end)
        by = request.requester if rng.random() < 0.7 else self.manager
        services.request_cancel(request=request, actor=by, reason=rng.choice(words.CANCEL_REASONS))

    def unfulfilled(self, request: Request, ref: _Ref | None, created: datetime) -> None:
        rng = self.rng
        end = min(created + timedelta(days=rng.uniform(4, 25)), self.now - timedelta(days=1))
        tl = Timeline(rng, created, end, steps=6)
        candidate = self.propose(request, ref, tl.next()) if ref else None
        reason = words.UNFULFILLED_REASONS[0]
        if candidate is not None:
            self.walk(
                candidate,
                CandidateState.DECLINED,
                tl,
                note="Not taking reference calls until the audit ends.",
            )
            reason = words.UNFULFILLED_REASONS[1]
        self.clock.at(end)
        services.request_close_unfulfilled(request=request, actor=self.manager, reason=reason)

    def short_supply(self, kind: str, created: datetime, must: tuple[str, str, str]) -> None:
        """A request whose must-haves nobody meets: the service records the unmet demand."""
        rng = self.rng
        field_name, value, region = must
        product = rng.choice(sorted({p.name for r in self.pool for p in r.profile.products.all()}) or [""])
        criteria = {"must": [{"field": field_name, "value": value}]}
        if product:
            criteria["must"].append({"field": "product", "value": product})
        industry = rng.choice(sorted(self._lists["prospect_industry"]))
        data = {
            "activity_type": self.activity["call"],
            "prospect_name": self.prospect(),
            "prospect_region": self._lists["prospect_region"].get(region),
            "prospect_industry": self._lists["prospect_industry"][industry],
            "prospect_country": value if field_name == "country" else "",
            "criteria": criteria,
            "needed_by": created + timedelta(days=rng.randint(10, 25)),
            "opportunity_crm_id": f"OPP-{rng.randint(100000, 999999)}",
            "opportunity_amount": Decimal(rng.randrange(50, 600) * 1000),
            "opportunity_stage": rng.choice(words.STAGES),
            "notes": "The prospect insists on a peer "
            + (f"in {value}." if field_name == "country" else "who speaks their language."),
        }
        request = self.submit(rng.choice(["sales", "sales2"]), data, created)
        self.counts["requests"] += 1
        if kind == "short_closed":
            self.clock.at(created + timedelta(days=rng.randint(3, 9)))
            services.request_close_unfulfilled(
                request=request, actor=self.manager, reason=words.SHORT_SUPPLY_REASON
            )

    # --- Approvals -----------------------------------------------------------------------

    def backdate(self, started: datetime) -> None:
        """Move every row written since ``started`` to the moment the demo says it happened
        (set-based: one UPDATE per model and batch)."""
        clock = self.clock
        moves = [
            (Request, ["created_at", "closed_at", "outcome_reported_at", "updated_at"]),
            (RequestEvent, ["created_at"]),
            (Candidate, ["created_at", "updated_at"]),
            (CandidateEvent, ["created_at"]),
            (UnmetDemand, ["created_at"]),
            (ProfileEvent, ["created_at"]),
            (Approval, ["created_at", "decided_at", "updated_at"]),
            (ApprovalEvent, ["created_at"]),
            (ConsentLink, ["created_at", "expires_at"]),
            (Notification, ["created_at"]),
        ]
        for model, names in moves:
            rows = list(model.objects.filter(created_at__gte=started).only("pk", *names))
            for row in rows:
                for name in names:
                    setattr(row, name, clock(getattr(row, name)))
            model.objects.bulk_update(rows, names, batch_size=500)
        entries = list(
            UsageEntry.objects.filter(created_at__gte=started).only("pk", "created_at", "occurred_on")
        )
        for entry in entries:
            entry.created_at = clock(entry.created_at)
            entry.occurred_on = timezone.localdate(entry.created_at)
        UsageEntry.objects.bulk_update(entries, ["created_at", "occurred_on"], batch_size=500)
        # What happened to closed requests was read long ago; open work stays unread.
        closed = Request.objects.exclude(status__in=(RequestStatus.SUBMITTED, RequestStatus.IN_PROGRESS))
        links = [f"/requests/{pk}/" for pk in closed.values_list("pk", flat=True)]
        for start in range(0, len(links), 500):
            Notification.objects.filter(link__in=links[start : start + 500], read_at__isnull=True).update(
                read_at=self.now
            )


def seed_requests(*, seed: int, today: date, scale: int) -> dict[str, int]:
    """Add a demo program's requests (every status, candidates at every step, outcomes and
    ratings, unmet demand) and public-use approvals to the seeded inventory, then run the
    nightly checks once so a metrics snapshot exists. Returns what it created.

    ``today`` must be the real date: the services date what they write by the clock."""
    rng = random.Random(seed)
    started = timezone.now()
    now = started if today == timezone.localdate() else timezone.make_aware(datetime.combine(today, time(12)))
    # Dozens of notifications go out as the demo runs: keep their emails off the console.
    with override_settings(EMAIL_BACKEND=LOCMEM), transaction.atomic():
        seeder = _Seeder(rng=rng, today=today, now=now, n=request_count(scale), users=demo_users_ensure())
        seeder.setup()
        seed_teams(seeder.users)  # before the requests: they route to the team owning their region
        seed_approvals(seeder)
        seeder.seed()
        seeder.backdate(started)
        nightly.run_all(today)
    counts = {
        "requests": Request.objects.count(),
        "candidates": Candidate.objects.count(),
        "approvals": Approval.objects.count(),
        "unmet demand": UnmetDemand.objects.count(),
    }
    return counts
