"""The served OpenAPI schema, fetched once per test session (it does not depend on the data)."""

import json

import pytest
from django.test import Client


@pytest.fixture(scope="session")
def schema(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)


def operations(schema: dict):
    """(method, path, operation) for every operation of the schema."""
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method, path, operation
