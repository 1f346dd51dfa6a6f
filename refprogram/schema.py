"""The OpenAPI schema an integrator generates a client from (``/api/schema/``).

drf-spectacular describes the views; this module makes the description one a code generator
can trust:

- request bodies are ``application/json`` only; ``multipart/form-data`` only for the file
  uploads (an operation whose body has a file field);
- every operation documents its errors with the shared components: 400 ``FieldErrors``,
  401/403/404/429 ``Detail`` and, for the verbs that change something, 409 ``RuleRefusal``
  whose ``code`` is the ``ReasonCode`` enum made from ``refprogram.errors.REASON_CODES``;
- every operation has a ``summary`` and examples; the token operation needs no credentials
  (``security: []``);
- filters are typed: ids as integers, booleans as booleans, choices as the shared enums;
- an e-mail address or a link that may be blank is ``anyOf`` the formatted string and ``""``,
  never a ``default: ""`` with ``format: email``.
"""

from __future__ import annotations

import re

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

from refprogram.errors import REASON_CODES

JSON = "application/json"
MULTIPART = "multipart/form-data"
WRITE_METHODS = ("post", "put", "patch", "delete")
ERROR_CODES = ("400", "401", "403", "404", "409", "429")


class TokenScheme(KnoxTokenScheme):
    """Our token class (knox's, speaking its person's language) is described as knox's."""

    target_class = "refprogram.authentication.TokenAuthentication"


class AutoSchema(SpectacularAutoSchema):
    """JSON bodies only, except for uploads: the generated clients send what the schema says, and
    one schema offered as JSON, form and multipart made them pick multipart."""

    def map_parsers(self):
        if _has_file_field(self.get_request_serializer()):
            return [MULTIPART]
        return [JSON]


def _has_file_field(serializer) -> bool:
    if not isinstance(serializer, serializers.BaseSerializer) or not hasattr(serializer, "fields"):
        return False
    return any(isinstance(f, serializers.FileField) for f in serializer.fields.values())


# --- Shared components ---------------------------------------------------------------------

DETAIL = {
    "type": "object",
    "description": "An error in words: 401 without (valid) credentials, 403 for a role that may not act, "
    "404 for what the caller may not see (or does not exist), 429 when calling too often.",
    "properties": {"detail": {"type": "string", "description": "What went wrong, in words."}},
    "required": ["detail"],
}

FIELD_ERRORS = {
    "type": "object",
    "description": "Bad input: each key is a field of the body (or the filter) with its messages; "
    "`non_field_errors` for the body as a whole; a nested object's errors nest the same way. "
    'A body that is not valid JSON is `{"detail": "JSON parse error - ..."}`.',
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
            {"type": "object"},
            {"type": "string"},
        ]
    },
}

RULE_REFUSAL = {
    "type": "object",
    "description": "A rule refused the action; `code` says which (see `ReasonCode`).",
    "properties": {
        "detail": {"type": "string", "description": "Why, in words a person can act on."},
        "code": {"$ref": "#/components/schemas/ReasonCode"},
    },
    "required": ["detail", "code"],
}


def reason_code_schema() -> dict:
    lines = "\n".join(f"- `{code}`: {meaning}" for code, meaning in REASON_CODES.items())
    return {
        "type": "string",
        "enum": list(REASON_CODES),
        "description": f"Why a rule refused the action (409):\n\n{lines}",
    }


ERROR_RESPONSES = {
    "400": ("Bad input: field errors.", "FieldErrors", {"name": ["This field is required."]}),
    "401": (
        "No valid credentials (session or `Authorization: Token <key>`).",
        "Detail",
        {"detail": "Authentication credentials were not provided."},
    ),
    "403": (
        "The caller's role may not do this.",
        "Detail",
        {"detail": "You do not have permission to perform this action."},
    ),
    "404": ("Not found, or not visible to the caller.", "Detail", {"detail": "Not found."}),
    "409": (
        "A rule refused the action.",
        "RuleRefusal",
        {"detail": "This reference is already proposed for this request.", "code": "already_proposed"},
    ),
    "429": (
        "Too many calls; retry after the `Retry-After` seconds.",
        "Detail",
        {"detail": "Request was throttled. Expected available in 30 seconds."},
    ),
}


def _error_response(status: str) -> dict:
    description, component, example = ERROR_RESPONSES[status]
    return {
        "description": description,
        "content": {
            JSON: {
                "schema": {"$ref": f"#/components/schemas/{component}"},
                "examples": {status: {"summary": description, "value": example}},
            }
        },
    }


# --- Filters -------------------------------------------------------------------------------

ID_FILTERS = {
    "customer": "A customer id.",
    "reference": "A reference profile id.",
    "requester": "The requester's user id.",
    "account_owner": "The account owner's user id.",
    "request": "A request id.",
}
BOOLEAN_FILTERS = {"open", "expiring", "valid"}
FILTER_DESCRIPTIONS = {
    "industry": "Industry codes (see `industries/`).",
    "region": "Region codes (see `regions/`).",
    "product": "Product names (see `products/`).",
    "use_case": "Use case names (see `use-cases/`).",
    "language": "ISO 639-1 language codes.",
    "activity_type": "Activity type codes (see `activity-types/`).",
    "country": "An ISO 3166-1 alpha-2 code.",
    "product_line": "A product line's name.",
    "assignee": "A user id, `me` or `none`.",
    "customer_name": "Part of a customer's name.",
    "search": "Words to look for.",
    "since": "From this date (YYYY-MM-DD).",
    "until": "Up to this date (YYYY-MM-DD).",
}


def _enum_components(components: dict) -> dict[frozenset, str]:
    """Shared enums by their set of values (the first name wins; ``*Enum`` components only)."""
    found: dict[frozenset, str] = {}
    for name, schema in components.items():
        if name.endswith("Enum") and "enum" in schema and name not in ("BlankEnum", "NullEnum"):
            found.setdefault(frozenset(schema["enum"]), name)
    return found


def _type_parameter(param: dict, enums: dict[frozenset, str]) -> None:
    if param.get("in") != "query":
        return
    name, schema = param["name"], param.get("schema", {})
    if name in ID_FILTERS and schema.get("type") in ("number", "integer"):
        param["schema"] = {"type": "integer", "minimum": 1}
        param.setdefault("description", ID_FILTERS[name])
    elif name in BOOLEAN_FILTERS and schema.get("type") == "string":
        param["schema"] = {"type": "boolean"}
    for holder in (param["schema"], param["schema"].get("items")):
        if isinstance(holder, dict) and "enum" in holder:
            shared = enums.get(frozenset(holder["enum"]))
            if shared:
                keep = {k: v for k, v in holder.items() if k not in ("enum", "type")}
                holder.clear()
                holder.update({"$ref": f"#/components/schemas/{shared}", **keep})
    said = param.get("description", "")
    if name in FILTER_DESCRIPTIONS and not any(w in said for w in ("code", "name", "id", "date")):
        param["description"] = FILTER_DESCRIPTIONS[name]  # a bare label ("Industry") says too little


# --- Summaries -----------------------------------------------------------------------------

CRUD = {"list", "retrieve", "create", "partial_update", "update", "destroy"}
SINGULAR = {"usage": "usage entry", "library": "library item", "policy": "policy", "auth": "token"}


def _singular(resource: str) -> str:
    if resource in SINGULAR:
        return SINGULAR[resource]
    if resource.endswith("ies"):
        return resource[:-3] + "y"
    return resource[:-1] if resource.endswith("s") else resource


def _first_sentence(description: str) -> str:
    text = re.sub(r"``[^`]*[{}\[\]|][^`]*``", "", description or "")  # drop inline bodies
    text = re.sub(r"``([^`]*)``", r"`\1`", text)
    first = re.split(r"(?<=[.;])\s|\n\n", text.strip(), maxsplit=1)[0]
    return re.sub(r"\s+", " ", first).strip(" .;:,")


# Where neither the CRUD pattern nor the first sentence of the docstring reads well.
SUMMARIES = {
    "auth_token_create": "Get an API token (log in)",
    "auth_token_destroy": "Revoke the API token in use",
    "approvals_asset_retrieve": "Download an approval's asset file",
    "approvals_asset_create": "Upload an approval's asset file",
    "approvals_document_retrieve": "Download an approval's signed document",
    "approvals_document_create": "Upload an approval's signed document",
    "candidates_calendar": "Download a candidate's calendar invitation (.ics)",
    "library_list": "List the content library",
    "usage_list": "List the usage ledger",
    "usage_transition_create": "Record what became of an ask",
    "references_reconfirm_create": "Re-confirm a reference",
    "references_transition_create": "Move a reference through its lifecycle",
    "requests_matches_list": "Ranked matches of a request",
    "requests_outcome_create": "Report a request's deal outcome",
    "requests_supply_retrieve": "Is supply short for a request?",
}


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" and not noun.startswith("us") else "a ") + noun


def _summary(operation_id: str, method: str, path: str, description: str) -> str:
    """CRUD operations get "List customers", "Get a customer"…; actions the first sentence of their
    description (the view's docstring), or their name."""
    if operation_id in SUMMARIES:
        return SUMMARIES[operation_id]
    parts = path.strip("/").split("/")[2:]  # after api/v1
    resource = parts[0].replace("-", " ")
    one = _singular(resource)
    is_crud = len(parts) == 1 or (len(parts) == 2 and parts[1].startswith("{"))
    verb = "partial_update" if operation_id.endswith("partial_update") else operation_id.rsplit("_", 1)[-1]
    if is_crud and verb in CRUD:
        if verb == "list":
            return f"List {resource}"
        noun = _a(one) if "{" in path or verb == "create" else f"the {one}"
        words = {"retrieve": "Get", "create": "Create", "partial_update": "Change", "update": "Replace"}
        return f"{words.get(verb, 'Delete')} {noun}"
    first = _first_sentence(description)
    if 8 <= len(first) <= 90:
        return first[0].upper() + first[1:]
    action = parts[-1] if not parts[-1].startswith("{") else parts[0]
    return f"{action.replace('-', ' ').capitalize()}: {one}"


# --- E-mail addresses that may be blank ----------------------------------------------------


BLANK = {"type": "string", "maxLength": 0}


def _blank_strings(node) -> None:
    """A blank-or-formatted string (an e-mail address or a link, or ""): drf-spectacular offers
    the blank as the second branch of a ``oneOf``. Where ``format`` is not checked, "" matches both
    branches and so neither (``oneOf`` means exactly one): ``anyOf`` says what is meant. And a
    ``default: ""`` beside ``format: email`` is invalid: it goes."""
    if isinstance(node, dict):
        if node.get("format") == "email" and node.get("default") == "":
            node.pop("default")
        if BLANK in node.get("oneOf", []):
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _blank_strings(value)
    elif isinstance(node, list):
        for value in node:
            _blank_strings(value)


MIXIN_DOCS = ("A DRF serializer whose",)


# --- Which fields take an id, a code or a name ---------------------------------------------

# By the field's name and JSON type: what a field without its own description takes.
FIELD_DESCRIPTIONS = {
    ("customer", "integer"): "A customer id.",
    ("contact", "integer"): "A contact id.",
    ("reference", "integer"): "A reference profile id.",
    ("request", "integer"): "A request id.",
    ("approval", "integer"): "An approval id.",
    ("supersedes", "integer"): "The id of the approval this one replaces.",
    ("account_owner", "integer"): "A user id.",
    ("nominated_by", "integer"): "The nominating user's id.",
    ("profile", "integer"): "The reference profile's id, once accepted.",
    ("customer", "string"): "The customer's name.",
    ("contact", "string"): "The contact's name.",
    ("industry", "string"): "An industry code (see `industries/`).",
    ("region", "string"): "A region code (see `regions/`).",
    ("country", "string"): "An ISO 3166-1 alpha-2 country code.",
    ("activity_type", "string"): "An activity type code (see `activity-types/`).",
    ("products", "array"): "Product names (see `products/`).",
    ("programs", "array"): "Program names (see `programs/`).",
    ("use_cases", "array"): "Use case names (see `use-cases/`).",
    ("activity_types", "array"): "Activity type codes (see `activity-types/`).",
    ("languages", "array"): "ISO 639-1 language codes.",
}


def _describe(components: dict) -> None:
    for schema in components.values():
        for name, prop in (schema.get("properties") or {}).items():
            if prop.get("description"):
                continue
            kinds = prop.get("type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            for kind in kinds:
                if (name, kind) in FIELD_DESCRIPTIONS:
                    prop["description"] = FIELD_DESCRIPTIONS[name, kind]
                    break


# --- Request examples of the flow docs/api.md walks through ---------------------------------

REQUEST_EXAMPLES = {
    "auth_token_create": {"username": "integrator", "password": "a long pass phrase"},
    "customers_create": {
        "name": "Acme Bank",
        "industry": "finance",
        "region": "emea",
        "country": "DE",
        "size_band": "enterprise",
        "products": ["Ledger Cloud"],
        "account_owner": 7,
        "health_score": 60,
        "health_updated": "2026-11-02",
    },
    "contacts_create": {
        "customer": 42,
        "name": "Doris Fischer",
        "title": "Head of Payments",
        "seniority": "director",
        "email": "d.fischer@bank.example",
        "languages": ["de", "en"],
    },
    "references_create": {
        "contact": 311,
        "status": "active",
        "headline": "Closed the books in two days instead of ten",
        "activity_types": ["call", "email"],
        "products": ["Ledger Cloud"],
        "deployment": "cloud",
    },
    "requests_create": {
        "activity_type": "call",
        "prospect": {"name": "Prospect Bank", "industry": "finance", "region": "emea", "seniority": "vp"},
        "products": ["Ledger Cloud"],
        "criteria": {
            "must": [{"field": "industry", "value": "finance"}],
            "nice": [{"field": "country", "value": "DE", "weight": 5}],
        },
        "references_needed": 1,
        "needed_by": "2026-12-20T17:00:00+01:00",
        "opportunity": {"crm_id": "006XY", "amount": "250000.00", "stage": "Negotiation"},
    },
    "requests_candidates_create": {"reference": 1201},
    "candidates_transition_create": {"to": "asked", "note": "Asked on the phone."},
    "requests_outcome_create": {"result": "won", "amount": "250000.00"},
    "requests_bulk_assign": {"requests": [91, 92], "assignee": 7},
}


def _request_example(operation: dict) -> None:
    example = REQUEST_EXAMPLES.get(operation["operationId"])
    content = operation.get("requestBody", {}).get("content", {}).get(JSON)
    if example is not None and content is not None:
        content.setdefault("examples", {"example": {"summary": "A typical body", "value": example}})


# --- The hook ------------------------------------------------------------------------------


def postprocess(result, generator, request, public):
    """drf-spectacular postprocessing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Detail"] = DETAIL
    components["FieldErrors"] = FIELD_ERRORS
    components["RuleRefusal"] = RULE_REFUSAL
    components["ReasonCode"] = reason_code_schema()
    _blank_strings(components)
    _describe(components)
    for schema in components.values():
        if schema.get("description", "").startswith(MIXIN_DOCS):
            schema.pop("description")  # a mixin's docstring, not the object's
    enums = _enum_components(components)

    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            for param in operation.get("parameters", []):
                _type_parameter(param, enums)
            _request_example(operation)
            operation.setdefault(
                "summary",
                _summary(operation["operationId"], method, path, operation.get("description", "")),
            )
            responses = operation.setdefault("responses", {})
            if operation.get("security") == [{}]:  # AllowAny: no credentials at all
                operation["security"] = []
            public_operation = operation.get("security") == []
            wanted = ["429"] if public_operation else ["401", "403", "404", "429"]
            if operation.get("requestBody") or any(
                p.get("in") == "query" and p["name"] not in ("page", "page_size")
                for p in operation.get("parameters", [])
            ):
                wanted.append("400")
            if method in WRITE_METHODS and not public_operation:
                wanted.append("409")
            for status in sorted(wanted):
                responses.setdefault(status, _error_response(status))
            result_paths_sorted = dict(sorted(responses.items()))
            responses.clear()
            responses.update(result_paths_sorted)
    return result
