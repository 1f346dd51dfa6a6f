"""The audit log's further subjects: the overuse policy (page and API), the second factor (set up,
wrong code, removed, reset), approval files with their names, teams, and webhook subscriptions
(without their secret); each with who did it."""

import io

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts import second_factor
from approvals.services.files import approval_file_attach
from ledger.models import OverusePolicy
from tests.accounts.test_totp import code, enrolled
from tests.conftest import PASSWORD
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/audit/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _entries(viewer, **params) -> list[dict]:
    client = APIClient()
    client.force_authenticate(viewer)
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _policy_form_data(page) -> dict:
    """The policy page's form as shown (every setting), and its activity-type rows unchanged."""
    form, formset = page.context["form"], page.context["formset"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if getattr(field.widget, "input_type", "") == "checkbox":
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    data.update({"types-TOTAL_FORMS": len(formset.forms), "types-INITIAL_FORMS": len(formset.forms)})
    for i, sub in enumerate(formset.forms):
        data[f"types-{i}-code"] = sub.instance.pk
        data[f"types-{i}-weight"] = sub.instance.weight
        data[f"types-{i}-lead_time_days"] = sub.instance.lead_time_days
        if sub.instance.live:
            data[f"types-{i}-live"] = "on"
    return data


def test_a_policy_change_on_the_page_shows_who_and_what(users, client_as):
    OverusePolicy.current()
    client = client_as(users["manager"])
    data = _policy_form_data(client.get("/policy/")) | {"reference_cap": 5, "rest_days": 14}
    assert client.post("/policy/", data).status_code == 302

    entries = _entries(users["admin"], object_type="policy")
    assert entries[0]["actor"] == "manager1"
    assert entries[0]["action"] == "changed"
    assert entries[0]["object_id"] == "1"
    assert entries[0]["changes"] == {"reference_cap": [6, 5], "rest_days": [30, 14]}


def test_a_policy_change_through_the_api_with_a_token_is_attributed(users):
    OverusePolicy.current()
    login = APIClient().post(
        "/api/v1/auth/token/", {"username": "manager1", "password": PASSWORD}, format="json"
    )
    client = APIClient(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
    assert client.patch("/api/v1/policy/", {"customer_cap": 10}, format="json").status_code == 200

    changed = _entries(users["manager"], object_type="policy")[0]
    assert (changed["actor"], changed["changes"]) == ("manager1", {"customer_cap": [8, 10]})


def test_second_factor_events_are_in_the_log_with_who(users):
    device, _ = enrolled(users["sales"])
    # A wrong code at the log-in's second step, then the right one.
    client = Client()
    client.post("/login/", {"username": "sales1", "password": PASSWORD})
    client.post("/login/code/", {"code": "nope-nope"})
    client.post("/login/code/", {"code": code(device)})
    # The person removes it on their page; later an operator resets another person's.
    page = Client()
    page.force_login(users["sales"])
    assert page.post("/account/second-factor/remove/", {"code": code(device, 1)}).status_code == 302
    enrolled(users["manager"])
    call_command("otp_reset", "manager1", stdout=io.StringIO())

    sales = [
        (e["actor"], e["action"], e["reason"])
        for e in _entries(users["admin"], object_type="user", object_id=users["sales"].pk)
    ]
    assert sales[:4] == [
        ("sales1", "second factor removed", ""),
        ("sales1", "logged in", ""),
        ("sales1", "second factor failed", ""),
        ("sales1", "second factor set up", ""),
    ]
    reset = _entries(users["admin"], object_type="user", object_id=users["manager"].pk)[0]
    assert (reset["actor"], reset["action"]) == ("system", "second factor reset")
    assert reset["reason"].startswith("otp_reset by ")
    assert reset["changes"] == {}
    # The second-factor events of one person, by the actor filter too.
    assert {e["action"] for e in _entries(users["admin"], actor="sales1")} >= {
        "second factor set up",
        "second factor failed",
        "second factor removed",
    }
    assert second_factor.authenticator_for(users["manager"]) is None


def test_an_approval_file_shows_with_its_name(users):
    from approvals.models import Approval

    customer = CustomerFactory(name="Initech")
    approval = Approval.objects.create(customer=customer, use="logo")
    upload = SimpleUploadedFile("signed-consent.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    approval_file_attach(approval=approval, by=users["marketing"], upload=upload, kind="document")

    entry = _entries(users["manager"], object_type="approval", object_id=approval.pk)[0]
    assert (entry["actor"], entry["action"]) == ("marketing1", "approval document")
    assert entry["changes"] == {"document": [None, "signed-consent.pdf"]}


def test_a_webhook_subscription_shows_who_created_it_and_never_its_secret(users):
    client = APIClient()
    client.force_authenticate(users["manager"])
    created = client.post(
        "/api/v1/webhooks/",
        {"url": "https://hooks.example.com/refprogram", "events": ["request.submitted"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]

    entry = _entries(users["admin"], object_type="webhook")[0]
    assert (entry["actor"], entry["action"], entry["object_id"]) == (
        "manager1",
        "created",
        str(created.json()["id"]),
    )
    assert entry["changes"]["url"] == [None, "https://hooks.example.com/refprogram"]
    assert secret not in str(_entries(users["admin"], object_type="webhook"))


def test_a_team_change_and_its_members_show_who_and_what(users):
    try:
        Team = apps.get_model("accounts", "Team")
    except LookupError:
        pytest.skip("no teams in this tree yet")
    team = Team(name="EMEA", scope=["region=emea"])
    team._history_user = users["admin"]
    team.save()
    team.name = "EMEA and Africa"
    team._history_user = users["admin"]
    team.save()

    team._history_user = users["admin"]
    team.members.set([users["manager"], users["sales"]])
    team._history_user = users["admin"]
    team.members.remove(users["sales"])

    entries = _entries(users["manager"], object_type="team", object_id=team.pk)
    assert [(e["actor"], e["action"]) for e in entries] == [("admin1", "changed")] * 3 + [
        ("admin1", "created")
    ]
    manager, sales = users["manager"].pk, users["sales"].pk
    assert entries[0]["changes"] == {"members": [sorted([manager, sales]), [manager]]}
    assert entries[1]["changes"] == {"members": [[], sorted([manager, sales])]}
    assert entries[2]["changes"] == {"name": ["EMEA", "EMEA and Africa"]}
    assert entries[3]["changes"] == {"name": [None, "EMEA"], "scope": [None, ["region=emea"]]} | (
        {"edit_only_in_scope": [None, False]} if "edit_only_in_scope" in entries[3]["changes"] else {}
    )
