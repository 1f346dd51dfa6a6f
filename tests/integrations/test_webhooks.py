"""Outbound webhooks end to end: a product event → a signed POST to a local receiver, retries,
SSRF refusals, and the subscription API."""

import hashlib
import hmac
import json

import pytest

from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.services import webhooks
from references.services import profile_transition
from tests.factories import ReferenceProfileFactory

pytestmark = pytest.mark.django_db

SECRET = "a-test-secret-of-some-length"


def subscribe(url, events=("reference.status_changed",), secret=SECRET):
    return WebhookSubscription.objects.create(url=url, events=list(events), secret=secret)


def verify(secret: str, hit: dict) -> bool:
    """What a receiver does: HMAC-SHA256 over timestamp + "." + body, compared in constant time."""
    timestamp = hit["headers"]["X-RefProgram-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + hit["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(hit["headers"]["X-RefProgram-Signature"], f"sha256={expected}")


def test_an_event_reaches_the_receiver_once_signed_and_versioned(
    api_as, manager, receiver_factory, private_targets, django_capture_on_commit_callbacks
):
    receiver = receiver_factory()
    other = receiver_factory()
    subscription = subscribe(receiver.url)
    subscribe(other.url, events=["request.submitted"])  # not subscribed to this event
    profile = ReferenceProfileFactory(status="active")

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(manager).post(
            f"/api/v1/references/{profile.pk}/transition/", {"to": "resting"}, format="json"
        )
    assert response.status_code == 200, response.content

    assert len(receiver.received) == 1
    assert other.received == []
    hit = receiver.received[0]
    assert hit["path"] == "/hooks/refprogram"
    assert verify(SECRET, hit)
    assert not verify("another-secret-entirely", hit)
    assert hit["headers"]["X-RefProgram-Event"] == "reference.status_changed"
    body = json.loads(hit["body"])
    assert body["version"] == 1
    assert body["event"] == "reference.status_changed"
    assert body["data"] == {
        "reference": profile.pk,
        "customer": profile.customer_id,
        "from": "active",
        "to": "resting",
    }
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert hit["headers"]["X-RefProgram-Delivery"] == str(delivery.uuid)
    assert body["id"] == str(delivery.event_id)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)


def test_a_rolled_back_change_announces_nothing(
    receiver_factory, private_targets, django_capture_on_commit_callbacks
):
    receiver = receiver_factory()
    subscribe(receiver.url)
    profile = ReferenceProfileFactory(status="active")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        profile_transition(profile=profile, to="resting")
    assert len(callbacks) >= 1
    assert len(receiver.received) == 1
    # A refused move (active → nominated is not in the lifecycle) publishes nothing.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017
        profile_transition(profile=profile, to="nominated")
    assert len(receiver.received) == 1


def test_a_500_is_retried_until_the_receiver_takes_it(
    receiver_factory, private_targets, django_capture_on_commit_callbacks
):
    receiver = receiver_factory(codes=[500, 503, 200])
    subscription = subscribe(receiver.url)
    profile = ReferenceProfileFactory(status="active")
    with django_capture_on_commit_callbacks(execute=True):
        profile_transition(profile=profile, to="retired")

    assert len(receiver.received) == 3
    # The same delivery, the same body, each time signed afresh.
    assert len({hit["headers"]["X-RefProgram-Delivery"] for hit in receiver.received}) == 1
    assert len({hit["body"] for hit in receiver.received}) == 1
    assert all(verify(SECRET, hit) for hit in receiver.received)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 3, 200)
    assert [a["response_code"] for a in delivery.attempt_log] == [500, 503, 200]


def test_retries_back_off_exponentially_over_about_a_day():
    delays = [webhooks.retry_delay(n) for n in range(webhooks.MAX_RETRIES)]
    assert delays[:3] == [42, 84, 168]
    # 42 s × (2^11 − 1) = 85,974 s: the last retry is just under 24 hours after the first attempt.
    assert sum(delays) == 85_974


def test_a_receiver_that_keeps_failing_fails_the_delivery_after_the_last_retry(
    receiver_factory, private_targets
):
    receiver = receiver_factory(codes=[500])
    subscription = subscribe(receiver.url)
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event="reference.status_changed",
        event_id="00000000-0000-0000-0000-000000000001",
        body="{}",
    )
    first = webhooks.delivery_attempt(delivery_id=delivery.pk, final=False)
    assert (first.status, first.retry) == ("retrying", True)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is not None
    last = webhooks.delivery_attempt(delivery_id=delivery.pk, final=True)
    assert (last.status, last.retry) == ("failed", False)
    assert len(receiver.received) == 2


def test_a_4xx_is_not_retried(receiver_factory, private_targets, django_capture_on_commit_callbacks):
    receiver = receiver_factory(codes=[410, 200])
    subscription = subscribe(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        profile_transition(profile=ReferenceProfileFactory(status="active"), to="resting")
    assert len(receiver.received) == 1
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.response_code) == ("failed", 410)


# --- SSRF --------------------------------------------------------------------------------------------


def test_loopback_targets_are_refused_without_the_setting(
    receiver_factory, django_capture_on_commit_callbacks
):
    receiver = receiver_factory()
    by_ip = subscribe(receiver.url)
    by_name = subscribe(f"http://localhost:{receiver.port}/hooks")  # a host name resolving to 127.0.0.1
    with django_capture_on_commit_callbacks(execute=True):
        profile_transition(profile=ReferenceProfileFactory(status="active"), to="resting")
    assert receiver.received == []
    for subscription in (by_ip, by_name):
        delivery = WebhookDelivery.objects.get(subscription=subscription)
        assert delivery.status == "refused"
        assert delivery.attempts == 1  # refused for good, not retried
        assert "127.0.0.1" in delivery.error or "::1" in delivery.error


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "fc00::1",
        "0.0.0.0",
        "::ffff:127.0.0.1",
        "100.64.0.1",
    ],
)
def test_private_loopback_and_link_local_addresses_are_not_allowed(address):
    assert webhooks._address_allowed(address) is False


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert webhooks._address_allowed(address) is True


def test_a_host_name_resolving_to_loopback_is_refused():
    with pytest.raises(webhooks.TargetRefused, match="127.0.0.1"):
        webhooks.resolve_target("http://localhost:8080/x")


def test_redirects_are_not_followed(receiver_factory, private_targets, django_capture_on_commit_callbacks):
    inner = receiver_factory()
    redirector = receiver_factory(codes=[307], headers={"Location": inner.url})
    subscription = subscribe(redirector.url)
    with django_capture_on_commit_callbacks(execute=True):
        profile_transition(profile=ReferenceProfileFactory(status="active"), to="resting")
    assert len(redirector.received) == 1
    assert inner.received == []
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.response_code) == ("failed", 307)
    assert "redirects are not followed" in delivery.error


# --- The API -------------------------------------------------------------------------------------


def test_creating_a_webhook_shows_its_secret_once(api_as, manager):
    client = api_as(manager)
    response = client.post(
        "/api/v1/webhooks/",
        {"url": "https://hooks.example.com/refprogram", "events": ["request.submitted", "approval.decided"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    secret = response.json()["secret"]
    assert len(secret) >= 32
    assert WebhookSubscription.objects.get(pk=response.json()["id"]).secret == secret
    listed = client.get("/api/v1/webhooks/").json()
    assert listed["count"] == 1
    assert "secret" not in listed["results"][0]
    assert "secret" not in client.get(f"/api/v1/webhooks/{response.json()['id']}/").json()


def test_a_chosen_secret_is_kept(api_as, admin_user_of_program):
    response = api_as(admin_user_of_program).post(
        "/api/v1/webhooks/",
        {"url": "https://hooks.example.com/x", "events": ["request.fulfilled"], "secret": SECRET},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["secret"] == SECRET


@pytest.fixture
def admin_user_of_program(users):
    return users["admin"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "ftp://hooks.example.com/x", "events": ["request.submitted"]}, "url"),
        ({"url": "not a url", "events": ["request.submitted"]}, "url"),
        ({"url": "http://10.0.0.5/x", "events": ["request.submitted"]}, "url"),
        ({"url": "https://hooks.example.com/x", "events": []}, "events"),
        ({"url": "https://hooks.example.com/x", "events": ["request.deleted"]}, "events"),
        (
            {"url": "https://hooks.example.com/x", "events": ["request.submitted"], "secret": "short"},
            "secret",
        ),
        ({"url": "https://hooks.example.com/x", "events": ["request.submitted"], "colour": "red"}, "colour"),
    ],
)
def test_bad_webhooks_are_400_with_the_field(api_as, manager, body, field):
    response = api_as(manager).post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize("role", ["sales", "marketing", "executive"])
def test_only_managers_and_admins_manage_webhooks(api_as, users, role):
    client = api_as(users[role])
    assert client.get("/api/v1/webhooks/").status_code == 403
    body = {"url": "https://hooks.example.com/x", "events": ["request.submitted"]}
    assert client.post("/api/v1/webhooks/", body, format="json").status_code == 403


def test_anonymous_is_401(api):
    assert api.get("/api/v1/webhooks/").status_code == 401


def test_the_delivery_log_and_a_manual_redelivery(
    api_as, manager, receiver_factory, private_targets, django_capture_on_commit_callbacks
):
    receiver = receiver_factory(codes=[404, 200])
    subscription = subscribe(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        profile_transition(profile=ReferenceProfileFactory(status="active"), to="resting")
    client = api_as(manager)
    log = client.get(f"/api/v1/webhooks/{subscription.pk}/deliveries/").json()
    assert log["count"] == 1
    first = log["results"][0]
    assert (first["status"], first["response_code"], first["event"]) == (
        "failed",
        404,
        "reference.status_changed",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/webhooks/{subscription.pk}/deliveries/{first['id']}/redeliver/")
    assert response.status_code == 201, response.content
    assert len(receiver.received) == 2
    assert receiver.received[0]["body"] == receiver.received[1]["body"]
    assert (
        receiver.received[0]["headers"]["X-RefProgram-Delivery"]
        != receiver.received[1]["headers"]["X-RefProgram-Delivery"]
    )
    log = client.get(f"/api/v1/webhooks/{subscription.pk}/deliveries/").json()
    assert [(d["status"], d["response_code"]) for d in log["results"]] == [
        ("succeeded", 200),
        ("failed", 404),
    ]
    assert log["results"][0]["redelivery_of"] == first["id"]


def test_a_delivery_of_another_webhook_is_404(api_as, manager):
    mine = subscribe("https://hooks.example.com/a")
    theirs = subscribe("https://hooks.example.com/b")
    delivery = WebhookDelivery.objects.create(
        subscription=theirs,
        event="request.submitted",
        event_id="00000000-0000-0000-0000-000000000002",
        body="{}",
    )
    response = api_as(manager).post(f"/api/v1/webhooks/{mine.pk}/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 404
    assert api_as(manager).get("/api/v1/webhooks/999999/deliveries/").status_code == 404


def test_deleting_a_webhook_stops_it(api_as, manager):
    subscription = subscribe("https://hooks.example.com/a")
    assert api_as(manager).delete(f"/api/v1/webhooks/{subscription.pk}/").status_code == 204
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("n", [2, 12])
def test_the_lists_take_a_fixed_number_of_queries(api_as, manager, n, django_assert_max_num_queries):
    subscriptions = [subscribe(f"https://hooks.example.com/{i}") for i in range(n)]
    for i in range(n):
        WebhookDelivery.objects.create(
            subscription=subscriptions[0],
            event="request.submitted",
            event_id=f"00000000-0000-0000-0000-{i:012d}",
            body="{}",
        )
    client = api_as(manager)
    with django_assert_max_num_queries(2):  # count, page
        assert client.get("/api/v1/webhooks/").json()["count"] == n
    with django_assert_max_num_queries(3):  # the webhook, count, page
        assert client.get(f"/api/v1/webhooks/{subscriptions[0].pk}/deliveries/").json()["count"] == n


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/webhooks/99999999999999999999999/",
        "/api/v1/webhooks/99999999999999999999999/deliveries/",
    ],
)
def test_absurd_ids_are_404_not_500(api_as, manager, path):
    assert api_as(manager).get(path).status_code == 404


def test_an_absurd_delivery_id_is_404_not_500(api_as, manager):
    subscription = subscribe("https://hooks.example.com/a")
    response = api_as(manager).post(
        f"/api/v1/webhooks/{subscription.pk}/deliveries/99999999999999999999999/redeliver/"
    )
    assert response.status_code == 404
