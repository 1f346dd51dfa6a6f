"""Pages: teams, for administrators (list, set up, change members and scope, remove); managers
and executives read the list. Thin: the form parses, ``accounts.teams`` decides."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from refprogram.views import add_service_errors, capability_required, posted

from . import permissions as perms
from .models import Team, User
from .teams import scope_vocabulary, team_create, team_delete, team_scope_describe, team_update


class TeamForm(forms.Form):
    """A team: its name, its scope (any of regions, industries, products) and its members."""

    name = forms.CharField(max_length=100, label=gettext_lazy("Name"))
    regions = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Regions")
    )
    industries = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Industries")
    )
    products = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Products")
    )
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Members"),
        help_text=gettext_lazy("The team's reference managers (and anyone else who works its queue)."),
    )
    edit_only_in_scope = forms.BooleanField(
        required=False,
        label=gettext_lazy("Members edit only inside the team's scope"),
        help_text=gettext_lazy(
            "They still see everything through “All”, but change only their teams' requests and profiles."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = scope_vocabulary().choices()
        for name in ("regions", "industries", "products"):
            self.fields[name].choices = choices[name]
        self.fields["members"].queryset = User.objects.filter(is_active=True).order_by("role", "username")
        self.fields["members"].label_from_instance = lambda u: f"{u} ({u.get_role_display()})"


def _initial(team: Team) -> dict:
    scope = team_scope_describe([team])[team.pk]
    return {
        "name": team.name,
        **scope,
        "members": [m.pk for m in team.members.all()],
        "edit_only_in_scope": team.edit_only_in_scope,
    }


def _data(form: TeamForm) -> dict:
    data = dict(form.cleaned_data)
    data["members"] = [m.pk for m in data["members"]]
    return data


@capability_required(perms.VIEW_TEAMS)
def team_list(request):
    """Every team with its scope and members; administrators set up a new one here."""
    can_manage = perms.has_capability(request.user, perms.MANAGE_TEAMS)
    form = TeamForm(posted(request)) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                team = team_create(actor=request.user, **_data(form))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Team %(name)s set up.") % {"name": team.name})
                return redirect("team-list")
    teams = list(Team.objects.visible_to(request.user).prefetch_related("members").order_by("name", "id"))
    described = team_scope_describe(teams)
    rows = [(team, described[team.pk]) for team in teams]
    return render(
        request,
        "accounts/team_list.html",
        {"rows": rows, "form": form, "can_manage": can_manage},
        status=400 if form is not None and form.errors else 200,
    )


@capability_required(perms.MANAGE_TEAMS)
def team_edit(request, pk: int):
    """Change a team's name, scope, members or policy."""
    team = get_object_or_404(Team.objects.prefetch_related("members"), pk=pk)
    form = TeamForm(posted(request), initial=_initial(team))
    if request.method == "POST" and form.is_valid():
        try:
            team_update(actor=request.user, team=team, data=_data(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Team %(name)s saved.") % {"name": team.name})
            return redirect("team-list")
    return render(
        request, "accounts/team_form.html", {"form": form, "team": team}, status=400 if form.errors else 200
    )


@capability_required(perms.MANAGE_TEAMS)
@require_POST
def team_delete_view(request, pk: int):
    team = get_object_or_404(Team, pk=pk)
    team_delete(actor=request.user, team=team)
    messages.success(
        request, _("Team %(name)s removed; its requests are now in every team's queue.") % {"name": team.name}
    )
    return redirect("team-list")
