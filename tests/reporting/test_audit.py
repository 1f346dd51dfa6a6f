"""The audit log: a change made through the page, the API, the import and a nightly check each
appears with who (or what) made it; log-ins and lock-outs too; managers and admins only; contact
data masked without the contact-data capability; filters, CSV and a fixed number of queries."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from references import imports
from references.models import Contact, Customer
from refprogram import nightly
from reporting.audit import audit_page
from tests.conftest import PASSWORD
from tests.factories import ContactFactory, CustomerFactory, ProductFactory, UseCaseFactory
from tests.references.imports.test_inventory_import import row, to_csv

pytestmark = pytest.mark.django_db

API = "/api/v1/audit/"
PAGE = "/audit/"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _entries(client, **params) -> list[dict]:
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_change_through_the_page_is_attributed_to_its_author(users, client_as):
    contact = ContactFactory(name="Anna Schmidt", title="CIO", email="anna@acme.example", phone="")
    response = client_as(users["manager"]).post(
        f"/contacts/{contact.pk}/edit/",
        {
            "name": "Anna Schmidt",
            "title": "CTO",
            "seniority": contact.seniority,
            "email": "anna@acme.example",
            "preferred_language": contact.preferred_language,
        },
    )
    assert response.status_code == 302, response.content

    changed = _entries(_api(users["admin"]), object_type="contact", object_id=contact.pk)[0]
    assert (changed["actor"], changed["action"], changed["object_type"]) == ("manager1", "changed", "contact")
    assert changed["object_id"] == str(contact.pk)
    assert changed["changes"] == {"title": ["CIO", "CTO"]}


def test_a_change_through_the_api_with_a_token_is_attributed(users):
    customer = CustomerFactory(name="Globex", employees=120)
    login = APIClient().post(
        "/api/v1/auth/token/", {"username": "manager1", "password": PASSWORD}, format="json"
    )
    client = APIClient(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
    assert (
        client.patch(f"/api/v1/customers/{customer.pk}/", {"employees": 450}, format="json").status_code
        == 200
    )

    entries = _entries(client, object_type="customer", object_id=customer.pk)
    assert entries[0]["actor"] == "manager1"
    assert entries[0]["changes"]["employees"] == [120, 450]
    assert entries[-1]["action"] == "created"


def test_a_change_through_the_import_is_attributed_with_the_import_as_reason(users):
    ProductFactory(name="Patch Manager", product_line="Management")
    UseCaseFactory(name="Patch compliance")
    report = imports.inventory_import(file=to_csv([row()]), actor=users["manager"])
    assert report.ok, report.errors
    contact = Contact.objects.get(name="Anna Schmidt")

    created = _entries(_api(users["manager"]), object_type="contact", object_id=contact.pk)
    assert [(e["actor"], e["action"], e["reason"]) for e in created] == [
        ("manager1", "created", "CSV import")
    ]
    assert created[0]["changes"]["title"] == [None, "VP of IT"]


def test_a_change_by_a_nightly_check_is_attributed_to_the_system_and_the_check(users):
    today = timezone.localdate()
    customer = CustomerFactory(name="Renews soon", renewal_date=today + timedelta(days=30))
    assert nightly.run_all(today=today, only=["automatic_holds"])["automatic_holds"]["started"] == 1

    holds = _entries(_api(users["manager"]), object_type="hold")
    assert [(e["actor"], e["action"], e["reason"]) for e in holds] == [("system", "created", "holds_sync")]
    assert holds[0]["changes"]["customer"] == [None, customer.pk]
    by_system = _entries(_api(users["manager"]), actor="system")
    assert {e["object_type"] for e in by_system} >= {"hold"}


def test_log_ins_failures_and_lock_outs_are_in_the_log(users, settings):
    settings.AXES_FAILURE_LIMIT = 2
    assert Client().post("/login/", {"username": "sales1", "password": PASSWORD}).status_code == 302
    for _ in range(2):
        Client().post("/login/", {"username": "marketing1", "password": "wrong-password-1"})

    actions = [(e["actor"], e["action"]) for e in _entries(_api(users["admin"]), object_type="user")]
    assert ("sales1", "logged in") in actions
    assert ("marketing1", "log-in failed") in actions
    assert ("marketing1", "locked out") in actions
    mine = _entries(_api(users["admin"]), actor="sales1")
    assert [e["action"] for e in mine] == ["logged in"]
    assert mine[0]["object_id"] == str(users["sales"].pk)


def test_a_role_change_shows_old_and_new_role(users):
    user = users["sales"]
    user.role = "marketing"
    user.save()
    entries = _entries(_api(users["admin"]), object_type="user", object_id=user.pk)
    assert entries[0]["changes"] == {"role": ["sales", "marketing"]}
    # A log-in writes last_login only: not a line of the log.
    Client().force_login(user)
    assert len(_entries(_api(users["admin"]), object_type="user", object_id=user.pk)) == len(entries)


def test_contact_data_is_masked_without_the_contact_data_capability(users):
    contact = ContactFactory(email="old@acme.example", phone="")
    contact.email = "new@acme.example"
    contact.save()
    hidden = audit_page(viewer=users["executive"], filters={"object_type": "contact"}).entries[0]
    assert hidden.changes == {"email": ["(hidden)", "(hidden)"]}
    shown = audit_page(viewer=users["manager"], filters={"object_type": "contact"}).entries[0]
    assert shown.changes == {"email": ["old@acme.example", "new@acme.example"]}


def test_only_managers_and_admins_read_the_log(users, client_as):
    for role, status in (
        ("manager", 200),
        ("admin", 200),
        ("executive", 403),
        ("sales", 403),
        ("marketing", 403),
    ):
        assert _api(users[role]).get(API).status_code == status, role
        assert client_as(users[role]).get(PAGE).status_code == status, role
        assert client_as(users[role]).get(f"{PAGE}export.csv").status_code == status, role
    assert APIClient().get(API).status_code == 401
    assert 'href="/audit/">Audit log</a>' in client_as(users["admin"]).get("/").content.decode()
    assert 'href="/audit/"' not in client_as(users["executive"]).get("/").content.decode()
    assert Client().get(PAGE).status_code == 302


def test_filters_by_date_and_bad_filters_are_400(users, client_as):
    customer = CustomerFactory(name="Initech")
    entries = _entries(_api(users["manager"]), object_type="customer")
    assert [e["object_id"] for e in entries] == [str(customer.pk)]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert _entries(_api(users["manager"]), object_type="customer", since=tomorrow) == []

    bad = _api(users["manager"]).get(API, {"object_type": "spaceship", "since": "yesterday"})
    assert bad.status_code == 400
    assert set(bad.json()) >= {"object_type", "since"}
    assert client_as(users["manager"]).get(PAGE, {"object_type": "spaceship"}).status_code == 400
    # An offset PostgreSQL cannot store is read as the same moment in UTC, not a server error.
    odd = _api(users["manager"]).get(API, {"until": "1873-03-26T17:38:41+16:34"})
    assert (odd.status_code, odd.json()["count"]) == (200, 0)
    assert _api(users["manager"]).get(API, {"since": "0001-01-01T00:00:00+05:00"}).status_code == 400


def test_the_page_lists_and_exports_what_the_filters_select(users, client_as):
    globex = CustomerFactory(name="Globex")
    CustomerFactory(name="Umbrella")
    client = client_as(users["manager"])
    html = client.get(PAGE, {"object_type": "customer", "object_id": globex.pk}).content.decode()
    assert "<strong>1</strong> entry." in html
    assert f"customer #{globex.pk}" in html

    response = client.get(f"{PAGE}export.csv", {"object_type": "customer"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["at", "actor", "reason", "action", "object_type", "object_id", "changes"]
    assert sorted(r[5] for r in rows[1:]) == sorted(
        [str(globex.pk), str(Customer.objects.get(name="Umbrella").pk)]
    )
    assert {r[3] for r in rows[1:]} == {"created"}


def test_the_page_runs_a_fixed_number_of_queries(users, client_as):
    client = client_as(users["manager"])
    counts = []
    for n in (2, 6):
        for _ in range(n):
            contact = ContactFactory()  # a customer and a contact created
            contact.title = "Changed"
            contact.save()
        client.get(PAGE)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(PAGE)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # session, user, the count, the page, two per kind of history on it (customer, contact), one for
    # the policy's first line (its defaults, written when first read: nothing before it to compare),
    # and the base page's own (unread notifications)
    assert counts[0] == 10


def test_pages_of_the_log_follow_one_order_across_every_kind_of_record(users):
    """Customers' history, ledger asks and log-ins written at interleaved moments: the log read a
    page of three at a time gives the same entries in the same order as one page of everything,
    newest first (each kind is read a page at a time, then merged)."""
    from ledger.models import UsageEntry
    from tests.factories import UsageEntryFactory

    start = timezone.now() - timedelta(hours=12)
    for i in range(5):
        customer = CustomerFactory(name=f"Customer {i}")
        customer.history.filter(history_type="+").update(history_date=start + timedelta(minutes=10 * i))
        ask = UsageEntryFactory(asked_by=users["manager"])
        UsageEntry.objects.filter(pk=ask.pk).update(created_at=start + timedelta(minutes=10 * i + 5))
    Client().post("/login/", {"username": "sales1", "password": PASSWORD})

    everything = audit_page(viewer=users["admin"], filters={}, limit=100)
    paged = []
    for offset in range(0, everything.count, 3):
        page = audit_page(viewer=users["admin"], filters={}, offset=offset, limit=3)
        assert page.count == everything.count
        paged += page.entries
    key = [(e.at, e.object_type, e.object_id, e.action) for e in everything.entries]
    assert [(e.at, e.object_type, e.object_id, e.action) for e in paged] == key
    assert [e.at for e in everything.entries] == sorted((e.at for e in everything.entries), reverse=True)
    back_then = [e.object_type for e in everything.entries if e.at < start + timedelta(hours=1)]
    assert back_then == ["usage", "customer"] * 5  # interleaved by time, not by kind
