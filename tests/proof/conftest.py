"""A small world with one object of each kind, so every route with an id can be filled in.

Two sales reps: ``sales1`` owns the customer and made ``own_request``; ``sales2`` made
``other_request`` (sales1 must not see it: 404). Every user has an API token.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Team
from accounts.services import api_token_create
from approvals import services as approvals
from approvals.models import Approval
from integrations.models import WebhookDelivery, WebhookSubscription
from ledger.holds import hold_create
from ledger.models import UsageEntry
from references.models import ActivityType, Industry, Program, Region
from references.services.custom_fields import custom_field_create
from reporting.models import StrategicTarget
from requests_app import services as requests
from tests.factories import (
    ContactFactory,
    CustomerFactory,
    NominationFactory,
    ProductFactory,
    ReferenceProfileFactory,
    UseCaseFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and cached pages of one test never leak into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private_media"


@dataclass
class World:
    customer: object
    hidden_customer: object
    contact: object
    free_contact: object
    profile: object
    retired: object
    nomination: object
    sales_nomination: object
    own_request: object
    other_request: object
    candidate: object
    other_candidate: object
    usage: object
    approval: object
    approved: object
    consent_token: str
    target: object
    product: object
    use_case: object
    program: object
    sales2: object
    tokens: dict
    hold: object = None
    webhook: object = None
    delivery: object = None
    team: object = None  # EMEA, with the manager in it (teams' routes; the team dimension)

    def ids(self) -> dict[str, object]:
        """Values for the placeholders of the route tables."""
        return {
            "customer": self.customer.pk,
            "hidden_customer": self.hidden_customer.pk,
            "contact": self.contact.pk,
            "free_contact": self.free_contact.pk,
            "profile": self.profile.pk,
            "retired": self.retired.pk,
            "nomination": self.nomination.pk,
            "sales_nomination": self.sales_nomination.pk,
            "own_request": self.own_request.pk,
            "other_request": self.other_request.pk,
            "candidate": self.candidate.pk,
            "other_candidate": self.other_candidate.pk,
            "usage": self.usage.pk,
            "approval": self.approval.pk,
            "approved": self.approved.pk,
            "token": self.consent_token,
            "target": self.target.pk,
            "product": self.product.pk,
            "use_case": self.use_case.pk,
            "program": self.program.pk,
            "hold": self.hold.pk,
            "webhook": self.webhook.pk,
            "delivery": self.delivery.pk,
            "team": self.team.pk,
            "custom_field": "tier",
            "industry": "finance",
            "region": "emea",
            "activity_type": "call",
        }


@pytest.fixture
def world(users) -> World:
    manager, sales1, marketing = users["manager"], users["sales"], users["marketing"]
    sales2 = UserFactory(username="sales2", role="sales")
    today = timezone.localdate()
    customer = CustomerFactory(
        name="Acme Corp",
        account_owner=sales1,
        industry=Industry.objects.get(code="finance"),
        region=Region.objects.get(code="emea"),
        health_updated=today - timedelta(days=5),
    )
    contact = ContactFactory(customer=customer, email="dana@acme.example", seniority="vp")
    profile = ReferenceProfileFactory(
        contact=contact,
        customer=customer,
        status="active",
        last_validated=today - timedelta(days=5),
        activity_types=["call", "email"],
    )
    # sales2's request gets a profile of a customer sales1 does not own: sales1 cannot see it.
    elsewhere = CustomerFactory(name="Initrode", health_updated=today - timedelta(days=5))
    second = ReferenceProfileFactory(
        contact=ContactFactory(customer=elsewhere),
        customer=elsewhere,
        status="active",
        last_validated=today - timedelta(days=5),
        activity_types=["call", "email"],
    )
    retired = ReferenceProfileFactory(status="retired")
    needed_by = timezone.now() + timedelta(days=30)
    data = {
        "activity_type": ActivityType.objects.get(code="call"),
        "prospect_name": "Globex",
        "needed_by": needed_by,
    }
    own_request, _ = requests.request_submit(requester=sales1, data=dict(data))
    other_request, _ = requests.request_submit(requester=sales2, data={**data, "prospect_name": "Initech"})
    candidate = requests.candidate_propose(request=own_request, reference=profile, actor=manager)
    other_candidate = requests.candidate_propose(request=other_request, reference=second, actor=manager)
    approval = approvals.approval_request(
        customer=customer, use="logo", requested_by=marketing, scope=["website"], contact=contact
    )
    approved = Approval.objects.create(
        customer=customer,
        use="name",
        status="approved",
        scope=["website"],
        expires_on=today + timedelta(days=90),
        approver_name="Dana",
        decided_at=timezone.now(),
    )
    sent = approvals.approval_send_link(approval=approval, by=manager, base_url="http://testserver")
    approval.refresh_from_db()
    # A manual hold on Initrode from tomorrow: it has an id to read and end, and holds nothing today.
    hold = hold_create(
        actor=manager,
        customer=elsewhere,
        reason="M&A quiet period",
        starts_on=today + timedelta(days=1),
        ends_on=today + timedelta(days=20),
    )
    # An outbound webhook with one delivery in its log (nothing is sent: the test's transaction
    # never commits).
    webhook = WebhookSubscription.objects.create(
        url="https://hooks.example.com/refprogram",
        events=["request.submitted"],
        secret="s" * 32,
        created_by=manager,
    )
    delivery = WebhookDelivery.objects.create(
        subscription=webhook, event="request.submitted", event_id=uuid.uuid4(), body="{}", status="succeeded"
    )
    # A team (EMEA) with the manager in it; it edits anywhere, so the tables above hold as they are
    # (the team dimension: test_access_matrix.test_team_scope).
    team = Team.objects.create(name="EMEA", scope=["region=emea"])
    team.members.set([manager])
    custom_field_create(on="profile", slug="tier", kind="yes_no", label_en="Tier one")
    tokens = {role: api_token_create(user=user)[1] for role, user in users.items()}
    tokens["sales2"] = api_token_create(user=sales2)[1]
    return World(
        customer=customer,
        hidden_customer=retired.customer,
        contact=contact,
        free_contact=ContactFactory(customer=customer),
        profile=profile,
        retired=retired,
        # Vetted (all three checks passed), so that accepting it is allowed (nomination_accept).
        nomination=NominationFactory(
            customer=customer,
            nominated_by=marketing,
            strategic_fit=True,
            health_ok=True,
            owner_consent=True,
        ),
        sales_nomination=NominationFactory(customer=customer, nominated_by=sales1),
        own_request=own_request,
        other_request=other_request,
        candidate=candidate,
        other_candidate=other_candidate,
        usage=UsageEntry.objects.get(pk=candidate.usage_id),
        approval=approval,
        approved=approved,
        consent_token=sent.token,
        target=StrategicTarget.objects.create(dimension="industry", value="finance", target_share=50),
        product=ProductFactory(),
        use_case=UseCaseFactory(),
        program=Program.objects.get(name="Community"),
        sales2=sales2,
        tokens=tokens,
        hold=hold,
        webhook=webhook,
        delivery=delivery,
        team=team,
    )
