"""The demo's two teams: EMEA (with the demo manager in it) and Americas (North and Latin America,
nobody in it yet), set up by the demo administrator before the requests are submitted, so the
requests route to them and the manager's lists open on EMEA with "All" one click away."""

from __future__ import annotations

from accounts.models import Team, User
from accounts.teams import team_create

DEMO_TEAMS = [
    # (name, region codes, member usernames)
    ("EMEA", ["emea"], ["manager"]),
    ("Americas", ["na", "latam"], []),
]


def seed_teams(users: dict[str, User]) -> list[Team]:
    """Create the demo teams (the ones that already exist are left alone)."""
    existing = set(Team.objects.values_list("name", flat=True))
    return [
        team_create(actor=users["admin"], name=name, regions=regions, members=[users[u].pk for u in members])
        for name, regions, members in DEMO_TEAMS
        if name not in existing
    ]
