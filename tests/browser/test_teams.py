"""Teams in a real browser: a team-A manager's queue shows team A's requests; one click on "All"
shows team B's too, and the choice stays for the next page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Team
from references.models import ActivityType, Region
from requests_app import services
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(requester, prospect, region):
    request, _ = services.request_submit(
        requester=requester,
        data={
            "activity_type": ActivityType.objects.get(code="call"),
            "prospect_name": prospect,
            "prospect_region": Region.objects.get(code=region),
            "needed_by": timezone.now() + timedelta(days=2),
        },
    )
    return request


def test_a_team_managers_queue_opens_on_the_team_and_all_shows_the_rest(live_server, page, login, shot):
    manager = UserFactory(username="emea_manager", role="manager")
    Team.objects.create(name="EMEA", scope=["region=emea"]).members.set([manager])
    Team.objects.create(name="Americas", scope=["region=na"])
    sales = UserFactory(username="team_sales", role="sales")
    ours = _submit(sales, "Globex Berlin", "emea")
    theirs = _submit(sales, "Hooli Boston", "na")
    assert ours.team.name == "EMEA" and theirs.team.name == "Americas"

    login(page, manager)
    page.goto(f"{live_server.url}/requests/queue/")
    queue = page.locator("main")
    expect(queue).to_contain_text("Globex Berlin")
    expect(queue).not_to_contain_text("Hooli Boston")
    expect(page.locator("#scope-team")).to_have_attribute("aria-current", "true")
    shot(page, "teams-queue-my-team")

    page.click("#scope-all")
    expect(queue).to_contain_text("Hooli Boston")
    expect(queue).to_contain_text("Globex Berlin")
    expect(page.locator("#scope-all")).to_have_attribute("aria-current", "true")
    shot(page, "teams-queue-all")

    # Remembered: the home queue now shows everything too, until "My team" is clicked.
    page.goto(f"{live_server.url}/")
    expect(page.locator("main")).to_contain_text("Hooli Boston")
    page.click("#scope-team")
    expect(page.locator("main")).not_to_contain_text("Hooli Boston")
    expect(page.locator("main")).to_contain_text("Globex Berlin")


def test_an_admin_sets_up_a_team_on_the_page(live_server, page, login, shot):
    admin = UserFactory(username="team_admin", role="admin")
    manager = UserFactory(username="team_manager", role="manager", first_name="Maren", last_name="Holt")
    login(page, admin)
    page.goto(f"{live_server.url}/teams/")
    expect(page.locator("#teams")).to_contain_text("No teams yet")
    page.fill("#id_name", "EMEA")
    page.check("#team-regions input[value=emea]")
    page.check(f"#team-members input[value='{manager.pk}']")
    page.click("text=Set up team")
    expect(page.locator("#teams")).to_contain_text("EMEA")
    expect(page.locator("#teams")).to_contain_text("Maren Holt")
    shot(page, "teams-list")
    assert Team.objects.get(name="EMEA").scope == ["region=emea"]
