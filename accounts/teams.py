"""Teams' scope on lists and actions: the one home of "which teams does this person work in",
"does this list open on their scope or on everything", and "may they act outside it".

Each model a team scopes has a queryset method ``in_scope_of(teams)`` (profiles by their facet
keys, requests by their owning team, candidates by their request): this module never names them,
so the lowest app decides for every app above it without importing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import permissions as perms
from .models import Team, User

SESSION_KEY = "team_scope"
OUT_OF_SCOPE = (
    "This is outside your team's scope: your team changes only what it owns. "
    "Ask the owning team, or an administrator to widen your team's scope."
)
SCOPE_TEAM = "team"
SCOPE_ALL = "all"


@dataclass
class TeamScope:
    """What a list shows: the viewer's teams' scope, or the whole program (``all``).

    ``teams`` is empty for people no list is scoped for (executives, admins, sales, marketing)
    and for managers in no team: they see everything and no switch is shown."""

    teams: list[Team] = field(default_factory=list)
    all: bool = True

    @property
    def switchable(self) -> bool:
        """Show the "My teams / All" switch."""
        return bool(self.teams)

    @property
    def names(self) -> str:
        return ", ".join(team.name for team in self.teams)

    def apply(self, queryset):
        """``queryset`` narrowed to the teams' scope, or unchanged when showing everything."""
        if self.all or not self.teams:
            return queryset
        return queryset.in_scope_of(self.teams)


def teams_of(user) -> list[Team]:
    """The teams ``user`` belongs to (one query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Team.objects.filter(members=user).order_by("name", "id"))


def team_scope(request) -> TeamScope:
    """The scope a list opens on for this viewer: a manager's teams unless they chose "All"
    (``?scope=all``; ``?scope=team`` returns), remembered in their session for the next list."""
    user = request.user
    if not perms.has_capability(user, perms.TEAM_SCOPED):
        return TeamScope()
    choice = request.GET.get("scope")
    if choice in (SCOPE_TEAM, SCOPE_ALL):
        request.session[SESSION_KEY] = choice
    else:
        choice = request.session.get(SESSION_KEY, SCOPE_TEAM)
    teams = teams_of(user)
    return TeamScope(teams=teams, all=choice == SCOPE_ALL or not teams)


def within_edit_scope(user, queryset):
    """``queryset`` (of a model with ``in_scope_of``) without the rows ``user`` may not change: for a
    member of a team that edits only inside its scope, the rows outside all their teams' scope.
    Unchanged for everyone else. Same query: bulk actions skip what is not theirs."""
    if not perms.has_capability(user, perms.TEAM_SCOPED) or not hasattr(queryset, "in_scope_of"):
        return queryset
    teams = teams_of(user)
    if not any(team.edit_only_in_scope for team in teams):
        return queryset
    return queryset.in_scope_of(teams)


def may_act_on(user, obj) -> bool:
    """False when ``user`` belongs to a team that edits only inside its scope and ``obj`` (a
    request, a candidate, a reference profile: whatever has ``in_scope_of``) is outside the scope
    of all their teams. Seeing is never limited by this: only changing."""
    if not perms.has_capability(user, perms.TEAM_SCOPED) or obj.pk is None:
        return True
    rows = type(obj).objects.filter(pk=obj.pk)
    limited = within_edit_scope(user, rows)
    return limited is rows or limited.exists()


def require_in_scope(user, obj) -> None:
    """Refuse (403) a change ``may_act_on`` forbids: the page and the API alike."""
    if not may_act_on(user, obj):
        raise PermissionDenied(OUT_OF_SCOPE)


# --- The scope's vocabulary -------------------------------------------------------------------
# Region and industry codes and products are the inventory's managed lists (the references app,
# above this one): it hands in the functions that check them when Django starts
# (``ReferencesConfig.ready``), so a team's scope names only what exists.


class ScopeVocabulary(Protocol):
    def keys(self, *, regions: list[str], industries: list[str], products: list[str]) -> list[str]:
        """The facet keys for these codes and product names; ``ValidationError`` naming the
        unknown ones and the valid ones, per field."""

    def product_names(self, ids: set[int]) -> dict[int, str]:
        """Product id → name (one query)."""

    def choices(self) -> dict[str, list[tuple[str, str]]]:
        """``{"regions", "industries", "products"}``: (value, label) pairs for a form."""


_vocabulary: ScopeVocabulary | None = None


def scope_vocabulary_register(vocabulary: ScopeVocabulary) -> None:
    global _vocabulary
    _vocabulary = vocabulary


def scope_vocabulary() -> ScopeVocabulary:
    if _vocabulary is None:
        raise RuntimeError("The references app (references.teams) is not installed.")
    return _vocabulary


def team_scope_describe(teams: list[Team]) -> dict[int, dict[str, list[str]]]:
    """Per team id ``{"regions": [codes], "industries": [codes], "products": [names]}``, for
    every team at once (one query for the product names)."""
    product_ids = {int(v) for team in teams for v in team.scope_values("product") if v.isdigit()}
    names = scope_vocabulary().product_names(product_ids) if product_ids else {}
    return {
        team.pk: {
            "regions": team.scope_values("region"),
            "industries": team.scope_values("industry"),
            "products": sorted(
                names.get(int(v), v) if v.isdigit() else v for v in team.scope_values("product")
            ),
        }
        for team in teams
    }


# --- Use cases --------------------------------------------------------------------------------


def _members(member_ids: list[int]) -> list[User]:
    members = list(User.objects.filter(pk__in=set(member_ids), is_active=True))
    unknown = sorted(set(member_ids) - {m.pk for m in members})
    if unknown:
        raise ValidationError(
            {"members": _("No active user has the id %(ids)s.") % {"ids": ", ".join(map(str, unknown))}}
        )
    return members


def _scope(regions, industries, products) -> list[str]:
    keys = scope_vocabulary().keys(regions=regions, industries=industries, products=products)
    if not keys:
        raise ValidationError(
            {"regions": _("Name at least one region, industry or product: a team owns a scope.")}
        )
    return keys


def _name_free(name: str, team: Team | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the team a name.")})
    clash = Team.objects.filter(name__iexact=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError({"name": _("A team called %(name)s already exists.") % {"name": name}})
    return name


def _require_manage(actor) -> None:
    if not perms.has_capability(actor, perms.MANAGE_TEAMS):
        raise PermissionDenied(_("Only an administrator may set up teams."))


@transaction.atomic
def team_create(
    *,
    actor,
    name: str,
    regions: list[str] = (),
    industries: list[str] = (),
    products: list[str] = (),
    members: list[int] = (),
    edit_only_in_scope: bool = False,
) -> Team:
    """Set up a team: a name, a scope (at least one region, industry or product, all from the
    managed lists) and its members (user ids)."""
    _require_manage(actor)
    team = Team(
        name=_name_free(name),
        scope=_scope(list(regions), list(industries), list(products)),
        edit_only_in_scope=edit_only_in_scope,
    )
    people = _members(list(members))
    team.save()
    team.members.set(people)
    return team


@transaction.atomic
def team_update(*, actor, team: Team, data: dict) -> Team:
    """Change a team: any of ``name``, ``regions``, ``industries``, ``products`` (a scope facet
    left out keeps its codes), ``members`` (the whole list), ``edit_only_in_scope``. Requests
    already routed keep their team."""
    _require_manage(actor)
    if "name" in data:
        team.name = _name_free(data["name"], team)
    if {"regions", "industries", "products"} & set(data):
        described = team_scope_describe([team])[team.pk]
        team.scope = _scope(
            list(data.get("regions", described["regions"])),
            list(data.get("industries", described["industries"])),
            list(data.get("products", described["products"])),
        )
    if "edit_only_in_scope" in data:
        team.edit_only_in_scope = bool(data["edit_only_in_scope"])
    people = _members(list(data["members"])) if "members" in data else None
    team.save()
    if people is not None:
        team.members.set(people)
    return team


@transaction.atomic
def team_delete(*, actor, team: Team) -> None:
    """Remove a team; its requests stay, owned by no team (every team's queue shows them)."""
    _require_manage(actor)
    team.delete()
