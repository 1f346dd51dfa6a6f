"""The schema is one a code generator can trust (issue "An API integrators can generate a client
from"): valid, JSON bodies, every error documented, every object typed."""

import pytest
from openapi_spec_validator import validate

from .conftest import operations

pytestmark = pytest.mark.django_db

# Deliberately free-form (docs/api.md "Free-form fields"): their keys are data, not a shape.
FREE_FORM = {("ApprovalEvent", "changes")} | {
    # the program's own fields: {"<slug>": value}, the slugs are the program's (docs/api.md)
    (shape, "custom")
    for shape in (
        "Customer",
        "CustomerRequest",
        "PatchedCustomerRequest",
        "CustomerSummary",
        "Contact",
        "ContactRequest",
        "PatchedContactRequest",
        "ContactSummary",
        "ReferenceProfile",
        "ReferenceProfileRequest",
        "PatchedReferenceProfileRequest",
    )
}
UPLOADS = {
    ("post", "/api/v1/approvals/{id}/asset/"),
    ("post", "/api/v1/approvals/{id}/document/"),
    ("post", "/api/v1/usage/import/"),
}


def _walk(node, trail=()):
    if isinstance(node, dict):
        yield trail, node
        for key, value in node.items():
            yield from _walk(value, (*trail, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, (*trail, i))


def _untyped(schema: dict) -> bool:
    if any(k in schema for k in ("$ref", "oneOf", "anyOf", "allOf", "enum", "const")):
        return False
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if kind is None:
        return True
    if "object" in kinds:
        extra = schema.get("additionalProperties")
        return not schema.get("properties") and not (isinstance(extra, dict) and not _untyped(extra))
    if "array" in kinds:
        return _untyped(schema.get("items", {}))
    return False


def test_the_schema_is_valid_openapi(schema):
    validate(schema)  # raises with the first error
    assert schema["openapi"].startswith("3.1")


def test_no_nullable_beside_all_of_without_a_type(schema):
    bad = [
        trail
        for trail, node in _walk(schema)
        if "nullable" in node and "allOf" in node and "type" not in node
    ]
    assert bad == []


def test_request_bodies_are_json_except_uploads(schema):
    for method, path, operation in operations(schema):
        content = list(operation.get("requestBody", {}).get("content", {}))
        if not content:
            continue
        expected = ["multipart/form-data"] if (method, path) in UPLOADS else ["application/json"]
        assert content == expected, (method, path)


def test_logging_in_needs_no_credentials(schema):
    operation = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert operation["security"] == []
    assert "401" not in operation["responses"]
    assert schema["paths"]["/api/v1/auth/token/"]["delete"]["security"] != []


def test_every_operation_has_a_summary_an_example_and_its_errors(schema):
    for method, path, operation in operations(schema):
        where = f"{method.upper()} {path}"
        assert operation.get("summary"), where
        examples = [node for trail, node in _walk(operation) if "examples" in node or "example" in node]
        assert examples, where
        codes = set(operation["responses"])
        if operation.get("security") == []:
            assert {"400", "429"} <= codes, where
            continue
        assert {"401", "403", "404"} <= codes, where
        if method != "get":
            assert "409" in codes, where
            refusal = operation["responses"]["409"]["content"]["application/json"]["schema"]
            assert refusal == {"$ref": "#/components/schemas/RuleRefusal"}, where


def test_a_refusal_names_its_reason_from_the_enum(schema):
    components = schema["components"]["schemas"]
    assert components["RuleRefusal"]["required"] == ["detail", "code"]
    assert components["RuleRefusal"]["properties"]["code"] == {"$ref": "#/components/schemas/ReasonCode"}
    codes = components["ReasonCode"]["enum"]
    for code in ("invalid_transition", "already_proposed", "over_reference_cap", "approval_missing"):
        assert code in codes
    assert components["FieldErrors"]["type"] == "object"
    assert components["Detail"]["required"] == ["detail"]


def test_no_response_field_is_untyped_but_the_free_form_ones(schema):
    untyped = set()
    for name, component in schema["components"]["schemas"].items():
        for field, prop in (component.get("properties") or {}).items():
            if _untyped(prop):
                untyped.add((name, field))
    assert untyped == FREE_FORM
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            for content in (response.get("content") or {}).values():
                assert not _untyped(content.get("schema", {})), (method, path, status)


def _ref(prop: dict) -> str:
    """The component a property is: ``$ref``, or ``allOf``/``oneOf`` of one (with null)."""
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[1]
    refs = [p["$ref"] for p in prop.get("allOf", prop.get("oneOf", [])) if "$ref" in p]
    assert len(refs) == 1, prop
    return refs[0].rsplit("/", 1)[1]


def test_the_shapes_integrators_read_are_typed(schema):
    c = schema["components"]["schemas"]
    assert _ref(c["Match"]["properties"]["reference"]) == "ReferenceSummary"
    assert _ref(c["Candidate"]["properties"]["reference"]) == "ReferenceSummary"
    assert _ref(c["ReferenceSummary"]["properties"]["customer"]) == "CustomerRef"
    assert _ref(c["SupplyAlternative"]["properties"]["customer"]) == "CustomerRef"
    assert _ref(c["Request"]["properties"]["requester"]) == "Person"
    assert _ref(c["Request"]["properties"]["assignee"]) == "Person"
    assert {"type": "null"} in c["Request"]["properties"]["assignee"]["oneOf"]
    assert _ref(c["Candidate"]["properties"]["next_states"]["items"]) == "CandidateStateEnum"
    assert _ref(c["Candidate"]["properties"]["usage"]) == "UsageSummary"
    assert _ref(c["Request"]["properties"]["criteria"]) == "Criteria"
    assert _ref(c["MustCriterion"]["properties"]["field"]) == "CriterionFieldEnum"
    assert _ref(c["Request"]["properties"]["urgency"]) == "Urgency"
    assert _ref(c["Request"]["properties"]["outcome"]) == "Outcome"
    assert "warnings" in c["RequestSaved"]["properties"]
    assert c["CriterionFieldEnum"]["enum"] == [
        "industry",
        "region",
        "country",
        "size_band",
        "product",
        "use_case",
        "deployment",
        "competitor",
        "seniority",
        "language",
    ]


def test_listing_and_proposing_candidates_are_two_operations(schema):
    item = schema["paths"]["/api/v1/requests/{id}/candidates/"]
    listed = item["get"]["responses"]
    proposed = item["post"]["responses"]
    assert "201" not in listed and listed["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert "200" not in proposed
    assert proposed["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Candidate"
    }


def test_filters_are_typed(schema):
    params = {p["name"]: p for p in schema["paths"]["/api/v1/references/"]["get"]["parameters"]}
    assert params["customer"]["schema"]["type"] == "integer"
    assert params["seniority"]["schema"]["items"] == {"$ref": "#/components/schemas/SeniorityEnum"}
    assert params["available"]["schema"]["type"] == "boolean"
    requests = {p["name"]: p for p in schema["paths"]["/api/v1/requests/"]["get"]["parameters"]}
    assert requests["open"]["schema"]["type"] == "boolean"
    assert requests["requester"]["schema"]["type"] == "integer"
    assert params["industry"]["description"] == "Industry codes (see `industries/`)."
    assert params["product"]["description"] == "Product names (see `products/`)."


def test_a_blank_e_mail_address_is_not_an_invalid_default(schema):
    for trail, node in _walk(schema):
        if node.get("format") == "email":
            assert node.get("default") != "", trail
    contact_email = schema["components"]["schemas"]["ContactSummary"]["properties"]["email"]
    assert {"type": "string", "maxLength": 0} in contact_email["anyOf"]
    asset_url = schema["components"]["schemas"]["Approval"]["properties"]["asset_url"]
    assert "oneOf" not in asset_url  # "" would match both branches where format is not checked
    assert {"type": "string", "maxLength": 0} in asset_url["anyOf"]


def test_the_flow_s_bodies_have_examples(schema):
    for path, method in [
        ("/api/v1/auth/token/", "post"),
        ("/api/v1/customers/", "post"),
        ("/api/v1/contacts/", "post"),
        ("/api/v1/references/", "post"),
        ("/api/v1/requests/", "post"),
        ("/api/v1/requests/{id}/candidates/", "post"),
    ]:
        body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
        assert body["examples"]["example"]["value"], path


def test_fields_taking_an_id_a_code_or_a_name_say_which(schema):
    c = schema["components"]["schemas"]
    assert c["ContactRequest"]["properties"]["customer"]["description"] == "A customer id."
    assert "code" in c["CustomerRequest"]["properties"]["industry"]["description"]
    assert "names" in c["CustomerRequest"]["properties"]["products"]["description"]
    assert "names" in c["RequestRequest"]["properties"]["products"]["description"]
    assert "id" in c["CandidateProposeRequest"]["properties"]["reference"]["description"]
    assert "ISO 3166-1" in c["ProspectRequest"]["properties"]["country"]["description"]
