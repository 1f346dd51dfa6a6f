"""Access control, exhaustively: every URL pattern and every API operation × every role and
anonymous → the status written in the tables below.

The routes come from the URL conf (``get_resolver()``) and the operations from the generated
OpenAPI schema, so a new endpoint without an entry here fails ``test_every_route_has_an_entry``.
Expected statuses: 200/201/204/302 allowed (a 302 is the page's redirect after a POST or to
login), 400 allowed but the (deliberately minimal) input refused, 403 a role that may not act,
404 an object the caller may not see, 401 an anonymous API call, 405 a method the route lacks,
409 a rule refused it. Each role's request runs in a savepoint that is rolled back, so all six
see the same world (``conftest.world``).
"""

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

ROLES = ("manager", "sales", "marketing", "executive", "admin", "anonymous")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def e(manager, sales, marketing, executive, admin, anonymous=302):
    """Expected status per role, in ``ROLES`` order (pages: anonymous goes to the login page)."""
    return dict(zip(ROLES, (manager, sales, marketing, executive, admin, anonymous), strict=True))


def a(manager, sales, marketing, executive, admin, anonymous=401):
    """Expected status per role for an API operation (anonymous: 401)."""
    return e(manager, sales, marketing, executive, admin, anonymous)


ALL = e(200, 200, 200, 200, 200)
INVENTORY = e(200, 403, 200, 200, 200)  # view_inventory: not sales
CHANGE = e(200, 403, 403, 403, 200)  # change_inventory: managers and admins
TRIAGE = e(200, 403, 403, 403, 403)  # triage_requests: managers only
FORM_REFUSED = e(400, 403, 403, 403, 400)  # managers and admins; an empty form re-renders with its errors
SCIM_ONLY = e(401, 401, 401, 401, 401, 401)  # the SCIM bearer token, never a session
AUDIT = e(200, 403, 403, 403, 200)  # view_audit: managers and administrators
SUBMITS = e(200, 200, 200, 403, 403)  # submit_requests: the intake form and its opportunity search
SEES_OWN_REQUEST = e(302, 302, 404, 302, 302)  # sales1's request: marketing does not see it
API_ALL = a(200, 200, 200, 200, 200)
API_INTEGRATIONS = a(200, 403, 403, 403, 200)  # manage_integrations: managers and administrators
API_INVENTORY = a(200, 403, 200, 200, 200)
API_CHANGE_EMPTY = a(400, 403, 403, 403, 400)  # allowed, but an empty body is a 400
API_CHANGE_PATCH = a(200, 403, 403, 403, 200)  # an empty PATCH changes nothing: 200
API_CHANGE_GET = a(200, 403, 403, 403, 200)  # change_inventory: managers and admins

REASON = {"reason": "The deal moved on."}
OUTCOME = {"result": "won", "amount": "1000"}
HOLD = {"customer": "{customer}", "reason": "Escalation open", "ends_on": "2099-01-01"}

# Pages and other non-API routes: route pattern → [(method, path, body, expected)].
# Placeholders are ``World.ids()`` keys. ``own_request`` is sales1's, ``other_request`` sales2's.
PAGES = {
    "api/schema/": [("get", "/api/schema/", None, e(200, 200, 200, 200, 200, 200))],
    "api/docs/": [("get", "/api/docs/", None, e(200, 200, 200, 200, 200, 200))],
    "api/redoc/": [("get", "/api/redoc/", None, e(301, 301, 301, 301, 301, 301))],  # → /api/docs/
    "health/": [("get", "/health/", None, e(200, 200, 200, 200, 200, 200))],  # for monitors: no login
    "favicon.ico": [("get", "/favicon.ico", None, e(301, 301, 301, 301, 301, 301))],  # → the static icon
    "login/": [("get", "/login/", None, e(302, 302, 302, 302, 302, 200))],
    # The log-in's second step: without a right password just before, back to the log-in page.
    "login/code/": [("get", "/login/code/", None, e(302, 302, 302, 302, 302, 302))],
    "login/set-up/": [("get", "/login/set-up/", None, e(302, 302, 302, 302, 302, 302))],
    # Everyone's own second factor (OTP_REQUIRED_FOR_ADMINS is off in the test settings, so the
    # administrator too may post the removal form; an empty code re-renders it).
    "account/preferences/": [
        ("get", "/account/preferences/", None, ALL),
        ("post", "/account/preferences/", {}, e(302, 302, 302, 302, 302, 302)),
    ],
    "account/second-factor/": [("get", "/account/second-factor/", None, ALL)],
    "account/second-factor/set-up/": [("get", "/account/second-factor/set-up/", None, ALL)],
    "account/second-factor/remove/": [("post", "/account/second-factor/remove/", {}, ALL)],
    "logout/": [
        ("get", "/logout/", None, e(405, 405, 405, 405, 405, 405)),
        ("post", "/logout/", {}, e(302, 302, 302, 302, 302, 302)),
    ],
    "notifications/": [("get", "/notifications/", None, ALL)],
    "notifications/read/": [("post", "/notifications/read/", {}, e(302, 302, 302, 302, 302))],
    # Teams: administrators set them up; managers and executives read the list.
    "teams/": [
        ("get", "/teams/", None, e(200, 403, 403, 200, 200)),
        ("post", "/teams/", {}, e(403, 403, 403, 403, 400)),  # an empty form: its errors
    ],
    "teams/<int:pk>/": [("get", "/teams/{team}/", None, e(403, 403, 403, 403, 200))],
    "teams/<int:pk>/delete/": [("post", "/teams/{team}/delete/", {}, e(403, 403, 403, 403, 302))],
    # The program's words for its main nouns: administrators rename them (an empty form: its errors).
    "settings/terms/": [
        ("get", "/settings/terms/", None, e(403, 403, 403, 403, 200)),
        ("post", "/settings/terms/", {}, e(403, 403, 403, 403, 400)),
    ],
    # The program's own fields: managers and administrators (manage_lists) define them.
    "custom-fields/": [("get", "/custom-fields/", None, CHANGE)],
    "custom-fields/new/": [
        ("get", "/custom-fields/new/", None, CHANGE),
        ("post", "/custom-fields/new/", {}, FORM_REFUSED),
    ],
    "custom-fields/<slug:slug>/edit/": [
        ("get", "/custom-fields/nosuch/edit/", None, e(404, 403, 403, 403, 404))
    ],
    "": [("get", "/", None, ALL)],
    "inventory/": [("get", "/inventory/", None, INVENTORY)],
    "inventory/export.csv": [("get", "/inventory/export.csv", None, INVENTORY)],
    "catalog/": [("get", "/catalog/", None, ALL)],
    "references/<int:pk>/": [
        ("get", "/references/{profile}/", None, ALL),
        ("get", "/references/{retired}/", None, e(200, 404, 200, 200, 200)),
        ("get", "/references/999999/", None, e(404, 404, 404, 404, 404)),
    ],
    "references/<int:pk>/usage/": [
        ("get", "/references/{profile}/usage/", None, e(200, 403, 403, 200, 200)),
        ("get", "/references/999999/usage/", None, e(404, 403, 403, 404, 404)),
    ],
    "references/<int:pk>/edit/": [("get", "/references/{profile}/edit/", None, CHANGE)],
    "references/<int:pk>/transition/": [
        ("post", "/references/{profile}/transition/", {}, e(302, 403, 403, 403, 302))
    ],
    "references/<int:pk>/reconfirm/": [
        # sales1 owns the customer: account owners re-confirm their own customers' profiles.
        ("post", "/references/{profile}/reconfirm/", {}, e(302, 302, 404, 404, 302)),
    ],
    "customers/new/": [("get", "/customers/new/", None, CHANGE)],
    "customers/<int:pk>/": [("get", "/customers/{customer}/", None, INVENTORY)],
    "customers/<int:pk>/edit/": [("get", "/customers/{customer}/edit/", None, CHANGE)],
    "customers/<int:customer_pk>/references/new/": [
        ("get", "/customers/{customer}/references/new/", None, CHANGE)
    ],
    "contacts/<int:pk>/edit/": [("get", "/contacts/{contact}/edit/", None, CHANGE)],
    "nominations/": [("get", "/nominations/", None, ALL)],
    "nominations/new/": [
        ("get", "/nominations/new/", None, ALL),
        ("get", "/nominations/new/?customer={customer}", None, ALL),
    ],
    "nominations/<int:pk>/": [
        # made by marketing1: vetters and its nominator see it
        ("get", "/nominations/{nomination}/", None, e(200, 404, 200, 404, 200)),
        # made by sales1: the nominator sees it, other non-vetters do not
        ("get", "/nominations/{sales_nomination}/", None, e(200, 200, 404, 404, 200)),
    ],
    "nominations/<int:pk>/vet/": [("post", "/nominations/{nomination}/vet/", {}, e(302, 403, 403, 403, 302))],
    "nominations/<int:pk>/accept/": [
        (
            "post",
            "/nominations/{nomination}/accept/",
            {"activity_types": ["call"]},
            e(302, 403, 403, 403, 302),
        )
    ],
    "nominations/<int:pk>/reject/": [
        ("post", "/nominations/{nomination}/reject/", {}, e(200, 403, 403, 403, 200))  # no reason: form
    ],
    "inventory/import/": [("get", "/inventory/import/", None, CHANGE)],
    "inventory/import/template.csv": [("get", "/inventory/import/template.csv", None, CHANGE)],
    "usage/": [("get", "/usage/", None, e(200, 403, 403, 200, 200))],
    "usage/<int:pk>/transition/": [("post", "/usage/{usage}/transition/", {}, TRIAGE | {"manager": 302})],
    "candidates/<int:pk>/chase/": [("post", "/candidates/{candidate}/chase/", {}, TRIAGE | {"manager": 302})],
    "usage/import/": [("get", "/usage/import/", None, TRIAGE), ("post", "/usage/import/", {}, TRIAGE)],
    "usage/import/template.csv": [("get", "/usage/import/template.csv", None, TRIAGE)],
    "policy/": [
        ("get", "/policy/", None, INVENTORY),
        ("post", "/policy/", {}, e(200, 403, 403, 403, 200)),
    ],
    "stale/": [("get", "/stale/", None, CHANGE)],
    "approvals/": [("get", "/approvals/", None, ALL)],
    "approvals/customer/<int:customer_id>/": [("get", "/approvals/customer/{customer}/", None, ALL)],
    "approvals/customer/<int:customer_id>/request/": [
        ("get", "/approvals/customer/{customer}/request/", None, e(200, 403, 200, 403, 200))
    ],
    "approvals/<int:pk>/": [
        # pending: a sales rep sees approved uses only
        ("get", "/approvals/{approval}/", None, e(200, 404, 200, 200, 200)),
        ("get", "/approvals/{approved}/", None, ALL),
    ],
    "approvals/<int:pk>/edit/": [("get", "/approvals/{approval}/edit/", None, e(200, 403, 200, 403, 200))],
    "approvals/<int:pk>/transition/": [
        ("post", "/approvals/{approval}/transition/", {}, e(400, 403, 403, 403, 400))
    ],
    "approvals/<int:pk>/send-link/": [
        ("post", "/approvals/{approval}/send-link/", {}, e(302, 403, 403, 403, 302))
    ],
    "approvals/<int:pk>/upload/<str:kind>/": [
        ("post", "/approvals/{approval}/upload/document/", {}, e(400, 403, 403, 403, 400))
    ],
    "approvals/<int:pk>/file/<str:kind>/": [
        # no document uploaded yet: 404 for those who may read documents
        ("get", "/approvals/{approval}/file/document/", None, e(404, 403, 404, 403, 404))
    ],
    "library/": [("get", "/library/", None, ALL)],
    "consent/<str:token>/": [
        # the customer's private link needs no login; an empty answer is refused
        ("get", "/consent/{token}/", None, e(200, 200, 200, 200, 200, 200)),
        ("post", "/consent/{token}/", {}, e(400, 400, 400, 400, 400, 400)),
        ("get", "/consent/not-a-token/", None, e(404, 404, 404, 404, 404, 404)),
    ],
    "requests/new/": [
        ("get", "/requests/new/", None, e(200, 200, 200, 403, 403)),
        # The deep link from the CRM (an id not synced yet is a message on the form, never an error).
        ("get", "/requests/new/?crm=salesforce&opportunity=006000000000001AAA", None, SUBMITS),
    ],
    "requests/opportunities/search/": [
        ("get", "/requests/opportunities/search/?opportunity_q=deal", None, SUBMITS)
    ],
    "requests/opportunities/pick/": [("get", "/requests/opportunities/pick/", None, SUBMITS)],
    "requests/mine/": [("get", "/requests/mine/", None, ALL)],
    "requests/queue/": [("get", "/requests/queue/", None, TRIAGE)],
    "requests/queue/assign/": [("post", "/requests/queue/assign/", {}, TRIAGE | {"manager": 302})],
    "requests/<int:pk>/": [
        ("get", "/requests/{own_request}/", None, e(200, 200, 404, 200, 200)),
        ("get", "/requests/{other_request}/", None, e(200, 404, 404, 200, 200)),
    ],
    "requests/<int:pk>/edit/": [
        # sales1's request already has a candidate: only the manager may still edit it
        ("get", "/requests/{own_request}/edit/", None, e(200, 403, 404, 403, 403)),
    ],
    "requests/<int:pk>/assign/": [("post", "/requests/{own_request}/assign/", {}, TRIAGE | {"manager": 302})],
    "requests/<int:pk>/propose/": [
        ("post", "/requests/{own_request}/propose/", {}, TRIAGE | {"manager": 302})
    ],
    "requests/<int:pk>/close/": [
        ("post", "/requests/{own_request}/close/", REASON, TRIAGE | {"manager": 302})
    ],
    "requests/<int:pk>/cancel/": [
        ("post", "/requests/{own_request}/cancel/", REASON, e(302, 302, 404, 403, 403)),
        ("post", "/requests/{other_request}/cancel/", REASON, e(302, 404, 404, 403, 403)),
    ],
    "requests/<int:pk>/outcome/": [
        ("post", "/requests/{own_request}/outcome/", OUTCOME, e(302, 302, 404, 403, 403)),
        ("post", "/requests/{other_request}/outcome/", OUTCOME, e(302, 404, 404, 403, 403)),
    ],
    "requests/<int:pk>/rate/": [
        # only the requester rates (nothing completed yet: the page explains, 302)
        ("post", "/requests/{own_request}/rate/", {"rating": "5"}, e(403, 302, 404, 403, 403)),
    ],
    "candidates/<int:pk>/transition/": [
        ("post", "/candidates/{candidate}/transition/", {}, TRIAGE | {"manager": 302})
    ],
    "dashboard/": [("get", "/dashboard/", None, e(200, 403, 403, 200, 200))],
    "dashboard/export/<slug:table>.csv": [
        ("get", "/dashboard/export/requests.csv", None, e(200, 403, 403, 200, 200)),
        # influenced revenue is for executives and managers, not admins
        ("get", "/dashboard/export/revenue.csv", None, e(200, 403, 403, 200, 403)),
    ],
    "dashboard/export.xlsx": [("get", "/dashboard/export.xlsx", None, e(200, 403, 403, 200, 200))],
    # The account owner's consent (sales1 owns Acme) and the requester's pick of an offered time:
    # whoever sees the request reaches the workbench (a refusal is its message, 409 in the API's
    # words: ``not_account_owner``); marketing does not see sales1's request.
    "candidates/<int:pk>/owner/": [("post", "/candidates/{candidate}/owner/", {}, SEES_OWN_REQUEST)],
    "candidates/<int:pk>/pick/": [("post", "/candidates/{candidate}/pick/", {}, SEES_OWN_REQUEST)],
    # The reference's private link: no log-in; an unknown token is a page that does not exist.
    "answer/<str:token>/": [
        ("get", "/answer/not-a-token/", None, e(404, 404, 404, 404, 404, 404)),
        ("post", "/answer/not-a-token/", {"decision": "accept"}, e(404, 404, 404, 404, 404, 404)),
    ],
    # Single sign-on: off to the identity provider and back; without SSO set up, to the log-in page.
    "oidc/authenticate/": [("get", "/oidc/authenticate/", None, e(302, 302, 302, 302, 302, 302))],
    "oidc/callback/": [("get", "/oidc/callback/", None, e(302, 302, 302, 302, 302, 302))],
    # SCIM provisioning answers only its bearer token (an identity provider), never a session.
    # Slack's signed calls: no session counts, only Slack's signature (none here: 401); POST only.
    "slack/commands/": [
        ("post", "/slack/commands/", {}, e(401, 401, 401, 401, 401, 401)),
        ("get", "/slack/commands/", None, e(405, 405, 405, 405, 405, 405)),
    ],
    "slack/interactions/": [
        ("post", "/slack/interactions/", {}, e(401, 401, 401, 401, 401, 401)),
        ("get", "/slack/interactions/", None, e(405, 405, 405, 405, 405, 405)),
    ],
    "scim/v2/Users": [("get", "/scim/v2/Users", None, SCIM_ONLY)],
    "scim/v2/Users/<str:pk>": [("get", "/scim/v2/Users/{own_request}", None, SCIM_ONLY)],
    "scim/v2/Groups": [("get", "/scim/v2/Groups", None, SCIM_ONLY)],
    "scim/v2/Groups/<str:pk>": [("get", "/scim/v2/Groups/manager", None, SCIM_ONLY)],
    # The audit log: managers and administrators.
    "audit/": [("get", "/audit/", None, AUDIT)],
    "audit/export.csv": [("get", "/audit/export.csv", None, AUDIT)],
    # A person's consents (the inventory's readers; recorded by managers and admins), erasure, and
    # the withdrawal page a reference contact reaches from any e-mail (no log-in: the token is all).
    "contacts/<int:pk>/consents/": [
        ("get", "/contacts/{contact}/consents/", None, INVENTORY),
        ("post", "/contacts/{contact}/consents/", {}, FORM_REFUSED),
    ],
    "contacts/<int:pk>/export/": [("get", "/contacts/{contact}/export/", None, CHANGE)],
    "contacts/<int:pk>/erase/": [
        ("get", "/contacts/{contact}/erase/", None, CHANGE),
        ("post", "/contacts/{contact}/erase/", {}, FORM_REFUSED),
    ],
    # Retention review and the Art. 14 notice: managers and admins (the notice's text: set_policy).
    "contacts/retention/": [("get", "/contacts/retention/", None, CHANGE)],
    "contacts/<int:pk>/retention/keep/": [
        ("get", "/contacts/{contact}/retention/keep/", None, e(405, 405, 405, 405, 405, 405)),
        ("post", "/contacts/{contact}/retention/keep/", {}, e(302, 403, 403, 403, 302)),
    ],
    "contacts/notices/": [
        ("get", "/contacts/notices/", None, CHANGE),
        ("post", "/contacts/notices/", {}, e(302, 403, 403, 403, 302)),
    ],
    "contacts/notices/template/": [
        ("get", "/contacts/notices/template/", None, CHANGE),
        ("post", "/contacts/notices/template/", {}, FORM_REFUSED),
    ],
    "withdraw/<str:token>/": [
        ("get", "/withdraw/not-a-token/", None, e(404, 404, 404, 404, 404, 404)),
        ("post", "/withdraw/not-a-token/", {}, e(404, 404, 404, 404, 404, 404)),
    ],
    "dashboard/targets/": [("get", "/dashboard/targets/", None, CHANGE)],
    # Holds: managers, and account owners for their own accounts (sales1 owns Acme, not Initrode).
    "holds/new/": [
        ("get", "/holds/new/", None, e(405, 405, 405, 405, 405, 302)),
        ("post", "/holds/new/", HOLD, e(302, 302, 403, 403, 403)),
    ],
    "holds/<int:pk>/end/": [("post", "/holds/{hold}/end/", {}, e(302, 404, 403, 403, 403))],
    "customers/<int:pk>/renewal-done/": [
        ("post", "/customers/{customer}/renewal-done/", {}, e(302, 302, 403, 403, 403))
    ],
    "customers/<int:pk>/asks/": [("get", "/customers/{customer}/asks/", None, e(200, 200, 404, 200, 200))],
    "dashboard/targets/<int:pk>/delete/": [
        ("post", "/dashboard/targets/{target}/delete/", {}, e(302, 403, 403, 403, 302))
    ],
    "dashboard/operations/": [("get", "/dashboard/operations/", None, CHANGE)],
    # The integration page (CRM sync, write-backs, webhooks): manage_integrations (managers, admins).
    "integrations/": [("get", "/integrations/", None, e(200, 403, 403, 403, 200))],
    "integrations/<str:kind>/settings/": [
        ("post", "/integrations/salesforce/settings/", {}, FORM_REFUSED),  # the sign-in flow is required
        ("post", "/integrations/hubspot/settings/", {}, e(302, 403, 403, 403, 302)),
    ],
    # Not set up in the world: refused with a message, back to the page.
    "integrations/<str:kind>/sync/": [
        ("post", "/integrations/hubspot/sync/", {}, e(302, 403, 403, 403, 302))
    ],
    "integrations/<str:kind>/status/": [
        ("get", "/integrations/salesforce/status/", None, e(200, 403, 403, 403, 200)),
        ("get", "/integrations/zoho/status/", None, e(404, 403, 403, 403, 404)),
    ],
}

# API operations from the OpenAPI schema: "METHOD /path/" → [(path, body, expected)].
API = {
    "GET /api/v1/auth/token/": None,  # not an operation; see the POST
    "POST /api/v1/auth/token/": [
        ("/api/v1/auth/token/", {}, a(400, 400, 400, 400, 400, 400)),
        (
            "/api/v1/auth/token/",
            {"username": "sales1", "password": "pass-word-123"},
            a(200, 200, 200, 200, 200, 200),
        ),
    ],
    # Revokes the caller's own token (rolled back after each role): anyone holding one may.
    "DELETE /api/v1/auth/token/": [("/api/v1/auth/token/", None, a(204, 204, 204, 204, 204))],
    "GET /api/v1/activity-types/": [("/api/v1/activity-types/", None, API_ALL)],
    "GET /api/v1/activity-types/{code}/": [("/api/v1/activity-types/call/", None, API_ALL)],
    "PATCH /api/v1/activity-types/{code}/": [("/api/v1/activity-types/call/", {}, API_CHANGE_PATCH)],
    "GET /api/v1/custom-fields/": [("/api/v1/custom-fields/", None, API_ALL)],
    "POST /api/v1/custom-fields/": [("/api/v1/custom-fields/", {}, API_CHANGE_EMPTY)],
    "GET /api/v1/custom-fields/{slug}/": [
        ("/api/v1/custom-fields/nosuch/", None, a(404, 404, 404, 404, 404))
    ],
    "PATCH /api/v1/custom-fields/{slug}/": [
        ("/api/v1/custom-fields/nosuch/", {}, a(404, 403, 403, 403, 404))
    ],
    "GET /api/v1/industries/": [("/api/v1/industries/", None, API_ALL)],
    "POST /api/v1/industries/": [("/api/v1/industries/", {}, API_CHANGE_EMPTY)],
    "GET /api/v1/industries/{code}/": [("/api/v1/industries/finance/", None, API_ALL)],
    "PATCH /api/v1/industries/{code}/": [("/api/v1/industries/finance/", {}, API_CHANGE_PATCH)],
    "GET /api/v1/regions/": [("/api/v1/regions/", None, API_ALL)],
    "POST /api/v1/regions/": [("/api/v1/regions/", {}, API_CHANGE_EMPTY)],
    "GET /api/v1/regions/{code}/": [("/api/v1/regions/emea/", None, API_ALL)],
    "PATCH /api/v1/regions/{code}/": [("/api/v1/regions/emea/", {}, API_CHANGE_PATCH)],
    "GET /api/v1/products/": [("/api/v1/products/", None, API_ALL)],
    "POST /api/v1/products/": [("/api/v1/products/", {}, API_CHANGE_EMPTY)],
    "GET /api/v1/products/{id}/": [("/api/v1/products/{product}/", None, API_ALL)],
    "PATCH /api/v1/products/{id}/": [("/api/v1/products/{product}/", {}, API_CHANGE_PATCH)],
    "GET /api/v1/use-cases/": [("/api/v1/use-cases/", None, API_ALL)],
    "POST /api/v1/use-cases/": [("/api/v1/use-cases/", {}, API_CHANGE_EMPTY)],
    "GET /api/v1/use-cases/{id}/": [("/api/v1/use-cases/{use_case}/", None, API_ALL)],
    "PATCH /api/v1/use-cases/{id}/": [("/api/v1/use-cases/{use_case}/", {}, API_CHANGE_PATCH)],
    "GET /api/v1/programs/": [("/api/v1/programs/", None, API_ALL)],
    "POST /api/v1/programs/": [("/api/v1/programs/", {}, API_CHANGE_EMPTY)],
    "GET /api/v1/programs/{id}/": [("/api/v1/programs/{program}/", None, API_ALL)],
    "PATCH /api/v1/programs/{id}/": [("/api/v1/programs/{program}/", {}, API_CHANGE_PATCH)],
    "GET /api/v1/customers/": [("/api/v1/customers/", None, API_ALL)],
    "POST /api/v1/customers/": [("/api/v1/customers/", {}, API_CHANGE_EMPTY)],
    "GET /api/v1/customers/{id}/": [
        ("/api/v1/customers/{customer}/", None, API_ALL),
        # no profile in the catalog and not sales1's account
        ("/api/v1/customers/{hidden_customer}/", None, a(200, 404, 200, 200, 200)),
    ],
    "PATCH /api/v1/customers/{id}/": [("/api/v1/customers/{customer}/", {}, API_CHANGE_PATCH)],
    "DELETE /api/v1/customers/{id}/": [
        # it has profiles and requests: the rule refuses (409), the role gate comes first
        ("/api/v1/customers/{customer}/", None, a(409, 403, 403, 403, 409)),
    ],
    "GET /api/v1/contacts/": [("/api/v1/contacts/", None, API_INVENTORY)],
    "POST /api/v1/contacts/": [("/api/v1/contacts/", {}, API_CHANGE_EMPTY)],
    "GET /api/v1/contacts/{id}/": [("/api/v1/contacts/{contact}/", None, API_INVENTORY)],
    "PATCH /api/v1/contacts/{id}/": [("/api/v1/contacts/{contact}/", {}, API_CHANGE_PATCH)],
    "GET /api/v1/references/": [("/api/v1/references/", None, API_ALL)],
    "POST /api/v1/references/": [("/api/v1/references/", {}, API_CHANGE_EMPTY)],
    "GET /api/v1/references/{id}/": [
        ("/api/v1/references/{profile}/", None, API_ALL),
        ("/api/v1/references/{retired}/", None, a(200, 404, 200, 200, 200)),
    ],
    "PATCH /api/v1/references/{id}/": [("/api/v1/references/{profile}/", {}, API_CHANGE_PATCH)],
    "GET /api/v1/references/{id}/history/": [("/api/v1/references/{profile}/history/", None, API_INVENTORY)],
    "POST /api/v1/references/{id}/reconfirm/": [
        ("/api/v1/references/{profile}/reconfirm/", {}, a(200, 200, 403, 403, 200)),  # sales1 owns it
        ("/api/v1/references/{retired}/reconfirm/", {}, a(200, 404, 403, 403, 200)),
    ],
    "POST /api/v1/references/{id}/revalidate/": [
        ("/api/v1/references/{profile}/revalidate/", {}, a(200, 200, 403, 403, 200)),  # sales1 owns it
        ("/api/v1/references/{retired}/revalidate/", {}, a(200, 404, 403, 403, 200)),
    ],
    "POST /api/v1/references/{id}/transition/": [
        ("/api/v1/references/{profile}/transition/", {}, API_CHANGE_EMPTY)
    ],
    "GET /api/v1/nominations/": [("/api/v1/nominations/", None, API_ALL)],
    "POST /api/v1/nominations/": [("/api/v1/nominations/", {}, a(400, 400, 400, 400, 400))],
    "GET /api/v1/nominations/{id}/": [
        ("/api/v1/nominations/{nomination}/", None, a(200, 404, 200, 404, 200))
    ],
    "POST /api/v1/nominations/{id}/vet/": [("/api/v1/nominations/{nomination}/vet/", {}, API_CHANGE_PATCH)],
    "POST /api/v1/nominations/{id}/accept/": [
        ("/api/v1/nominations/{nomination}/accept/", {"activity_types": ["call"]}, API_CHANGE_PATCH)
    ],
    "POST /api/v1/nominations/{id}/reject/": [
        ("/api/v1/nominations/{nomination}/reject/", {}, API_CHANGE_EMPTY)
    ],
    "GET /api/v1/usage/": [("/api/v1/usage/", None, a(200, 403, 403, 200, 200))],
    "GET /api/v1/usage/{id}/": [("/api/v1/usage/{usage}/", None, a(200, 403, 403, 200, 200))],
    "POST /api/v1/usage/{id}/transition/": [
        ("/api/v1/usage/{usage}/transition/", {}, a(400, 403, 403, 403, 403))
    ],
    "POST /api/v1/usage/import/": [("/api/v1/usage/import/", {}, a(400, 403, 403, 403, 403))],
    "GET /api/v1/policy/": [("/api/v1/policy/", None, API_INVENTORY)],
    "PATCH /api/v1/policy/": [("/api/v1/policy/", {}, API_CHANGE_PATCH)],
    "GET /api/v1/approvals/": [("/api/v1/approvals/", None, API_ALL)],
    "POST /api/v1/approvals/": [("/api/v1/approvals/", {}, a(400, 403, 400, 403, 400))],
    "GET /api/v1/approvals/{id}/": [
        ("/api/v1/approvals/{approval}/", None, a(200, 404, 200, 200, 200)),
        ("/api/v1/approvals/{approved}/", None, API_ALL),
    ],
    "PATCH /api/v1/approvals/{id}/": [("/api/v1/approvals/{approval}/", {}, a(200, 403, 200, 403, 200))],
    "GET /api/v1/approvals/{id}/asset/": [
        # nothing uploaded yet: 404 for everyone allowed to see the approval
        ("/api/v1/approvals/{approval}/asset/", None, a(404, 404, 404, 404, 404)),
    ],
    "POST /api/v1/approvals/{id}/asset/": [
        ("/api/v1/approvals/{approval}/asset/", {}, a(400, 404, 400, 403, 400)),
    ],
    "GET /api/v1/approvals/{id}/document/": [
        ("/api/v1/approvals/{approval}/document/", None, a(404, 403, 404, 403, 404)),
    ],
    "POST /api/v1/approvals/{id}/document/": [
        ("/api/v1/approvals/{approval}/document/", {}, a(400, 403, 403, 403, 400)),
    ],
    "POST /api/v1/approvals/{id}/send-link/": [
        # the contact has an email address, so an empty body sends the link
        ("/api/v1/approvals/{approval}/send-link/", {}, a(201, 403, 403, 403, 201)),
    ],
    "POST /api/v1/approvals/{id}/transition/": [
        ("/api/v1/approvals/{approval}/transition/", {}, a(400, 403, 403, 403, 400)),
    ],
    "GET /api/v1/library/": [("/api/v1/library/", None, API_ALL)],
    "GET /api/v1/requests/": [("/api/v1/requests/", None, API_ALL)],
    "POST /api/v1/requests/": [("/api/v1/requests/", {}, a(400, 400, 400, 403, 403))],
    "GET /api/v1/requests/{id}/": [
        ("/api/v1/requests/{own_request}/", None, a(200, 200, 404, 200, 200)),
        ("/api/v1/requests/{other_request}/", None, a(200, 404, 404, 200, 200)),
    ],
    "PATCH /api/v1/requests/{id}/": [
        # a candidate is proposed: the requester may no longer edit (409), the manager may
        ("/api/v1/requests/{own_request}/", {}, a(200, 409, 404, 403, 403)),
        ("/api/v1/requests/{other_request}/", {}, a(200, 404, 404, 403, 403)),
    ],
    "POST /api/v1/requests/assign/": [("/api/v1/requests/assign/", {}, a(400, 403, 403, 403, 403))],
    "POST /api/v1/requests/{id}/assign/": [
        ("/api/v1/requests/{own_request}/assign/", {}, a(200, 403, 403, 403, 403))
    ],
    "POST /api/v1/requests/{id}/cancel/": [
        ("/api/v1/requests/{own_request}/cancel/", REASON, a(200, 200, 404, 403, 403)),
        ("/api/v1/requests/{other_request}/cancel/", REASON, a(200, 404, 404, 403, 403)),
    ],
    "POST /api/v1/requests/{id}/close/": [
        ("/api/v1/requests/{own_request}/close/", REASON, a(200, 403, 403, 403, 403))
    ],
    "POST /api/v1/requests/{id}/outcome/": [
        ("/api/v1/requests/{own_request}/outcome/", OUTCOME, a(200, 200, 404, 403, 403)),
        ("/api/v1/requests/{other_request}/outcome/", OUTCOME, a(200, 404, 404, 403, 403)),
    ],
    "POST /api/v1/requests/{id}/rate/": [
        # only the requester rates; nothing completed yet, so the rule refuses (409)
        ("/api/v1/requests/{own_request}/rate/", {"rating": 5}, a(403, 409, 404, 403, 403)),
    ],
    "GET /api/v1/requests/{id}/candidates/": [
        ("/api/v1/requests/{own_request}/candidates/", None, a(200, 200, 404, 200, 200)),
        ("/api/v1/requests/{other_request}/candidates/", None, a(200, 404, 404, 200, 200)),
    ],
    "POST /api/v1/requests/{id}/candidates/": [
        ("/api/v1/requests/{own_request}/candidates/", {}, a(400, 403, 404, 403, 403))
    ],
    "GET /api/v1/requests/{id}/matches/": [
        ("/api/v1/requests/{own_request}/matches/", None, a(200, 403, 403, 403, 403))
    ],
    "GET /api/v1/requests/{id}/supply/": [
        ("/api/v1/requests/{own_request}/supply/", None, a(200, 403, 403, 403, 403))
    ],
    "GET /api/v1/candidates/{id}/": [
        ("/api/v1/candidates/{candidate}/", None, a(200, 200, 404, 200, 200)),
        ("/api/v1/candidates/{other_candidate}/", None, a(200, 404, 404, 200, 200)),
    ],
    # The test world's candidate is only proposed: nothing to put in a calendar yet (per role 200s:
    # tests/requests_app/test_fulfilment.py).
    "GET /api/v1/candidates/{id}/calendar.ics": [
        ("/api/v1/candidates/{candidate}/calendar.ics", None, a(404, 404, 404, 404, 404)),
    ],
    "POST /api/v1/candidates/{id}/transition/": [
        ("/api/v1/candidates/{candidate}/transition/", {}, a(400, 403, 403, 403, 403))
    ],
    "GET /api/v1/metrics/summary/": [("/api/v1/metrics/summary/", None, a(200, 403, 403, 200, 200))],
    "GET /api/v1/holds/": [("/api/v1/holds/", None, API_ALL)],
    "GET /api/v1/contacts/{id}/consents/": [("/api/v1/contacts/{contact}/consents/", None, API_INVENTORY)],
    "POST /api/v1/contacts/{id}/consents/": [("/api/v1/contacts/{contact}/consents/", {}, API_CHANGE_EMPTY)],
    "POST /api/v1/contacts/{id}/erase/": [("/api/v1/contacts/{contact}/erase/", {}, API_CHANGE_EMPTY)],
    "GET /api/v1/contacts/{id}/export/": [("/api/v1/contacts/{contact}/export/", None, API_CHANGE_GET)],
    "GET /api/v1/contacts/retention/": [("/api/v1/contacts/retention/", None, API_CHANGE_GET)],
    "POST /api/v1/contacts/{id}/retention/keep/": [
        ("/api/v1/contacts/{contact}/retention/keep/", {}, API_CHANGE_EMPTY)
    ],
    "GET /api/v1/contacts/{id}/notice/": [("/api/v1/contacts/{contact}/notice/", None, API_CHANGE_GET)],
    "POST /api/v1/contacts/{id}/notice/": [
        ("/api/v1/contacts/{contact}/notice/", {}, a(201, 403, 403, 403, 201))
    ],
    "GET /api/v1/audit/": [("/api/v1/audit/", None, a(200, 403, 403, 403, 200))],
    "GET /api/v1/teams/": [("/api/v1/teams/", None, a(200, 403, 403, 200, 200))],
    "POST /api/v1/teams/": [("/api/v1/teams/", {}, a(403, 403, 403, 403, 400))],
    "GET /api/v1/teams/{id}/": [
        ("/api/v1/teams/{team}/", None, a(200, 403, 403, 200, 200)),
        ("/api/v1/teams/999999/", None, a(404, 403, 403, 404, 404)),
    ],
    "PATCH /api/v1/teams/{id}/": [("/api/v1/teams/{team}/", {}, a(403, 403, 403, 403, 200))],
    "DELETE /api/v1/teams/{id}/": [("/api/v1/teams/{team}/", None, a(403, 403, 403, 403, 204))],
    # The program's words for its main nouns: everyone reads them, administrators rename them.
    "GET /api/v1/terms/": [("/api/v1/terms/", None, API_ALL)],
    "PATCH /api/v1/terms/": [("/api/v1/terms/", {}, a(403, 403, 403, 403, 200))],
    # Outbound webhooks and the inbound opportunities: managers and administrators (integrations).
    "GET /api/v1/webhooks/": [("/api/v1/webhooks/", None, API_INTEGRATIONS)],
    "POST /api/v1/webhooks/": [("/api/v1/webhooks/", {}, a(400, 403, 403, 403, 400))],
    "GET /api/v1/webhooks/{id}/": [("/api/v1/webhooks/{webhook}/", None, API_INTEGRATIONS)],
    "DELETE /api/v1/webhooks/{id}/": [("/api/v1/webhooks/{webhook}/", None, a(204, 403, 403, 403, 204))],
    "GET /api/v1/webhooks/{id}/deliveries/": [
        ("/api/v1/webhooks/{webhook}/deliveries/", None, API_INTEGRATIONS)
    ],
    "POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver/": [
        ("/api/v1/webhooks/{webhook}/deliveries/{delivery}/redeliver/", {}, a(201, 403, 403, 403, 201))
    ],
    "POST /api/v1/integrations/opportunities/": [
        ("/api/v1/integrations/opportunities/", {}, a(400, 403, 403, 403, 400))
    ],
    "GET /api/v1/holds/{id}/": [("/api/v1/holds/{hold}/", None, a(200, 404, 200, 200, 200))],
    "POST /api/v1/holds/": [("/api/v1/holds/", {}, a(400, 400, 403, 403, 403))],
    "DELETE /api/v1/holds/{id}/": [("/api/v1/holds/{hold}/", None, a(200, 404, 403, 403, 403))],
}
API = {key: cases for key, cases in API.items() if cases is not None}

# API routes in the URL conf that are not operations of the schema (DRF's browsable index).
API_OUTSIDE_SCHEMA = {"/api/v1/"}


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _routes() -> list[str]:
    """Every route of the URL conf, without Django admin internals, static files and DRF's
    ``.json``-style format suffixes (the same views)."""
    routes = []
    for route in _walk(get_resolver()):
        if route.startswith("admin/") or route.startswith("static/"):
            continue
        if "(?P<format>" in route or "<drf_format_suffix:" in route:
            continue
        routes.append(route)
    return routes


def _api_path(route: str) -> str:
    """``api/v1/^requests/(?P<pk>[^/.]+)/matches/$`` → ``/api/v1/requests/{}/matches/``."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "{}", route).replace("^", "").replace("$", "")
    path = re.sub(r"<(?:\w+:)?\w+>", "{}", path)  # plain routes: ``candidates/<int:pk>/calendar.ics``
    return "/" + path


def _schema_operations() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }


def test_every_route_has_an_entry():
    """A new page, route or API operation without a row in these tables fails here."""
    operations = _schema_operations()
    schema_paths = {re.sub(r"\{\w+\}", "{}", op.split(" ", 1)[1]) for op in operations}
    missing = []
    for route in _routes():
        if route.startswith("api/v1/"):
            path = _api_path(route)
            if path not in schema_paths and path not in API_OUTSIDE_SCHEMA:
                missing.append(f"API route {route!r} is in the URL conf but not in the OpenAPI schema")
        elif route not in PAGES:
            missing.append(f"page route {route!r} has no entry in PAGES")
    missing += [f"API operation {op!r} has no entry in API" for op in sorted(operations - set(API))]
    assert not missing, "\n".join(missing)


def test_no_stale_entries():
    """Rows for routes that no longer exist would test nothing."""
    routes = set(_routes())
    assert set(PAGES) - routes == set()
    assert set(API) - _schema_operations() == set()


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


def _statuses(world, users, method, path, body, *, api: bool) -> dict[str, int]:
    ids = world.ids()
    url = _fill(path, ids)
    data = _fill(body, ids)
    seen = {}
    for role in ROLES:
        if api:
            client = APIClient()
            if role != "anonymous":
                client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
            kwargs = {"format": "json"} if data is not None else {}
        else:
            client = Client()
            if role != "anonymous":
                client.force_login(users[role])
            kwargs = {}
        call = getattr(client, method)
        with transaction.atomic():
            response = call(url, data, **kwargs) if data is not None else call(url, **kwargs)
            transaction.set_rollback(True)
        seen[role] = response.status_code
        if role == "anonymous" and response.status_code == 302:
            assert response["Location"].startswith("/login/"), (url, response["Location"])
    return seen


def _mismatches(world, users, cases, *, api: bool) -> list[str]:
    """Every case × every role; one line per status that differs from the table."""
    wrong = []
    for method, path, body, expected in cases:
        seen = _statuses(world, users, method, path, body, api=api)
        wrong += [
            f"{method.upper()} {path} as {role}: {seen[role]}, the table says {expected[role]}"
            for role in ROLES
            if seen[role] != expected[role]
        ]
    return wrong


def test_page_access(world, users):
    """Every page case of ``PAGES`` × every role (one world, so the run stays quick)."""
    cases = [case for cases in PAGES.values() for case in cases]
    wrong = _mismatches(world, users, cases, api=False)
    assert not wrong, "\n".join(wrong)


def test_api_access(world, users):
    """Every operation case of ``API`` × every role."""
    cases = [(key.split()[0].lower(), *case) for key, cases in API.items() for case in cases]
    wrong = _mismatches(world, users, cases, api=True)
    assert not wrong, "\n".join(wrong)


def test_undocumented_methods_are_refused(world, users):
    """A method the schema does not list for a path answers 405 (or 403 from the role gate),
    never a 2xx: what is not documented cannot be done."""
    operations = _schema_operations()
    ids = world.ids()
    filler = {
        "requests": "own_request",
        "candidates": "candidate",
        "approvals": "approval",
        "references": "profile",
        "customers": "customer",
        "contacts": "contact",
        "nominations": "nomination",
        "usage": "usage",
        "products": "product",
        "use-cases": "use_case",
        "programs": "program",
        "industries": "industry",
        "regions": "region",
        "activity-types": "activity_type",
    }
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens['manager']}")
    wrong = []
    for path in sorted({op.split(" ", 1)[1] for op in operations}):
        resource = path.split("/")[3]
        url = re.sub(r"\{\w+\}", str(ids.get(filler.get(resource, ""), 0)), path)
        for method in HTTP_METHODS:
            if f"{method.upper()} {path}" in operations:
                continue
            with transaction.atomic():
                response = getattr(client, method)(url, {}, format="json")
                transaction.set_rollback(True)
            if response.status_code not in (403, 405):
                wrong.append(f"{method.upper()} {url} → {response.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", [None, "sales", "executive"])
def test_django_admin_needs_a_staff_login(users, role):
    """Django's admin is for operators: anyone else is sent to its login page."""
    client = Client()
    if role:
        client.force_login(users[role])
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- The team dimension -------------------------------------------------------------------------
# Two managers: ``manager1`` in EMEA (the world's team), ``manager_b`` in Americas. Globex (an EMEA
# prospect) routes to EMEA, Hooli (a North American one) to Americas; the world's own request names
# no region, so no team owns it and both may act on it. Seeing is never limited: the lists open on
# one's team, and "All" shows the rest. With both teams' "edit only inside the scope" on, neither
# manager changes the other team's request; Acme's profile (EMEA, finance) is EMEA's.
TEAM_ROLES = ("manager_a", "manager_b")


def t(manager_a, manager_b):
    return dict(zip(TEAM_ROLES, (manager_a, manager_b), strict=True))


# (method, path, body, API?, expected status per team manager), with EMEA editing only in scope.
TEAM_CASES = [
    ("get", "/requests/{request_b}/", None, False, t(200, 200)),  # seeing: never limited
    ("get", "/api/v1/requests/{request_b}/", None, True, t(200, 200)),
    ("post", "/requests/{request_b}/assign/", {}, False, t(403, 302)),
    ("post", "/requests/{request_a}/assign/", {}, False, t(302, 403)),
    ("post", "/requests/{own_request}/assign/", {}, False, t(302, 302)),
    ("post", "/api/v1/requests/{request_b}/assign/", {}, True, t(403, 200)),
    ("patch", "/api/v1/requests/{request_b}/", {}, True, t(403, 200)),
    ("patch", "/api/v1/requests/{request_a}/", {}, True, t(200, 403)),
    ("post", "/requests/{request_b}/close/", REASON, False, t(403, 302)),
    ("post", "/api/v1/candidates/{candidate}/transition/", {}, True, t(400, 400)),  # no team: both
    ("get", "/references/{profile}/edit/", None, False, t(200, 403)),
    ("post", "/references/{profile}/transition/", {}, False, t(302, 403)),
    ("patch", "/api/v1/references/{profile}/", {}, True, t(200, 403)),
]


@pytest.fixture
def team_world(world, users):
    from django.utils import timezone

    from accounts.models import Team
    from accounts.services import api_token_create
    from references.models import ActivityType, Region
    from requests_app import services as requests
    from tests.factories import UserFactory

    manager_b = UserFactory(username="manager_b", role="manager")
    Team.objects.create(name="Americas", scope=["region=na"], edit_only_in_scope=True).members.set(
        [manager_b]
    )
    world.team.edit_only_in_scope = True
    world.team.save()
    data = {
        "activity_type": ActivityType.objects.get(code="call"),
        "needed_by": timezone.now() + timezone.timedelta(days=30),
    }
    sales = users["sales"]
    request_a, _ = requests.request_submit(
        requester=sales,
        data={**data, "prospect_name": "Globex EMEA", "prospect_region": Region.objects.get(code="emea")},
    )
    request_b, _ = requests.request_submit(
        requester=sales,
        data={**data, "prospect_name": "Hooli", "prospect_region": Region.objects.get(code="na")},
    )
    who = {"manager_a": users["manager"], "manager_b": manager_b}
    tokens = {"manager_a": world.tokens["manager"], "manager_b": api_token_create(user=manager_b)[1]}
    return {"request_a": request_a, "request_b": request_b, "who": who, "tokens": tokens}


def test_team_requests_route_to_the_team_owning_the_region(team_world, world):
    assert team_world["request_a"].team == world.team
    assert team_world["request_b"].team.name == "Americas"
    assert world.own_request.team is None  # no region: no team owns it, every team's queue shows it


def test_team_lists_open_on_the_team_and_show_the_rest_through_all(team_world):
    client = Client()
    client.force_login(team_world["who"]["manager_a"])
    ours, theirs = team_world["request_a"], team_world["request_b"]
    queue = client.get("/requests/queue/").content.decode()
    assert f"/requests/{ours.pk}/" in queue and f"/requests/{theirs.pk}/" not in queue
    everything = client.get("/requests/queue/?scope=all").content.decode()
    assert f"/requests/{ours.pk}/" in everything and f"/requests/{theirs.pk}/" in everything
    # The choice is remembered: the next list (without ?scope=) still shows everything …
    assert f"/requests/{theirs.pk}/" in client.get("/requests/queue/").content.decode()
    # … until the manager goes back to their team.
    assert f"/requests/{theirs.pk}/" not in client.get("/requests/queue/?scope=team").content.decode()


def test_team_scope(team_world, world):
    """Each team case × both team managers: out of EMEA's scope, EMEA's manager is refused (403)."""
    ids = {**world.ids(), "request_a": team_world["request_a"].pk, "request_b": team_world["request_b"].pk}
    wrong = []
    for method, path, body, api, expected in TEAM_CASES:
        url, data = _fill(path, ids), _fill(body, ids)
        for role in TEAM_ROLES:
            if api:
                client = APIClient()
                client.credentials(HTTP_AUTHORIZATION=f"Token {team_world['tokens'][role]}")
                kwargs = {"format": "json"}
            else:
                client = Client()
                client.force_login(team_world["who"][role])
                kwargs = {}
            call = getattr(client, method)
            with transaction.atomic():
                response = call(url, data, **kwargs) if data is not None else call(url, **kwargs)
                transaction.set_rollback(True)
            if response.status_code != expected[role]:
                wrong.append(
                    f"{method.upper()} {url} as {role}: {response.status_code}, expected {expected[role]}"
                )
    assert not wrong, "\n".join(wrong)


def test_team_edits_anywhere_when_the_setting_is_off(team_world, world):
    world.team.edit_only_in_scope = False
    world.team.save()
    client = Client()
    client.force_login(team_world["who"]["manager_a"])
    assert client.post(f"/requests/{team_world['request_b'].pk}/assign/").status_code == 302
    team_world["request_b"].refresh_from_db()
    assert team_world["request_b"].assignee == team_world["who"]["manager_a"]
