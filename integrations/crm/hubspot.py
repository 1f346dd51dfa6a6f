"""HubSpot through hubspot-api-client: companies, contacts and deals from the CRM search API
(incremental by ``hs_lastmodifieddate``; contacts by ``lastmodifieddate``), archived records from
the objects API (``archived=true``), a deal's company from the associations API, and a note on
the deal for the write-back.

The private app's access token comes from settings (environment): ``HUBSPOT_ACCESS_TOKEN``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import escape
from hubspot import HubSpot
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.companies import BatchReadInputSimplePublicObjectId, PublicObjectSearchRequest
from hubspot.crm.objects.notes import SimplePublicObjectInputForCreate
from urllib3.exceptions import HTTPError

from .base import CrmError, CrmRecord
from .mapping import ACCOUNT_FIELDS, mapping_for

logger = logging.getLogger("refprogram.crm")

PAGE_SIZE = 100  # the search API's largest page (and the owners API's)
NOTE_TO_DEAL = 214  # HubSpot-defined association type: note → deal
MODIFIED = {
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
    "deals": "hs_lastmodifieddate",
}


class HubSpotConnector:
    kind = "hubspot"

    def __init__(self, connection):
        self.connection = connection
        self.mapping = mapping_for("hubspot", connection.mapping)
        token = getattr(settings, "HUBSPOT_ACCESS_TOKEN", "")
        if not token:
            raise CrmError("HUBSPOT_ACCESS_TOKEN is not set.")
        # The base URL is configurable (a proxy, or a local server in tests); retries: none here,
        # the sync runs again in 15 minutes and the write-back task retries with back-off.
        self.client = HubSpot(access_token=token, host=(connection.base_url or "").rstrip("/") or None)

    def _api(self, object_type: str):
        crm = self.client.crm
        return {"companies": crm.companies, "contacts": crm.contacts, "deals": crm.deals}[object_type]

    def _call(self, what: str, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except HTTPError as exc:
            raise CrmError(f"HubSpot {what} failed: {exc}") from exc
        except Exception as exc:  # the client's ApiException per API package
            # Each API package of the client has its own ApiException (and its subclasses).
            if any(cls.__name__ == "ApiException" for cls in type(exc).__mro__):
                raise CrmError(
                    f"HubSpot {what} failed: {getattr(exc, 'status', '')} {getattr(exc, 'reason', '')}"
                ) from exc
            raise

    def _pull(
        self, object_type: str, properties: list[str], since: datetime | None
    ) -> list[tuple[Any, bool]]:
        """Every object changed since ``since`` (search API), then the archived ones (objects API)."""
        api = self._api(object_type)
        modified = MODIFIED[object_type]
        properties = list(dict.fromkeys([*properties, modified]))
        filters = []
        if since:
            stamp = str(int(since.timestamp() * 1000))
            filters = [{"filters": [{"propertyName": modified, "operator": "GTE", "value": stamp}]}]
        found, after = [], None
        while True:
            search = PublicObjectSearchRequest(
                filter_groups=filters,
                sorts=[{"propertyName": modified, "direction": "ASCENDING"}],
                properties=properties,
                limit=PAGE_SIZE,
                after=after,
            )
            page = self._call(
                f"{object_type} search", api.search_api.do_search, public_object_search_request=search
            )
            found += [(obj, False) for obj in page.results]
            after = page.paging.next.after if page.paging and page.paging.next else None
            if not after:
                break
        after = None
        while True:
            # "true" as the API documents it (the client would send a bool as "True").
            kwargs = {"limit": PAGE_SIZE, "properties": properties, "archived": "true"}
            if after:
                kwargs["after"] = after
            page = self._call(f"archived {object_type}", api.basic_api.get_page, **kwargs)
            for obj in page.results:
                if since is None or obj.archived_at is None or obj.archived_at >= since:
                    found.append((obj, True))
            after = page.paging.next.after if page.paging and page.paging.next else None
            if not after:
                break
        return found

    def _account_properties(self) -> list[str]:
        fields = self.mapping["account_fields"]
        return [fields[name] for name in ACCOUNT_FIELDS if fields.get(name)]

    def _firmographics(self, props: dict[str, Any]) -> dict[str, Any]:
        fields = self.mapping["account_fields"]
        return {name: (props.get(fields[name]) if fields.get(name) else None) for name in ACCOUNT_FIELDS}

    # --- the interface ---------------------------------------------------------------------

    def pull_accounts(self, *, since: datetime | None) -> list[CrmRecord]:
        customer_field = self.mapping["customer_field"]
        properties = ["name", customer_field, *self._account_properties()]
        records = []
        for obj, archived in self._pull("companies", properties, since):
            props = obj.properties or {}
            values = {
                "name": props.get("name") or "",
                "is_customer": props.get(customer_field) in self.mapping["customer_values"],
                **self._firmographics(props),
            }
            records.append(_record(obj, archived, "companies", values))
        return records

    def pull_contacts(self, *, since: datetime | None) -> list[CrmRecord]:
        properties = ["firstname", "lastname", "jobtitle", "email", "phone", "associatedcompanyid"]
        records = []
        for obj, archived in self._pull("contacts", properties, since):
            props = obj.properties or {}
            name = " ".join(p for p in (props.get("firstname"), props.get("lastname")) if p)
            values = {
                "account_crm_id": props.get("associatedcompanyid") or "",
                "name": name,
                "title": props.get("jobtitle") or "",
                "email": props.get("email") or "",
                "phone": props.get("phone") or "",
            }
            records.append(_record(obj, archived, "contacts", values))
        return records

    def pull_opportunities(self, *, since: datetime | None) -> list[CrmRecord]:
        properties = ["dealname", "amount", "dealstage", "closedate", "createdate", "hubspot_owner_id"]
        deals = self._pull("deals", properties, since)
        companies = self._deal_companies([obj.id for obj, archived in deals if not archived])
        owners = self._owner_emails(
            {(obj.properties or {}).get("hubspot_owner_id") for obj, _ in deals} - {None, ""}
        )
        records = []
        for obj, archived in deals:
            props = obj.properties or {}
            company_id, company = companies.get(obj.id, ("", {}))
            close = props.get("closedate")
            values = {
                "name": props.get("dealname") or "",
                "amount": _decimal(props.get("amount")),
                "stage": props.get("dealstage") or "",
                "close_date": _date(close),
                "account_crm_id": company_id,
                "account_name": company.get("name") or "",
                "owner_email": owners.get(props.get("hubspot_owner_id") or "", ""),
                "opened_on": _date(props.get("createdate"))
                or (obj.created_at.date() if obj.created_at else None),
                "account": self._firmographics(company),
            }
            records.append(_record(obj, archived, "deals", values))
        return records

    def _owner_emails(self, owner_ids: set[str]) -> dict[str, str]:
        """The e-mail of each deal owner (``hubspot_owner_id``), from the owners API: its active
        owners a page at a time, then its archived ones (a deal kept by someone who left) when some
        are still missing. Without the ``crm.objects.owners.read`` scope the deals still sync, with
        no owner e-mail, and the log says why."""
        found: dict[str, str] = {}
        if not owner_ids:
            return found
        owners_api = self.client.crm.owners.owners_api
        try:
            for archived in (None, "true"):  # "true" as the API documents it, as for the objects
                after = None
                while owner_ids - found.keys():
                    kwargs = {"limit": PAGE_SIZE, **({"after": after} if after else {})}
                    if archived:
                        kwargs["archived"] = archived
                    page = self._call("owners", owners_api.get_page, **kwargs)
                    found.update({str(o.id): o.email or "" for o in page.results if str(o.id) in owner_ids})
                    after = page.paging.next.after if page.paging and page.paging.next else None
                    if not after:
                        break
                if not owner_ids - found.keys():
                    break
        except CrmError as exc:
            logger.warning("%s: deals synced without their owners' e-mail", exc)
        return found

    def _deal_companies(self, deal_ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Each deal's first company and that company's properties (two batch calls per 100 deals)."""
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for start in range(0, len(deal_ids), PAGE_SIZE):
            chunk = deal_ids[start : start + PAGE_SIZE]
            links = self._call(
                "deal associations",
                self.client.crm.associations.v4.batch_api.get_page,
                from_object_type="deals",
                to_object_type="companies",
                batch_input_public_fetch_associations_batch_request=BatchInputPublicFetchAssociationsBatchRequest(
                    inputs=[{"id": deal_id} for deal_id in chunk]
                ),
            )
            first = {link._from.id: str(link.to[0].to_object_id) for link in links.results if link.to}
            if not first:
                continue
            batch = BatchReadInputSimplePublicObjectId(
                inputs=[{"id": cid} for cid in sorted(set(first.values()))],
                properties=["name", *self._account_properties()],
                properties_with_history=[],
            )
            companies = self._call(
                "companies read",
                self.client.crm.companies.batch_api.read,
                batch_read_input_simple_public_object_id=batch,
            )
            props = {c.id: c.properties or {} for c in companies.results}
            found.update({deal: (cid, props.get(cid, {})) for deal, cid in first.items()})
        return found

    def push_reference_activity(self, *, opportunity_crm_id: str, subject: str, body: str) -> str:
        """A note on the deal (association type 214, note → deal)."""
        note = SimplePublicObjectInputForCreate(
            properties={
                "hs_timestamp": timezone.now().isoformat(),
                "hs_note_body": f"<p><b>{escape(subject)}</b></p><p>{escape(body)}</p>",
            },
            associations=[
                {
                    "to": {"id": opportunity_crm_id},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": NOTE_TO_DEAL}],
                }
            ],
        )
        created = self._call(
            "note", self.client.crm.objects.notes.basic_api.create, simple_public_object_input_for_create=note
        )
        return str(created.id)


def _record(obj, archived: bool, object_type: str, values: dict[str, Any]) -> CrmRecord:
    props = obj.properties or {}
    modified = (
        parse_datetime(props.get(MODIFIED[object_type]) or "") if props.get(MODIFIED[object_type]) else None
    )
    return CrmRecord(
        crm_id=str(obj.id),
        modified_at=modified or obj.updated_at,
        deleted=archived or bool(getattr(obj, "archived", False)),
        values=values,
    )


def _decimal(value: Any) -> Any:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return value  # kept as sent: the upsert's validation reports it for this record


def _date(value: Any) -> Any:
    """HubSpot dates are ISO date-times (``2024-05-01T00:00:00Z``) or dates."""
    if not value:
        return None
    try:
        return parse_date(value[:10]) or value
    except ValueError:
        return value
