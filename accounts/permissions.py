"""Roles → capabilities: the one place that says who may do what.

Views, API permissions and templates ask ``has_capability(user, CAP)``; nothing else looks
at ``user.role``. What a user may *see* row by row lives in each model's ``visible_to``.
"""

from rest_framework.permissions import BasePermission

from .choices import Role

VIEW_INVENTORY = "view_inventory"  # inventory pages and full profiles (not the contact's PII)
VIEW_CATALOG = "view_catalog"  # the self-service catalog of active references
VIEW_CONTACT_PII = "view_contact_pii"  # contacts' email and phone
CHANGE_INVENTORY = "change_inventory"  # customers, contacts, profiles, lifecycle, import
MANAGE_LISTS = "manage_lists"  # industries, regions, products, use cases, programs
NOMINATE = "nominate"
VET_NOMINATIONS = "vet_nominations"
VIEW_USAGE = "view_usage"  # the usage ledger
SET_POLICY = "set_policy"  # overuse policy and activity weights
RESERVE_CAPACITY = "reserve_capacity"  # ask a reference, with or without an override
EXPORT_INVENTORY = "export_inventory"
VIEW_REQUESTS = "view_requests"  # the requests one may see (own ones, or all with view_all_requests)
SUBMIT_REQUESTS = "submit_requests"  # ask the program for references
VIEW_ALL_REQUESTS = "view_all_requests"  # every request, not only one's own
TRIAGE_REQUESTS = "triage_requests"  # the queue: assign, match, propose, walk candidates, close

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.MANAGER: frozenset(
        {
            VIEW_REQUESTS,
            SUBMIT_REQUESTS,
            VIEW_ALL_REQUESTS,
            TRIAGE_REQUESTS,
            VIEW_INVENTORY,
            VIEW_CATALOG,
            VIEW_CONTACT_PII,
            CHANGE_INVENTORY,
            MANAGE_LISTS,
            NOMINATE,
            VET_NOMINATIONS,
            VIEW_USAGE,
            SET_POLICY,
            RESERVE_CAPACITY,
            EXPORT_INVENTORY,
        }
    ),
    Role.ADMIN: frozenset(
        {
            VIEW_REQUESTS,
            VIEW_ALL_REQUESTS,
            VIEW_INVENTORY,
            VIEW_CATALOG,
            VIEW_CONTACT_PII,
            CHANGE_INVENTORY,
            MANAGE_LISTS,
            NOMINATE,
            VET_NOMINATIONS,
            VIEW_USAGE,
            SET_POLICY,
            EXPORT_INVENTORY,
        }
    ),
    Role.MARKETING: frozenset(
        {VIEW_REQUESTS, SUBMIT_REQUESTS, VIEW_INVENTORY, VIEW_CATALOG, NOMINATE, EXPORT_INVENTORY}
    ),
    Role.EXECUTIVE: frozenset(
        {
            VIEW_REQUESTS,
            VIEW_ALL_REQUESTS,
            VIEW_INVENTORY,
            VIEW_CATALOG,
            NOMINATE,
            VIEW_USAGE,
            EXPORT_INVENTORY,
        }
    ),
    Role.SALES: frozenset({VIEW_REQUESTS, SUBMIT_REQUESTS, VIEW_CATALOG, NOMINATE}),
}


# Public-use approvals: marketing asks, managers run them, every role can see them (a sales rep
# only what is approved, for the customers they can see: see ``Approval.objects.visible_to``).
VIEW_APPROVALS = "view_approvals"  # the approvals board, a customer's approvals, the content library
REQUEST_APPROVALS = "request_approvals"  # ask for an approval, edit it while open, read signed documents
MANAGE_APPROVALS = "manage_approvals"  # move approvals through review, send consent links, upload documents
WATCH_APPROVALS = "watch_approvals"  # warned 30 days before an approval expires
_APPROVAL_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.MANAGER: frozenset({VIEW_APPROVALS, REQUEST_APPROVALS, MANAGE_APPROVALS, WATCH_APPROVALS}),
    Role.ADMIN: frozenset({VIEW_APPROVALS, REQUEST_APPROVALS, MANAGE_APPROVALS}),
    Role.MARKETING: frozenset({VIEW_APPROVALS, REQUEST_APPROVALS, WATCH_APPROVALS}),
    Role.EXECUTIVE: frozenset({VIEW_APPROVALS}),
    Role.SALES: frozenset({VIEW_APPROVALS}),
}
CAPABILITIES = {
    role: caps | _APPROVAL_CAPABILITIES.get(role, frozenset()) for role, caps in CAPABILITIES.items()
}


# Program metrics (reporting). Executives, managers and admins read the dashboard; influenced
# revenue (won amounts, win rate, deal size) is commercial data for executives and managers only:
# admins run the system, not the business, and sales and marketing see no dashboard at all.
VIEW_DASHBOARD = "view_dashboard"  # the program metrics dashboard, its CSV exports, the summary API
VIEW_REVENUE = "view_revenue"  # influenced revenue, win rate and deal size within those
SET_TARGETS = "set_targets"  # the strategic mix the inventory should hold
VIEW_OPERATIONS = "view_operations"  # the manager's operational view (due, overdue, aging, stale, at cap)
_REPORTING_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.MANAGER: frozenset({VIEW_DASHBOARD, VIEW_REVENUE, SET_TARGETS, VIEW_OPERATIONS}),
    Role.ADMIN: frozenset({VIEW_DASHBOARD, SET_TARGETS, VIEW_OPERATIONS}),
    Role.EXECUTIVE: frozenset({VIEW_DASHBOARD, VIEW_REVENUE}),
}
CAPABILITIES = {
    role: caps | _REPORTING_CAPABILITIES.get(role, frozenset()) for role, caps in CAPABILITIES.items()
}

# Holds (a reference or a whole customer not to be asked for a while): managers put and end them
# for any customer; an account owner does it for their own accounts (``ledger.holds.can_manage``).
MANAGE_HOLDS = "manage_holds"
CAPABILITIES = {
    role: caps | ({MANAGE_HOLDS} if role == Role.MANAGER else set()) for role, caps in CAPABILITIES.items()
}

# Integrations (outbound webhooks, the inbound CRM opportunities endpoint): managers and admins wire
# the program to other systems.
MANAGE_INTEGRATIONS = "manage_integrations"
CAPABILITIES = {
    role: caps | ({MANAGE_INTEGRATIONS} if role in (Role.MANAGER, Role.ADMIN) else set())
    for role, caps in CAPABILITIES.items()
}

# The audit log (who changed what, when, and who logged in): managers and admins.
VIEW_AUDIT = "view_audit"
CAPABILITIES = {
    role: caps | ({VIEW_AUDIT} if role in (Role.MANAGER, Role.ADMIN) else set())
    for role, caps in CAPABILITIES.items()
}


# Teams (a scope of regions, industries and products, and its managers): admins set them up,
# managers and executives read them. A manager's queue, request list and inventory open on their
# teams' scope ("All" one click away); executives and admins always see the whole program.
VIEW_TEAMS = "view_teams"
MANAGE_TEAMS = "manage_teams"
TEAM_SCOPED = "team_scoped"  # lists open on the scope of one's teams
CAPABILITIES = {
    role: caps
    | ({VIEW_TEAMS} if role in (Role.MANAGER, Role.ADMIN, Role.EXECUTIVE) else set())
    | ({MANAGE_TEAMS} if role == Role.ADMIN else set())
    | ({TEAM_SCOPED} if role == Role.MANAGER else set())
    for role, caps in CAPABILITIES.items()
}


# The program's words for its main nouns ("advocate" for reference, "account" for customer):
# administrators rename them (``accounts.terms``); everyone reads them.
SET_TERMS = "set_terms"
CAPABILITIES = {
    role: caps | ({SET_TERMS} if role == Role.ADMIN else set()) for role, caps in CAPABILITIES.items()
}


def has_capability(user, capability: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return capability in CAPABILITIES.get(getattr(user, "role", ""), frozenset())


def capabilities_of(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return CAPABILITIES.get(user.role, frozenset())


class HasCapability(BasePermission):
    """DRF permission: ``required_capabilities = {"GET": CAP, "POST": CAP, ...}`` on the view.

    Safe methods fall back to the ``"GET"`` entry; a method with no entry is refused.
    """

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        required = getattr(view, "required_capabilities", {})
        method = request.method if request.method not in ("HEAD", "OPTIONS") else "GET"
        action_caps = getattr(view, "action_capabilities", {})
        cap = action_caps.get(getattr(view, "action", None)) or required.get(method)
        if cap is None:
            return False
        return has_capability(request.user, cap)

    def has_object_permission(self, request, view, obj) -> bool:
        """A change to one object (a request, a candidate, a reference profile) by a member of a
        team that edits only inside its scope: refused outside it (``accounts.teams``)."""
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        from .teams import OUT_OF_SCOPE, may_act_on

        if may_act_on(request.user, obj):
            return True
        self.message = OUT_OF_SCOPE
        return False
