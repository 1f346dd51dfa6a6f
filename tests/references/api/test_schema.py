"""The OpenAPI schema builds without warnings for the inventory API and the docs UI works offline."""

import re

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from references.api import views

pytestmark = pytest.mark.django_db

OURS = [
    "references/api/views.py",
    "references/api/serializers.py",
    "references/api/fields.py",
    "references/filters.py",
    *[
        viewset.__name__
        for viewset in vars(views).values()
        if isinstance(viewset, type) and viewset.__name__.endswith("ViewSet")
    ],
]


def test_schema_has_no_warnings_for_the_inventory_api():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
        messages = list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    validate_schema(schema)
    ours = [message for message in messages if any(name in message for name in OURS)]
    assert ours == []
    for path in (
        "/api/v1/references/{id}/transition/",
        "/api/v1/references/{id}/revalidate/",
        "/api/v1/references/{id}/history/",
        "/api/v1/nominations/{id}/reject/",
        "/api/v1/industries/{code}/",
        "/api/v1/use-cases/{id}/",
        "/api/v1/customers/{id}/",
        "/api/v1/contacts/{id}/",
    ):
        assert path in schema["paths"], path
    contact = schema["components"]["schemas"]["ContactSummary"]
    assert "email" not in contact.get("required", [])  # absent for most roles, so never promised


def test_schema_endpoint_and_offline_docs(client, manager):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"ReferenceProfile" in schema.content
    client.force_login(manager)
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    external = re.findall(r"""(?:src|href)=["'](https?:)?//[^"']+""", html)
    assert external == []
    assert "cdn" not in html.lower()
