"""Fulfilment through the API: submit, propose, walk candidates, fulfil, close, outcome, rating."""

from datetime import timedelta
from itertools import product

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from ledger.models import UsageEntry
from refprogram.nightly import run_all
from requests_app.choices import CandidateState
from requests_app.models import Candidate, CandidateEvent, Request, UnmetDemand

pytestmark = pytest.mark.django_db


def move(to: str, **extra) -> dict:
    """A transition body with what the move needs: a meeting to schedule, notes to complete
    (tests/requests_app/test_fulfilment.py covers those rules)."""
    body = {"to": to, **extra}
    if to == "owner_approved":  # the manager's consent for the account owner is an override: why
        body.setdefault("note", "Agreed by phone.")
    if to == "scheduled":
        body.update(
            scheduled_for=(timezone.now() + timedelta(days=3)).isoformat(), meeting_details="Video call"
        )
    if to == "completed":
        body.update(completion_notes="It went well.")
    return body


def _submit(client, **overrides):
    body = {
        "activity_type": "call",
        "prospect": {
            "name": "Prospect AG",
            "industry": "finance",
            "region": "emea",
            "size_band": "enterprise",
        },
        "products": [],
        "criteria": {"must": [{"field": "industry", "value": "finance"}], "nice": []},
        "references_needed": 1,
        "needed_by": (timezone.now() + timedelta(days=20)).isoformat(),
        "opportunity": {"crm_id": "OPP-1", "amount": "120000.00", "stage": "proposal"},
        "notes": "Board meeting next month.",
    }
    body.update(overrides)
    return client.post("/api/v1/requests/", body, format="json")


def test_sales_rep_submits_and_reads_own_request(api_as, sales, make_profile):
    make_profile()
    response = _submit(api_as(sales))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted"
    assert data["requester"]["id"] == sales.pk
    assert data["urgency"]["level"] == "on_track"
    assert data["warnings"] == []
    assert data["prospect"]["industry"] == "finance"
    assert data["opportunity"]["crm_id"] == "OPP-1"
    listed = api_as(sales).get("/api/v1/requests/").json()
    assert [r["id"] for r in listed["results"]] == [data["id"]]


def test_short_lead_time_warns_but_accepts(api_as, sales):
    response = _submit(
        api_as(sales), activity_type="case_study", needed_by=(timezone.now() + timedelta(hours=3)).isoformat()
    )
    assert response.status_code == 201
    assert "usually takes 60 days" in response.json()["warnings"][0]
    assert response.json()["urgency"]["level"] == "due_soon"


@pytest.mark.parametrize(
    "criteria, message",
    [
        ({"must": [{"field": "industry", "value": "bakeries"}]}, "valid values: education"),
        ({"must": [{"field": "colour", "value": "red"}]}, "valid fields: industry"),
        ({"nice": [{"field": "product", "value": "Nope", "weight": 3}]}, "unknown product"),
        ({"nice": [{"field": "deployment", "value": "cloud", "weight": 99}]}, "weight"),
        ("not an object", "Criteria must be an object"),
    ],
)
def test_bad_criteria_are_400_naming_valid_values(api_as, sales, criteria, message):
    response = _submit(api_as(sales), criteria=criteria)
    assert response.status_code == 400
    assert message in str(response.json()["criteria"])


def test_unknown_managed_value_is_400_naming_valid_ones(api_as, sales):
    response = _submit(api_as(sales), activity_type="karaoke")
    assert response.status_code == 400
    assert "case_study" in str(response.json()["activity_type"])


def test_read_only_fields_are_ignored(api_as, sales):
    response = _submit(api_as(sales), status="fulfilled", requester=999)
    assert response.status_code == 201
    assert response.json()["status"] == "submitted"


def test_rep_never_sees_another_reps_request(api_as, users, make_request):
    other = users["marketing"]
    theirs = make_request(other)
    from tests.factories import UserFactory

    rep2 = UserFactory(username="sales2", role="sales")
    client = api_as(rep2)
    assert client.get(f"/api/v1/requests/{theirs.pk}/").status_code == 404
    assert client.get("/api/v1/requests/").json()["count"] == 0
    assert client.patch(f"/api/v1/requests/{theirs.pk}/", {"notes": "x"}, format="json").status_code == 404
    assert (
        client.post(f"/api/v1/requests/{theirs.pk}/outcome/", {"result": "won"}, format="json").status_code
        == 404
    )


def test_full_fulfilment_walk_writes_the_ledger_and_notifies(
    api_as, manager, sales, users, make_profile, make_request, django_capture_on_commit_callbacks
):
    owner = users["marketing"]
    ref = make_profile(account_owner=owner)
    request = make_request(sales, must=[("industry", "finance")])
    client = api_as(manager)

    response = client.post(f"/api/v1/requests/{request.pk}/candidates/", {"reference": ref.pk}, format="json")
    assert response.status_code == 201, response.content
    candidate_id = response.json()["id"]
    entry = UsageEntry.objects.get(source=f"candidate:{candidate_id}")
    assert entry.status == "reserved" and entry.request_ref == request.pk
    request.refresh_from_db()
    assert request.status == "in_progress" and request.assignee == manager

    expected_ledger = {
        "owner_approved": "reserved",
        "asked": "asked",
        "accepted": "asked",
        "scheduled": "asked",
    }
    expected_ledger["completed"] = "done"
    for to, ledger_status in expected_ledger.items():
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(
                f"/api/v1/candidates/{candidate_id}/transition/",
                move(to, note=f"now {to}"),
                format="json",
            )
        assert r.status_code == 200, r.content
        assert r.json()["state"] == to
        entry.refresh_from_db()
        assert entry.status == ledger_status

    request.refresh_from_db()
    assert request.status == "fulfilled"
    assert list(
        CandidateEvent.objects.filter(candidate_id=candidate_id).values_list("to_state", flat=True)
    ) == [
        "proposed",
        "owner_approved",
        "asked",
        "accepted",
        "scheduled",
        "completed",
    ]
    requester_keys = set(Notification.objects.filter(user=sales).values_list("key", flat=True))
    assert f"request:{request.pk}:fulfilled" in requester_keys
    assert f"candidate:{candidate_id}:proposed:requester" in requester_keys
    owner_keys = set(Notification.objects.filter(user=owner).values_list("key", flat=True))
    assert {f"candidate:{candidate_id}:proposed:owner", f"candidate:{candidate_id}:asked:owner"} <= owner_keys
    assert any("fulfilled" in m.subject for m in mail.outbox)
    # The account owner can now open the request their customer was proposed for.
    assert api_as(owner).get(f"/api/v1/requests/{request.pk}/").status_code == 200


def test_two_references_needed_fulfils_on_the_second(api_as, manager, sales, make_profile, make_request):
    refs = [make_profile(), make_profile()]
    request = make_request(sales, references_needed=2)
    client = api_as(manager)
    for i, ref in enumerate(refs):
        cid = client.post(
            f"/api/v1/requests/{request.pk}/candidates/", {"reference": ref.pk}, format="json"
        ).json()["id"]
        for to in ("owner_approved", "asked", "accepted", "completed"):
            assert (
                client.post(f"/api/v1/candidates/{cid}/transition/", move(to), format="json").status_code
                == 200
            )
        request.refresh_from_db()
        assert request.status == ("in_progress" if i == 0 else "fulfilled")


def test_withdraw_before_ask_releases_reservation_after_ask_keeps_it(
    api_as, manager, sales, make_profile, make_request
):
    a, b = make_profile(), make_profile()
    request = make_request(sales, references_needed=2)
    client = api_as(manager)
    ca = client.post(f"/api/v1/requests/{request.pk}/candidates/", {"reference": a.pk}, format="json").json()[
        "id"
    ]
    cb = client.post(f"/api/v1/requests/{request.pk}/candidates/", {"reference": b.pk}, format="json").json()[
        "id"
    ]
    client.post(f"/api/v1/candidates/{ca}/transition/", {"to": "withdrawn"}, format="json")
    for to in ("owner_approved", "asked", "withdrawn"):
        client.post(f"/api/v1/candidates/{cb}/transition/", move(to), format="json")
    assert UsageEntry.objects.get(source=f"candidate:{ca}").status == "withdrawn"
    assert UsageEntry.objects.get(source=f"candidate:{cb}").status == "asked"
    # A withdrawn reference may be proposed again for the same request.
    again = client.post(f"/api/v1/requests/{request.pk}/candidates/", {"reference": a.pk}, format="json")
    assert again.status_code == 201


def test_declined_writes_declined_to_the_ledger(api_as, manager, sales, make_profile, make_request):
    ref = make_profile()
    request = make_request(sales)
    client = api_as(manager)
    cid = client.post(
        f"/api/v1/requests/{request.pk}/candidates/", {"reference": ref.pk}, format="json"
    ).json()["id"]
    for to in ("owner_approved", "asked", "declined"):
        assert (
            client.post(f"/api/v1/candidates/{cid}/transition/", move(to), format="json").status_code == 200
        )
    assert UsageEntry.objects.get(source=f"candidate:{cid}").status == "declined"


def test_proposing_twice_is_409(api_as, manager, sales, make_profile, make_request):
    ref = make_profile()
    request = make_request(sales)
    client = api_as(manager)
    client.post(f"/api/v1/requests/{request.pk}/candidates/", {"reference": ref.pk}, format="json")
    again = client.post(f"/api/v1/requests/{request.pk}/candidates/", {"reference": ref.pk}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_proposed"
    assert UsageEntry.objects.count() == 1


def test_private_only_reference_cannot_be_proposed_for_public_use(
    api_as, manager, sales, make_profile, make_request
):
    ref = make_profile(private_only=True, activities=["quote"])
    request = make_request(sales, activity="quote")
    response = api_as(manager).post(
        f"/api/v1/requests/{request.pk}/candidates/", {"reference": ref.pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "private_only"


# The candidate's lifecycle as the product promises it, written out: from each state, the only
# moves allowed. Every other (from, to) pair must be refused.
ALLOWED_MOVES = {
    "proposed": {"owner_approved", "withdrawn"},
    "owner_approved": {"asked", "withdrawn"},
    "asked": {"accepted", "offered_times", "declined", "withdrawn"},
    "accepted": {"scheduled", "completed", "withdrawn"},
    # The reference offered times on their ask link: the requester picks one (→ scheduled).
    "offered_times": {"scheduled", "withdrawn"},
    # Scheduled again: the meeting is rescheduled (the state stays, the invitation's sequence grows).
    "scheduled": {"scheduled", "completed", "missed", "withdrawn"},
    "completed": set(),
    # The meeting did not happen: the ask counts, the use does not; nothing follows.
    "missed": set(),
    "declined": set(),
    "withdrawn": set(),
}
ALL_STATES = list(ALLOWED_MOVES)


def test_the_table_names_every_candidate_state():
    assert set(ALL_STATES) == set(CandidateState.values)


def test_state_machine_refuses_every_move_not_in_its_map(api_as, manager, sales, make_profile, make_request):
    """Table-driven over every (from, to) pair of candidate states."""
    ref = make_profile()
    request = make_request(sales)
    client = api_as(manager)
    checked = 0
    for start, to in product(ALL_STATES, ALL_STATES):
        entry = UsageEntry.objects.create(
            reference=ref,
            customer=ref.customer,
            activity_type=request.activity_type,
            points=1,
            occurred_on=timezone.localdate(),
            status="asked"
            if start in ("asked", "accepted", "offered_times", "scheduled", "missed")
            else "reserved",
        )
        candidate = Candidate.objects.create(request=request, reference=ref, state=start, usage=entry)

        response = client.post(f"/api/v1/candidates/{candidate.pk}/transition/", move(to), format="json")

        if to in ALLOWED_MOVES[start]:
            assert response.status_code == 200, (start, to, response.content)
            assert Candidate.objects.get(pk=candidate.pk).state == to
        else:
            assert response.status_code == 409, (start, to)
            assert response.json()["code"] == "invalid_transition"
            assert Candidate.objects.get(pk=candidate.pk).state == start
        # Free the (request, reference) slot for the next pair, and reopen a request a
        # completion fulfilled.
        Candidate.objects.filter(pk=candidate.pk).update(state="withdrawn")
        Request.objects.filter(pk=request.pk).update(status="in_progress")
        checked += 1
    assert checked == len(ALL_STATES) ** 2


def test_unknown_state_is_400(api_as, manager, sales, make_profile, make_request):
    ref = make_profile()
    request = make_request(sales)
    client = api_as(manager)
    cid = client.post(
        f"/api/v1/requests/{request.pk}/candidates/", {"reference": ref.pk}, format="json"
    ).json()["id"]
    assert (
        client.post(f"/api/v1/candidates/{cid}/transition/", {"to": "teleported"}, format="json").status_code
        == 400
    )


@pytest.mark.parametrize(
    "who, status",
    [("requester", 200), ("manager", 200), ("other_sales", 404), ("executive", 403), ("admin", 403)],
)
def test_outcome_permissions(api_as, users, make_request, who, status):
    from tests.factories import UserFactory

    request = make_request(users["sales"])
    actor = {
        "requester": users["sales"],
        "manager": users["manager"],
        "other_sales": UserFactory(username="sales2", role="sales"),
        "executive": users["executive"],
        "admin": users["admin"],
    }[who]
    response = api_as(actor).post(
        f"/api/v1/requests/{request.pk}/outcome/", {"result": "won", "amount": "50000"}, format="json"
    )
    assert response.status_code == status, response.content
    request.refresh_from_db()
    assert (request.outcome_result == "won") is (status == 200)


def test_outcome_bad_input_is_400(api_as, sales, make_request):
    request = make_request(sales)
    response = api_as(sales).post(f"/api/v1/requests/{request.pk}/outcome/", {"result": "tie"}, format="json")
    assert response.status_code == 400
    response = api_as(sales).post(
        f"/api/v1/requests/{request.pk}/outcome/", {"result": "won", "amount": "-5"}, format="json"
    )
    assert response.status_code == 400


def test_rating_only_by_requester_after_completion_and_once(
    api_as, manager, sales, make_profile, make_request
):
    ref = make_profile()
    request = make_request(sales)
    client = api_as(sales)
    early = client.post(f"/api/v1/requests/{request.pk}/rate/", {"rating": 5}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "not_fulfilled"
    mc = api_as(manager)
    cid = mc.post(f"/api/v1/requests/{request.pk}/candidates/", {"reference": ref.pk}, format="json").json()[
        "id"
    ]
    for to in ("owner_approved", "asked", "accepted", "completed"):
        mc.post(f"/api/v1/candidates/{cid}/transition/", move(to), format="json")
    assert mc.post(f"/api/v1/requests/{request.pk}/rate/", {"rating": 5}, format="json").status_code == 403
    assert (
        client.post(f"/api/v1/requests/{request.pk}/rate/", {"rating": 9}, format="json").status_code == 400
    )
    ok = client.post(
        f"/api/v1/requests/{request.pk}/rate/", {"rating": 4, "comment": "Great call"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["rating"] == 4
    again = client.post(f"/api/v1/requests/{request.pk}/rate/", {"rating": 5}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_rated"


def test_cancel_by_requester_releases_reservations(api_as, manager, sales, make_profile, make_request):
    ref = make_profile()
    request = make_request(sales)
    cid = (
        api_as(manager)
        .post(f"/api/v1/requests/{request.pk}/candidates/", {"reference": ref.pk}, format="json")
        .json()["id"]
    )
    client = api_as(sales)
    assert client.post(f"/api/v1/requests/{request.pk}/cancel/", {}, format="json").status_code == 400
    response = client.post(
        f"/api/v1/requests/{request.pk}/cancel/", {"reason": "Deal lost early"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert UsageEntry.objects.get(source=f"candidate:{cid}").status == "withdrawn"
    assert Candidate.objects.get(pk=cid).state == "withdrawn"
    again = client.post(f"/api/v1/requests/{request.pk}/cancel/", {"reason": "again"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "request_closed"


def test_close_unfulfilled_is_for_managers_and_records_unmet_demand(api_as, manager, sales, make_request):
    request = make_request(sales, industry="retail", region="na")
    assert (
        api_as(sales)
        .post(f"/api/v1/requests/{request.pk}/close/", {"reason": "x"}, format="json")
        .status_code
        == 403
    )
    response = api_as(manager).post(
        f"/api/v1/requests/{request.pk}/close/", {"reason": "Nobody fits"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "unfulfilled"
    assert Request.objects.get(pk=request.pk).closed_reason == "Nobody fits"
    assert UnmetDemand.objects.filter(request=request).count() == 1


def test_assign_and_bulk_assign(api_as, manager, sales, users, make_request):
    reqs = [make_request(sales) for _ in range(3)]
    client = api_as(manager)
    r = client.post(f"/api/v1/requests/{reqs[0].pk}/assign/", {}, format="json")
    assert (
        r.status_code == 200
        and r.json()["assignee"]["id"] == manager.pk
        and r.json()["status"] == "in_progress"
    )
    r = client.post("/api/v1/requests/assign/", {"requests": [q.pk for q in reqs]}, format="json")
    assert r.status_code == 200 and r.json() == {"changed": 2}
    assert Request.objects.filter(assignee=manager).count() == 3
    bad = client.post(
        f"/api/v1/requests/{reqs[0].pk}/assign/", {"assignee": users["sales"].pk}, format="json"
    )
    assert bad.status_code == 400
    assert (
        api_as(sales).post("/api/v1/requests/assign/", {"requests": [reqs[0].pk]}, format="json").status_code
        == 403
    )


def test_patch_by_requester_while_submitted_then_refused(api_as, manager, sales, make_request):
    request = make_request(sales)
    client = api_as(sales)
    r = client.patch(f"/api/v1/requests/{request.pk}/", {"notes": "More context"}, format="json")
    assert r.status_code == 200 and r.json()["notes"] == "More context"
    api_as(manager).post(f"/api/v1/requests/{request.pk}/assign/", {}, format="json")
    r = client.patch(f"/api/v1/requests/{request.pk}/", {"notes": "Again"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "not_editable"
    r = api_as(manager).patch(
        f"/api/v1/requests/{request.pk}/",
        {"criteria": {"must": [{"field": "region", "value": "mars"}]}},
        format="json",
    )
    assert r.status_code == 400


def test_deadline_reminders_sent_once(manager, sales, make_request):
    soon = make_request(sales, needed_in_days=2)
    late = make_request(sales, needed_in_days=-1)
    later = make_request(sales, needed_in_days=20)
    Request.objects.filter(pk__in=[soon.pk, late.pk, later.pk]).update(assignee=manager)

    first = run_all(only=["request_deadlines"])["request_deadlines"]
    second = run_all(only=["request_deadlines"])["request_deadlines"]

    assert first == {"reminded_due_soon": 1, "flagged_overdue": 1}
    assert second == {"reminded_due_soon": 0, "flagged_overdue": 0}
    keys = set(Notification.objects.filter(user=manager).values_list("key", flat=True))
    assert {f"request:{soon.pk}:due_soon", f"request:{late.pk}:overdue"} <= keys
    assert f"request:{later.pk}:due_soon" not in keys


def test_the_request_list_reads_a_fixed_number_of_queries(api_as, sales):
    """Each request's prospect industry and region are its own columns' codes: a list of one and a
    list of six read as many queries, and still say the codes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(sales)
    counts = []
    for extra in (1, 5):
        for i in range(extra):
            region = ["emea", "na"][i % 2]
            assert (
                _submit(
                    client, prospect={"name": f"P{i}", "industry": "finance", "region": region}
                ).status_code
                == 201
            )
        with CaptureQueriesContext(connection) as queries:
            listed = client.get("/api/v1/requests/").json()["results"]
        counts.append(len(queries))
    assert len(listed) == 6
    assert {(r["prospect"]["industry"], r["prospect"]["region"]) for r in listed} == {
        ("finance", "emea"),
        ("finance", "na"),
    }
    assert counts[0] == counts[1]
