"""The integration page: status, runs, errors, "Sync now" (with htmx progress), settings,
write-backs and webhooks, for the people who manage integrations only."""

import json

import pytest

from integrations.models import CrmConnection, CrmSyncRun, CrmWriteBack, WebhookSubscription
from tests.integrations import crm_fakes

pytestmark = pytest.mark.django_db
fake_salesforce = crm_fakes.fake_salesforce  # the fixture

MAPPING = {
    "industries": {"Banking": "finance"},
    "countries": {"Germany": "DE", "France": "FR"},
    "regions": {"DE": "emea", "FR": "emea", "US": "na"},
}


@pytest.fixture
def connection(fake_salesforce):
    return CrmConnection.objects.create(
        kind="salesforce", enabled=True, base_url=fake_salesforce.url, mapping=MAPPING
    )


def test_only_people_who_manage_integrations_see_the_page(client_as, users):
    assert client_as(users["sales"]).get("/integrations/").status_code == 403
    assert client_as(users["marketing"]).get("/integrations/").status_code == 403
    assert client_as(None).get("/integrations/").status_code == 302
    assert client_as(users["admin"]).post("/integrations/salesforce/sync/").status_code == 302
    assert client_as(users["sales"]).post("/integrations/salesforce/sync/").status_code == 403
    assert client_as(users["admin"]).get("/integrations/zoho/status/").status_code == 404


def test_sync_now_runs_the_sync_and_the_page_shows_it(
    client_as, users, connection, django_capture_on_commit_callbacks
):
    admin = client_as(users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/integrations/salesforce/sync/", {"full": "1"})
    assert response.status_code == 302
    run = CrmSyncRun.objects.get()
    assert (run.status, run.full, run.requested_by, run.created) == ("succeeded", True, users["admin"], 6)

    page = admin.get("/integrations/").content.decode()
    assert 'id="crm-status-salesforce"' in page and 'data-status="succeeded"' in page
    assert "<td>6</td>" in page  # created
    assert "Sync now" in page
    assert 'hx-trigger="every 2s"' not in page  # nothing running: no polling


def test_sync_now_over_htmx_answers_the_status_block(client_as, users, connection):
    admin = client_as(users["admin"])
    # A run is already queued: the block polls, and a second "Sync now" is refused.
    CrmSyncRun.objects.create(connection=connection)
    status = admin.get("/integrations/salesforce/status/").content.decode()
    assert 'data-status="queued"' in status and 'hx-trigger="every 2s"' in status
    refused = admin.post("/integrations/salesforce/sync/", HTTP_HX_REQUEST="true")
    assert refused.status_code == 409
    assert "already under way" in refused.content.decode()


def test_a_switched_off_crm_cannot_sync(client_as, users, connection):
    connection.enabled = False
    connection.save()
    admin = client_as(users["admin"])
    response = admin.post("/integrations/salesforce/sync/", follow=True)
    assert "switched off" in response.content.decode()
    assert not CrmSyncRun.objects.exists()


def test_settings_are_saved_and_a_bad_mapping_is_refused(client_as, users):
    admin = client_as(users["admin"])
    ok = admin.post(
        "/integrations/hubspot/settings/",
        {
            "hubspot-enabled": "on",
            "hubspot-base_url": "",
            "hubspot-mapping": '{"industries": {"BANKING": "finance"}}',
        },
    )
    assert ok.status_code == 302
    hubspot = CrmConnection.objects.get(kind="hubspot")
    assert (hubspot.enabled, hubspot.mapping) == (True, {"industries": {"BANKING": "finance"}})

    bad = admin.post(
        "/integrations/hubspot/settings/",
        {
            "hubspot-enabled": "on",
            "hubspot-mapping": json.dumps(
                {"industries": {"MINING": "mining"}, "won_stages": ["x"], "lost_stages": ["x"]}
            ),
        },
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "industries: no such code mining." in text
    assert "A stage cannot mean both won and lost." in text
    assert CrmConnection.objects.get(kind="hubspot").mapping == {"industries": {"BANKING": "finance"}}


def test_the_page_lists_failed_write_backs_and_webhooks_in_a_fixed_number_of_queries(
    client_as, users, connection, manager, sales, make_profile, make_request, django_assert_num_queries
):
    from requests_app import services

    for n in range(3):
        profile = make_profile(name=f"Customer {n}")
        request = make_request(sales)
        candidate = services.candidate_propose(request=request, reference=profile, actor=manager)
        CrmWriteBack.objects.create(
            crm="salesforce",
            opportunity_crm_id="006D000000CsXaBIAV",
            candidate=candidate,
            state="accepted",
            subject=f"Reference accepted: Customer {n} (Reference call)",
            body="…",
            status="failed",
            attempts=9,
            error="Salesforce refused the Task: 500",
        )
        CrmSyncRun.objects.create(
            connection=connection,
            status="partial",
            errors=[
                {"object": "accounts", "crm_id": f"001{n}", "message": "Industry 'Mining' is not mapped"}
            ],
        )
    WebhookSubscription.objects.create(
        url="https://hooks.example.com/rp", events=["request.submitted"], secret="s"
    )
    admin = client_as(users["admin"])
    admin.get("/integrations/")  # warm the session
    # session + user, connections, runs, write-backs, webhooks (+ the page's shared context)
    with django_assert_num_queries(7):
        page = admin.get("/integrations/").content.decode()
    assert page.count('data-status="failed"') == 3
    assert "Reference accepted: Customer 2 (Reference call)" in page
    assert "Industry &#x27;Mining&#x27; is not mapped" in page
    assert "https://hooks.example.com/rp" in page
