"""A person's time zone: the pages show their dates in it (Django's ``localtime`` under
``USE_TZ``, switched per request by ``PersonalPreferencesMiddleware``); and the frame of every
page (navigation, menu) keeps its English words for a person who reads English."""

import datetime as dt

import pytest

from accounts.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# 23:30 on 1 March in UTC is 08:30 on 2 March in Tokyo (UTC+9, no daylight saving time).
MOMENT = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)


def _notified(user):
    notification = Notification.objects.create(user=user, key="tz-test", subject="Request #7 was fulfilled")
    Notification.objects.filter(pk=notification.pk).update(created_at=MOMENT)


def test_a_person_in_tokyo_reads_the_notification_time_in_tokyo_time(client):
    user = UserFactory(role="sales", time_zone="Asia/Tokyo")
    _notified(user)
    client.force_login(user)

    page = client.get("/notifications/").content.decode()

    assert "Request #7 was fulfilled" in page
    assert "2026-03-02 08:30" in page
    assert "2026-03-01 23:30" not in page


def test_a_person_in_utc_reads_the_same_notification_at_utc_time(client, settings):
    settings.TIME_ZONE = "UTC"
    user = UserFactory(role="sales", time_zone="")  # blank: the company's time zone
    _notified(user)
    client.force_login(user)

    page = client.get("/notifications/").content.decode()

    assert "2026-03-01 23:30" in page
    assert "2026-03-02 08:30" not in page


def test_the_frame_reads_in_english_and_links_to_language_and_time_zone(client):
    user = UserFactory(role="manager", language="en")
    client.force_login(user)

    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<a href="/account/preferences/">Language and time zone</a>' in page
    assert '<label for="menu-toggle" class="menu-button">Menu</label>' in page
    assert "<summary>More</summary>" in page
    assert '<button class="link">Log out</button>' in page
    assert "<h1>Notifications</h1>" in page
    assert '<li class="empty">No notifications.</li>' in page
