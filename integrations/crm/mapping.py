"""A CRM connection's mapping: which CRM field holds what, and which CRM values mean which
RefProgram industry, region, country and size band, and which stages mean won and lost.

A connection's ``mapping`` JSON holds only what differs from ``DEFAULTS[kind]``; ``mapping_for``
merges the two and ``mapping_clean`` validates a mapping before it is saved.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from references.choices import SizeBand
from references.models import Industry, Region

# Which CRM field holds each firmographic ("" = the CRM has none: region falls back on the
# country, the size band on the number of employees).
_SALESFORCE = {
    "customer_field": "Type",
    "customer_values": ["Customer", "Customer - Direct", "Customer - Channel"],
    "account_fields": {
        "industry": "Industry",
        "region": "",
        "country": "BillingCountry",
        "employees": "NumberOfEmployees",
        "size": "",
    },
    "won_stages": ["Closed Won"],
    "lost_stages": ["Closed Lost"],
}
_HUBSPOT = {
    "customer_field": "lifecyclestage",
    "customer_values": ["customer"],
    "account_fields": {
        "industry": "industry",
        "region": "",
        "country": "country",
        "employees": "numberofemployees",
        "size": "",
    },
    "won_stages": ["closedwon"],
    "lost_stages": ["closedlost"],
}
_VALUE_MAPS = {"industries": {}, "regions": {}, "countries": {}, "sizes": {}}
DEFAULTS: dict[str, dict[str, Any]] = {
    "salesforce": {**_SALESFORCE, **_VALUE_MAPS},
    "hubspot": {**_HUBSPOT, **_VALUE_MAPS},
}
ACCOUNT_FIELDS = ("industry", "region", "country", "employees", "size")
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")  # also keeps SOQL free of anything else


def mapping_for(kind: str, mapping: dict[str, Any] | None) -> dict[str, Any]:
    """The connection's mapping over the CRM's defaults (``account_fields`` merged field by field)."""
    merged = {key: copy.deepcopy(value) for key, value in DEFAULTS[kind].items()}
    for key, value in (mapping or {}).items():
        if key == "account_fields" and isinstance(value, dict):
            merged["account_fields"].update(value)
        else:
            merged[key] = value
    return merged


def mapping_clean(kind: str, mapping: Any) -> dict[str, Any]:
    """Validate a connection's mapping; raise ``ValidationError`` ({"mapping": [...]}) naming each
    problem. Returns the mapping as given (only the differences from the defaults are stored)."""
    if kind not in DEFAULTS:
        raise ValidationError({"kind": _("Unknown CRM “%(kind)s”.") % {"kind": kind}})
    if not isinstance(mapping, dict):
        raise ValidationError({"mapping": _("The mapping must be a JSON object.")})
    problems = [f"Unknown key {key!r}." for key in mapping if key not in DEFAULTS[kind]]
    merged = mapping_for(kind, {k: v for k, v in mapping.items() if k in DEFAULTS[kind]})
    fields = merged["account_fields"]
    if not isinstance(fields, dict) or set(fields) - set(ACCOUNT_FIELDS):
        problems.append(f"account_fields takes only {', '.join(ACCOUNT_FIELDS)}.")
        fields = {}
    for name in [merged["customer_field"], *fields.values()]:
        if not isinstance(name, str) or (name and not _FIELD_NAME.match(name)):
            problems.append(f"{name!r} is not a CRM field name.")
    for key in ("customer_values", "won_stages", "lost_stages"):
        if not isinstance(merged[key], list) or not all(isinstance(v, str) for v in merged[key]):
            problems.append(f"{key} must be a list of texts.")
    if not problems and set(merged["won_stages"]) & set(merged["lost_stages"]):
        problems.append("A stage cannot mean both won and lost.")
    maps = {key: merged[key] for key in _VALUE_MAPS}
    for key, value in maps.items():
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            problems.append(f"{key} must map CRM values to codes.")
            maps[key] = {}
    _unknown(problems, "industries", maps["industries"], set(Industry.objects.values_list("code", flat=True)))
    _unknown(problems, "regions", maps["regions"], set(Region.objects.values_list("code", flat=True)))
    _unknown(problems, "sizes", maps["sizes"], set(SizeBand.values))
    bad_countries = sorted(v for v in maps["countries"].values() if not re.fullmatch(r"[A-Z]{2}", v))
    if bad_countries:
        problems.append(f"countries must map to ISO 3166 two-letter codes, not {', '.join(bad_countries)}.")
    if problems:
        raise ValidationError({"mapping": problems})
    return mapping


def _unknown(problems: list[str], key: str, values: dict[str, str], known: set[str]) -> None:
    unknown = sorted(set(values.values()) - known)
    if unknown:
        problems.append(f"{key}: no such code {', '.join(unknown)}.")
