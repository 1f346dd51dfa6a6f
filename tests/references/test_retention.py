"""Retention (#18 part 5): a person with no activity and no valid consent for the policy's months
(24) is listed for review by the nightly check; a manager keeps them (with a reason, which
restarts the clock) or lets it run; after the grace period (30 days) the nightly check erases them
through the erasure service, and the program's counts do not move. Running the night twice
changes nothing the second time, and the managers' morning digest goes out once."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from ledger.models import OverusePolicy, UsageEntry
from references.models import Contact, ContactConsent, months_before
from references.services.retention import retention_keep
from refprogram import nightly
from tests.factories import ContactFactory, CustomerFactory, ReferenceProfileFactory, UsageEntryFactory

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")


def test_months_before_counts_calendar_months():
    assert months_before(date(2026, 12, 1), 24) == date(2024, 12, 1)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)  # the shorter month's last day
    assert months_before(date(2026, 1, 15), 25) == date(2023, 12, 15)


def _created(contact, day: date) -> None:
    Contact.objects.filter(pk=contact.pk).update(
        created_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    )


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def people(db, today):
    """Five people added 26 months ago: two last active 25 months ago without a valid consent
    (one of them never consented, one whose consent expired), one with a valid consent, one
    active two months ago, one a manager kept a month ago; and one added yesterday."""
    long_ago = months_before(today, 26)
    customer = CustomerFactory(name="Quiet Corp")

    def person(name: str, *, used_months_ago: int | None = 25):
        # Each their own phone (the erasure sweep replaces a person's phone number everywhere).
        phone = f"+1 555 01{len(name):02d}{ord(name[0]):03d}"
        profile = ReferenceProfileFactory(contact=ContactFactory(customer=customer, name=name, phone=phone))
        if used_months_ago is not None:
            UsageEntryFactory(reference=profile, occurred_on=months_before(today, used_months_ago))
        _created(profile.contact, long_ago)
        return profile.contact

    quiet = person("Quentin Quiet")
    expired = person("Edna Expired")
    ContactConsent.objects.create(
        contact=expired,
        scope="quote",
        method="link",
        text_version="v1",
        given_on=months_before(today, 30),
        expires_on=months_before(today, 25),
    )
    consented = person("Connie Consent")
    ContactConsent.objects.create(
        contact=consented, scope="named", method="signed_document", text_version="v1", given_on=long_ago
    )
    recent = person("Rita Recent", used_months_ago=2)
    kept = person("Kim Kept")
    Contact.objects.filter(pk=kept.pk).update(
        retention_kept_on=today - timedelta(days=31), retention_kept_reason="Case study in spring"
    )
    newcomer = ContactFactory(customer=customer, name="Ned Newcomer", phone="+1 555 0100")
    _created(newcomer, today - timedelta(days=1))
    return {
        "quiet": quiet,
        "expired": expired,
        "consented": consented,
        "recent": recent,
        "kept": kept,
        "newcomer": newcomer,
    }


def _due() -> set[str]:
    due = Contact.objects.filter(retention_review_since__isnull=False, erased_at__isnull=True)
    return set(due.values_list("name", flat=True))


def test_inactive_people_without_a_valid_consent_are_listed_for_review(people, today):
    result = nightly.run_all(today=today, only=["retention"])

    assert result["retention"] == {
        "retention_active_again": 0,
        "retention_due_for_review": 2,
        "retention_erased": 0,
    }
    assert _due() == {"Quentin Quiet", "Edna Expired"}
    assert Contact.objects.get(pk=people["quiet"].pk).retention_review_since == today


def test_after_the_grace_period_they_are_erased_through_the_erasure_service(
    people, today, api_as, users, django_capture_on_commit_callbacks
):
    nightly.run_all(today=today, only=["retention"])
    period = {"from": months_before(today, 27).isoformat(), "to": today.isoformat()}
    executive = api_as(users["executive"])
    before = executive.get("/api/v1/metrics/summary/", period).json()
    entries = UsageEntry.objects.count()

    # Day 29 of the grace period: not yet.
    assert (
        nightly.run_all(today=today + timedelta(days=29), only=["retention"])["retention"]["retention_erased"]
        == 0
    )
    result = nightly.run_all(today=today + timedelta(days=30), only=["retention"])

    assert result["retention"]["retention_erased"] == 2
    quiet = Contact.objects.get(pk=people["quiet"].pk)
    assert quiet.erased_at is not None
    assert quiet.name == f"Erased contact #{quiet.pk}"
    assert quiet.left_program_at is not None
    assert not Contact.objects.filter(name__in=["Quentin Quiet", "Edna Expired"]).exists()
    last = Contact.history.filter(id=quiet.pk).latest("history_date")
    assert last.history_change_reason.startswith("Erased: retention: no activity")
    assert last.history_user is None  # the nightly check, not a person
    # The others are untouched.
    assert Contact.objects.filter(erased_at__isnull=False).count() == 2
    # The ledger keeps its entries; the dashboard's numbers for the period do not move (only the
    # names in the most-used list and who is available now).
    assert UsageEntry.objects.count() == entries
    after = executive.get("/api/v1/metrics/summary/", period).json()
    assert [{**row, "contact": ""} for row in after.pop("most_used")] == [
        {**row, "contact": ""} for row in before.pop("most_used")
    ]
    for moved in ("heatmap", "supply_demand"):
        after.pop(moved), before.pop(moved)
    assert after == before
    # Off the review list, and nothing more to do the same day.
    assert nightly.run_all(today=today + timedelta(days=30), only=["retention"])["retention"] == {
        "retention_active_again": 0,
        "retention_due_for_review": 0,
        "retention_erased": 0,
    }


def test_a_kept_person_is_not_erased_and_the_clock_restarts(people, today, client_as, manager):
    nightly.run_all(today=today, only=["retention"])
    browser = client_as(manager)

    refused = browser.post(f"/contacts/{people['quiet'].pk}/retention/keep/", {"reason": "  "}, follow=True)
    assert "was not kept" in refused.content.decode()
    assert Contact.objects.get(pk=people["quiet"].pk).retention_review_since == today

    response = browser.post(f"/contacts/{people['quiet'].pk}/retention/keep/", {"reason": "Keynote in May"})
    assert response.status_code == 302
    quiet = Contact.objects.get(pk=people["quiet"].pk)
    assert (quiet.retention_review_since, quiet.retention_kept_on, quiet.retention_kept_reason) == (
        None,
        today,
        "Keynote in May",
    )
    kept = Contact.history.filter(id=quiet.pk).latest("history_date")
    assert (kept.history_change_reason, kept.history_user) == ("Kept (retention): Keynote in May", manager)

    result = nightly.run_all(today=today + timedelta(days=30), only=["retention"])
    assert result["retention"]["retention_erased"] == 1  # Edna only
    assert Contact.objects.get(pk=quiet.pk).erased_at is None
    # Kept today: due again only after another 24 months without activity.
    two_years = months_before(today, -24)
    nightly.run_all(today=two_years, only=["retention"])
    assert "Quentin Quiet" not in _due()
    nightly.run_all(today=two_years + timedelta(days=1), only=["retention"])
    assert "Quentin Quiet" in _due()


def test_a_person_active_again_leaves_the_review_list(people, today):
    nightly.run_all(today=today, only=["retention"])
    profile = people["quiet"].profiles.get()
    UsageEntryFactory(reference=profile, occurred_on=today + timedelta(days=3))

    result = nightly.run_all(today=today + timedelta(days=4), only=["retention"])

    assert result["retention"]["retention_active_again"] == 1
    assert _due() == {"Edna Expired"}
    assert Contact.objects.get(pk=people["quiet"].pk).erased_at is None


def test_a_new_consent_takes_them_off_the_list(people, today):
    nightly.run_all(today=today, only=["retention"])
    ContactConsent.objects.create(
        contact=people["expired"], scope="quote", method="link", text_version="v2", given_on=today
    )
    result = nightly.run_all(today=today + timedelta(days=1), only=["retention"])
    assert result["retention"]["retention_active_again"] == 1
    assert _due() == {"Quentin Quiet"}


def test_keeping_an_erased_person_is_refused(people, today, manager):
    from references.services import contact_erase
    from refprogram.errors import RuleViolation

    contact_erase(contact=people["quiet"], reason="asked", by=manager)
    with pytest.raises(RuleViolation) as refused:
        retention_keep(contact=people["quiet"], reason="x", by=manager)
    assert refused.value.code == "already_erased"


def test_the_nightly_run_twice_changes_nothing_and_the_digest_goes_once(
    people, today, manager, django_capture_on_commit_callbacks
):
    manager.email = "rm@example.com"
    manager.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = nightly.run_all(today=today)
    assert first["retention"]["retention_due_for_review"] == 2
    digests = Notification.objects.filter(user=manager, key=f"nightly_digest:{today.isoformat()}")
    assert digests.count() == 1
    digest = digests.get()
    assert digest.link == "/contacts/retention/"
    assert "- retention: due for review 2" in digest.body
    sent = [m for m in mail.outbox if m.to == ["rm@example.com"]]
    assert len(sent) == 1 and sent[0].subject == digest.subject
    before = (_due(), Notification.objects.count(), len(mail.outbox), Contact.history.count())

    with django_capture_on_commit_callbacks(execute=True):
        second = nightly.run_all(today=today)

    assert all(value == 0 for changes in second.values() for value in changes.values()), second
    assert (_due(), Notification.objects.count(), len(mail.outbox), Contact.history.count()) == before


def test_the_review_page_lists_them_for_managers_only(
    people, today, client_as, manager, users, django_assert_num_queries
):
    nightly.run_all(today=today, only=["retention"])
    browser = client_as(manager)
    browser.get("/contacts/retention/")  # warm the session and the policy's cache
    # session, user, policy, count, rows, notifications badge
    with django_assert_num_queries(6):
        response = browser.get("/contacts/retention/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Quentin Quiet" in page and "Edna Expired" in page and "Connie Consent" not in page
    erase_on = (today + timedelta(days=30)).isoformat()
    assert erase_on in page
    assert f'href="/contacts/{people["quiet"].pk}/erase/"' in page
    # Twice the people: the same number of queries.
    for index in range(3):
        extra = ContactFactory(customer=people["quiet"].customer, name=f"Extra {index}")
        Contact.objects.filter(pk=extra.pk).update(retention_review_since=today)
    with django_assert_num_queries(6):
        browser.get("/contacts/retention/")
    assert client_as(users["sales"]).get("/contacts/retention/").status_code == 403
    assert client_as(users["executive"]).get("/contacts/retention/").status_code == 403


def test_the_review_list_and_keep_in_the_api(people, today, api_as, manager, users):
    nightly.run_all(today=today, only=["retention"])
    client = api_as(manager)

    listed = client.get("/api/v1/contacts/retention/")
    assert listed.status_code == 200, listed.content
    rows = listed.json()["results"]
    assert [row["name"] for row in rows] == ["Quentin Quiet", "Edna Expired"]  # same day: by id
    assert rows[0]["retention_review_since"] == today.isoformat()
    assert rows[0]["erase_on"] == (today + timedelta(days=30)).isoformat()

    kept = client.post(f"/api/v1/contacts/{people['quiet'].pk}/retention/keep/", {"reason": "Board member"})
    assert kept.status_code == 200, kept.content
    assert kept.json()["retention_review_since"] is None
    assert kept.json()["erase_on"] is None
    assert kept.json()["retention_kept_reason"] == "Board member"
    assert client.post(f"/api/v1/contacts/{people['quiet'].pk}/retention/keep/", {}).status_code == 400
    assert [r["name"] for r in client.get("/api/v1/contacts/retention/").json()["results"]] == [
        "Edna Expired"
    ]
    assert api_as(users["executive"]).get("/api/v1/contacts/retention/").status_code == 403
    assert api_as(None).get("/api/v1/contacts/retention/").status_code == 401


def test_the_policy_page_sets_retention(client_as, manager):
    browser = client_as(manager)
    page = browser.get("/policy/").content.decode()
    assert 'name="retention_months"' in page and 'name="notice_auto_send"' in page
    policy = OverusePolicy.current()
    assert (policy.retention_months, policy.retention_grace_days, policy.notice_auto_send) == (24, 30, False)


def test_the_policy_api_bounds_the_retention_settings(api_as, manager):
    client = api_as(manager)
    too_short = client.patch("/api/v1/policy/", {"retention_months": 0}, format="json")
    assert too_short.status_code == 400 and "retention_months" in too_short.json()
    saved = client.patch(
        "/api/v1/policy/",
        {"retention_months": 36, "retention_grace_days": 14, "notice_auto_send": True},
        format="json",
    )
    assert saved.status_code == 200, saved.content
    policy = OverusePolicy.current()
    assert (policy.retention_months, policy.retention_grace_days, policy.notice_auto_send) == (36, 14, True)


def test_an_ask_in_a_request_is_activity(people, today, users, manager):
    from references.models import ActivityType
    from requests_app.models import Candidate, CandidateEvent
    from requests_app.services import candidate_propose, request_submit

    profile = people["quiet"].profiles.get()
    profile.activity_types.set(ActivityType.objects.filter(code="call"))
    request, _ = request_submit(
        requester=users["sales"],
        data={
            "activity_type": ActivityType.objects.get(code="call"),
            "prospect_name": "Prospect Inc",
            "needed_by": timezone.now() + timedelta(days=30),
            "references_needed": 1,
            "criteria": {"must": [], "nice": []},
        },
    )
    candidate = candidate_propose(request=request, reference=profile, actor=manager)
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    # Only the ask, not the ledger entry it reserved, keeps Quentin here.
    UsageEntry.objects.filter(reference=profile, occurred_on__gt=long_ago.date()).update(
        occurred_on=long_ago.date()
    )
    nightly.run_all(today=today, only=["retention"])
    assert _due() == {"Edna Expired"}  # asked today: Quentin is active

    # The ask itself long ago, but a step of it (an answer) two months ago still counts.
    Candidate.objects.filter(pk=candidate.pk).update(created_at=long_ago)
    CandidateEvent.objects.filter(candidate=candidate).update(created_at=long_ago)
    CandidateEvent.objects.filter(candidate=candidate).order_by("id").filter(
        pk=CandidateEvent.objects.filter(candidate=candidate).order_by("id").values("pk")[:1]
    ).update(created_at=timezone.now() - timedelta(days=60))
    nightly.run_all(today=today + timedelta(days=1), only=["retention"])
    assert _due() == {"Edna Expired"}
    CandidateEvent.objects.filter(candidate=candidate).update(created_at=long_ago)
    nightly.run_all(today=today + timedelta(days=2), only=["retention"])
    assert _due() == {"Edna Expired", "Quentin Quiet"}
