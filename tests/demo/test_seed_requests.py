"""``manage.py seed_demo`` seeds the whole product: requests in every state, candidates at every
step, outcomes, ratings, unmet demand, public-use approvals and a metrics snapshot — within the caps."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from approvals.choices import ApprovalStatus
from approvals.models import Approval
from approvals.services import approvals_missing_for_activity
from demo.requests import request_count
from demo.vocabulary import DEMO_PASSWORD
from ledger.models import OverusePolicy, UsageEntry
from references.models import Customer
from reporting.models import MetricSnapshot
from requests_app.choices import CandidateState, RequestStatus, UnmetReason
from requests_app.models import Candidate, Request, RequestEvent, UnmetDemand

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    return seed("--scale", "30", "--seed", "4")


def test_requests_cover_every_status_and_candidate_step(seeded):
    today = timezone.localdate()

    assert "requests" in seeded and "Demo logins:" in seeded
    assert Request.objects.count() == request_count(30)
    assert set(Request.objects.values_list("status", flat=True)) == set(RequestStatus.values)
    assert {"sales", "sales2", "marketing"} <= set(
        Request.objects.values_list("requester__username", flat=True)
    )
    states = set(Candidate.objects.values_list("state", flat=True))
    assert {"proposed", "owner_approved", "asked", "accepted", "scheduled", "completed", "declined"} <= states

    submitted = Request.objects.filter(status=RequestStatus.SUBMITTED)
    assert submitted.filter(assignee=None).exists()
    urgencies = {r.urgency()["level"] for r in submitted}
    assert {"overdue", "due_soon"} <= urgencies

    won = Request.objects.filter(status=RequestStatus.FULFILLED, outcome_result="won")
    assert won.exists() and not won.filter(outcome_amount=None).exists()
    ratings = set(Request.objects.exclude(rating=None).values_list("rating", flat=True))
    assert ratings and ratings <= {3, 4, 5}
    for request in Request.objects.filter(status=RequestStatus.FULFILLED).annotate(
        done=Count("candidates", filter=Q(candidates__state=CandidateState.COMPLETED))
    ):
        assert request.done >= request.references_needed
    closed = Request.objects.filter(status__in=[RequestStatus.CANCELLED, RequestStatus.UNFULFILLED])
    assert not closed.filter(closed_reason="").exists()
    # Demand nobody can meet is recorded, by the service, at submission.
    assert UnmetDemand.objects.filter(reason=UnmetReason.NO_MATCH).count() >= 2
    assert UnmetDemand.objects.filter(reason=UnmetReason.CLOSED_UNFULFILLED).exists()

    # History: spread over months, closed after created, never in the future.
    span = Request.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert span["last"] - span["first"] > timedelta(days=90)
    for request in Request.objects.exclude(closed_at=None):
        assert request.created_at < request.closed_at < timezone.now()
        times = list(RequestEvent.objects.filter(request=request).values_list("created_at", flat=True))
        assert min(times) >= request.created_at - timedelta(seconds=1)
    assert MetricSnapshot.objects.filter(date=today).exists()


def test_the_ledger_has_one_row_per_candidate_and_no_over_asks(seeded):
    policy = OverusePolicy.current()
    today = timezone.localdate()

    candidates = list(Candidate.objects.select_related("usage"))
    assert candidates
    assert all(c.usage is not None and c.usage.source == f"candidate:{c.pk}" for c in candidates)
    assert UsageEntry.objects.filter(source__startswith="candidate:").count() == len(candidates)
    assert not UsageEntry.objects.filter(occurred_on__gte=today).exists()

    # Counted points per reference and per customer, over the whole ledger (so within any
    # window too), never above the caps unless a manager overrode them.
    counting = UsageEntry.objects.counting().order_by()
    overridden = set(counting.filter(override=True).values_list("reference", flat=True))
    per_reference = counting.values("reference").annotate(s=Sum("points"))
    assert max(r["s"] for r in per_reference if r["reference"] not in overridden) <= policy.reference_cap
    per_customer = counting.values("customer").annotate(s=Sum("points"))
    assert max(r["s"] for r in per_customer) <= policy.customer_cap


def test_approvals_in_several_statuses_and_public_requests_use_approved_customers(seeded):
    today = timezone.localdate()

    approvals = Approval.objects.all()
    assert approvals.count() >= 12
    assert approvals.values("customer").distinct().count() >= 8
    statuses = set(approvals.values_list("status", flat=True))
    assert {
        ApprovalStatus.APPROVED,
        ApprovalStatus.IN_REVIEW,
        ApprovalStatus.REQUESTED,
        ApprovalStatus.DECLINED,
        ApprovalStatus.EXPIRED,
    } <= statuses
    assert Approval.objects.expiring(30, today).exists()
    assert Approval.objects.valid(today).filter(use="quote").exclude(quote_text="").exists()

    public = Candidate.objects.filter(request__activity_type__kind="public").exclude(
        state__in=[CandidateState.WITHDRAWN, CandidateState.DECLINED]
    )
    assert public.exists()
    for candidate in public.select_related("reference__customer", "request__activity_type"):
        assert not candidate.reference.private_only
        assert (
            approvals_missing_for_activity(
                customer=candidate.reference.customer, activity_type=candidate.request.activity_type
            )
            == []
        )


class Discard(Exception):
    pass


def fingerprint() -> str:
    lines = [
        f"R|{r.prospect_name}|{r.requester.username}|{r.activity_type_id}|{r.status}|{r.references_needed}|"
        f"{r.outcome_result}|{r.outcome_amount}|{r.rating}|{r.closed_reason}|{r.criteria}|"
        f"{sorted(c.state for c in r.candidates.all())}"
        for r in Request.objects.select_related("requester").prefetch_related("candidates")
    ]
    lines += [
        f"A|{a.customer.crm_id}|{a.use}|{a.status}|{a.quote_text}"
        for a in Approval.objects.select_related("customer")
    ]
    lines += [
        f"U|{u.request.prospect_name}|{u.reason}" for u in UnmetDemand.objects.select_related("request")
    ]
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest() + f"/{len(lines)}"


def seeded_fingerprint(*args) -> str:
    try:
        with transaction.atomic():
            seed(*args)
            result = fingerprint()
            raise Discard
    except Discard:
        pass
    assert not Request.objects.exists() and not Customer.objects.exists()
    return result


def test_the_same_seed_gives_the_same_requests():
    first = seeded_fingerprint("--scale", "20", "--seed", "5")
    second = seeded_fingerprint("--scale", "20", "--seed", "5")
    other = seeded_fingerprint("--scale", "20", "--seed", "6")

    assert first == second
    assert other != first


def test_the_demo_manager_sees_a_live_program(seeded):
    client = Client()
    assert client.login(username="manager", password=DEMO_PASSWORD)
    fulfilled = Request.objects.filter(status=RequestStatus.FULFILLED).first()
    in_progress = Request.objects.filter(status=RequestStatus.IN_PROGRESS).first()

    queue = client.get(reverse("requests:queue"))
    dashboard = client.get(reverse("reporting:dashboard"))
    board = client.get(reverse("approval-board"))
    library = client.get(reverse("approval-library"))
    details = [client.get(reverse("requests:detail", args=[r.pk])) for r in (fulfilled, in_progress)]

    assert queue.status_code == 200
    open_one = Request.objects.filter(status=RequestStatus.SUBMITTED).first()
    assert open_one.prospect_name in queue.content.decode()
    assert dashboard.status_code == 200
    assert board.status_code == 200 and library.status_code == 200
    quote = Approval.objects.filter(status=ApprovalStatus.APPROVED, use="quote").first()
    assert quote.customer.name in library.content.decode()
    assert [d.status_code for d in details] == [200, 200]
    assert fulfilled.prospect_name in details[0].content.decode()


@pytest.mark.django_db(transaction=True)
def test_seeding_sends_no_email_to_the_console(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    seed("--scale", "8", "--seed", "2")

    assert Request.objects.exists() and User.objects.filter(username="manager").exists()
    assert "Subject:" not in capsys.readouterr().out
