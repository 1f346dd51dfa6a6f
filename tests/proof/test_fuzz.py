"""Hostile input through the API: schemathesis against the project's own OpenAPI schema.

Every operation, with a bounded number of generated examples, called as a reference manager
and as a sales rep (Token header): no response may be a server error, and every documented
response must match its schema. Half the examples keep the generated path ids (mostly unknown
objects: 404, or absurd values), half point at real objects of the small world, so the bodies
and filters reach the code behind the lookups.
"""

import itertools

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, reject, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 6
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
CHECKS = [not_a_server_error, response_schema_conformance]

# The object each resource's path id should point at, as a ``World.ids()`` key.
REAL_ID = {
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
    "holds": "hold",
    "webhooks": "webhook",
    "teams": "team",
    "custom-fields": "custom_field",
}


def _load_schema():
    """The schema served by the app itself, fetched in-process through WSGI."""
    from refprogram.wsgi import application

    # Bounded: the generated examples only (``max_examples`` per operation); the exhaustive
    # boundary-value "coverage" phase would multiply the run time.
    config = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
    return schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)


schema = _load_schema()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: the in-process WSGI calls must not close the test's database
    connection at the end of each request (it holds the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


_turn = itertools.count()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_operation_survives_generated_input(case, world):
    if case.media_type in FORM_TYPES and not isinstance(case.body, dict | None):
        reject()  # a form body is fields by definition: a bare list or number cannot be sent as one
    if case.path_parameters and next(_turn) % 2:
        resource = case.operation.path.split("/")[3]
        real = world.ids()[REAL_ID[resource]]
        case.path_parameters = {name: real for name in case.path_parameters}
    for role in ("manager", "sales"):
        case.call_and_validate(headers={"Authorization": f"Token {world.tokens[role]}"}, checks=CHECKS)
