"""Salesforce through simple-salesforce: OAuth 2.0 server-to-server sign-in (client credentials
or JWT bearer), SOQL over REST (``queryAll``, so records in the recycle bin come back with
``IsDeleted = true``), incremental by ``SystemModstamp``, and a Task on the opportunity for the
write-back.

Secrets come from settings (environment): ``SALESFORCE_CLIENT_ID``, ``SALESFORCE_CLIENT_SECRET``
(client credentials), ``SALESFORCE_USERNAME`` and ``SALESFORCE_PRIVATE_KEY`` or
``SALESFORCE_PRIVATE_KEY_FILE`` (JWT bearer).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import jwt
import requests
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError
from simple_salesforce.login import token_login

from .base import CrmError, CrmRecord
from .mapping import ACCOUNT_FIELDS, mapping_for

API_VERSION = "59.0"
DEFAULT_LOGIN_URL = "https://login.salesforce.com"
TIMEOUT_SECONDS = 30


def soql_datetime(value: datetime) -> str:
    """A SOQL dateTime literal (UTC, no quotes)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SalesforceConnector:
    kind = "salesforce"

    def __init__(self, connection, *, session: requests.Session | None = None):
        self.connection = connection
        self.mapping = mapping_for("salesforce", connection.mapping)
        self.session = session or requests.Session()
        self._sf: Salesforce | None = None

    # --- sign-in ---------------------------------------------------------------------------

    def _login(self) -> tuple[str, str]:
        """Ask the connection's login URL for an access token; return (token, instance host)."""
        login_url = (self.connection.base_url or DEFAULT_LOGIN_URL).rstrip("/")
        client_id = getattr(settings, "SALESFORCE_CLIENT_ID", "")
        if not client_id:
            raise CrmError("SALESFORCE_CLIENT_ID is not set.")
        headers = None
        if self.connection.auth_flow == "jwt_bearer":
            key = getattr(settings, "SALESFORCE_PRIVATE_KEY", "")
            key_file = getattr(settings, "SALESFORCE_PRIVATE_KEY_FILE", "")
            if not key and key_file:
                key = Path(key_file).read_text()
            username = getattr(settings, "SALESFORCE_USERNAME", "")
            if not key or not username:
                raise CrmError(
                    "The JWT bearer flow needs SALESFORCE_USERNAME and SALESFORCE_PRIVATE_KEY(_FILE)."
                )
            claims = {
                "iss": client_id,
                "sub": username,
                "aud": getattr(settings, "SALESFORCE_JWT_AUDIENCE", "") or DEFAULT_LOGIN_URL,
                "exp": int((timezone.now() + timedelta(minutes=3)).timestamp()),
            }
            data = {
                "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "assertion": jwt.encode(claims, key, algorithm="RS256"),
            }
        else:
            secret = getattr(settings, "SALESFORCE_CLIENT_SECRET", "")
            if not secret:
                raise CrmError("SALESFORCE_CLIENT_SECRET is not set.")
            data = {"grant_type": "client_credentials"}
            basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
            headers = {"Authorization": f"Basic {basic}"}
        try:
            return token_login(
                f"{login_url}/services/oauth2/token", data, "login", client_id, headers, None, self.session
            )
        except (SalesforceError, requests.RequestException) as exc:
            raise CrmError(f"Salesforce sign-in failed: {exc}") from exc

    @property
    def sf(self) -> Salesforce:
        if self._sf is None:
            token, instance = self._login()
            self._sf = Salesforce(
                instance=instance, session_id=token, session=self.session, version=API_VERSION
            )
        return self._sf

    def _query(self, soql: str) -> list[dict[str, Any]]:
        try:
            return list(self.sf.query_all_iter(soql, include_deleted=True, timeout=TIMEOUT_SECONDS))
        except (SalesforceError, requests.RequestException) as exc:
            raise CrmError(f"Salesforce query failed: {exc}") from exc

    @staticmethod
    def _where(since: datetime | None) -> str:
        return f" WHERE SystemModstamp >= {soql_datetime(since)}" if since else ""

    def _account_fields(self) -> list[str]:
        fields = self.mapping["account_fields"]
        return [fields[name] for name in ACCOUNT_FIELDS if fields.get(name)]

    def _firmographics(self, row: dict[str, Any] | None) -> dict[str, Any]:
        row = row or {}
        fields = self.mapping["account_fields"]
        return {name: (row.get(fields[name]) if fields.get(name) else None) for name in ACCOUNT_FIELDS}

    # --- the interface ---------------------------------------------------------------------

    def pull_accounts(self, *, since: datetime | None) -> list[CrmRecord]:
        extra = [f for f in dict.fromkeys([self.mapping["customer_field"], *self._account_fields()]) if f]
        soql = (
            f"SELECT Id, Name, IsDeleted, SystemModstamp, {', '.join(extra)} FROM Account"
            f"{self._where(since)} ORDER BY SystemModstamp"
        )
        records = []
        for row in self._query(soql):
            values = {
                "name": row.get("Name") or "",
                "is_customer": row.get(self.mapping["customer_field"]) in self.mapping["customer_values"],
                **self._firmographics(row),
            }
            records.append(_record(row, values))
        return records

    def pull_contacts(self, *, since: datetime | None) -> list[CrmRecord]:
        soql = (
            "SELECT Id, AccountId, Name, Title, Email, Phone, IsDeleted, SystemModstamp FROM Contact"
            f"{self._where(since)} ORDER BY SystemModstamp"
        )
        return [
            _record(
                row,
                {
                    "account_crm_id": row.get("AccountId") or "",
                    "name": row.get("Name") or "",
                    "title": row.get("Title") or "",
                    "email": row.get("Email") or "",
                    "phone": row.get("Phone") or "",
                },
            )
            for row in self._query(soql)
        ]

    def pull_opportunities(self, *, since: datetime | None) -> list[CrmRecord]:
        account = ", ".join(f"Account.{f}" for f in dict.fromkeys(["Name", *self._account_fields()]))
        soql = (
            f"SELECT Id, Name, Amount, StageName, CloseDate, AccountId, {account}, Owner.Email, CreatedDate, "
            f"IsDeleted, SystemModstamp FROM Opportunity{self._where(since)} ORDER BY SystemModstamp"
        )
        records = []
        for row in self._query(soql):
            account_row = row.get("Account") or {}
            values = {
                "name": row.get("Name") or "",
                "amount": _decimal(row.get("Amount")),
                "stage": row.get("StageName") or "",
                "close_date": _date(row.get("CloseDate")),
                "account_crm_id": row.get("AccountId") or "",
                "account_name": account_row.get("Name") or "",
                "owner_email": (row.get("Owner") or {}).get("Email") or "",
                "opened_on": _date((row.get("CreatedDate") or "")[:10]),
                "account": self._firmographics(account_row),
            }
            records.append(_record(row, values))
        return records

    def push_reference_activity(self, *, opportunity_crm_id: str, subject: str, body: str) -> str:
        """A completed Task on the opportunity (``WhatId``), dated today."""
        task = {
            "WhatId": opportunity_crm_id,
            "Subject": subject[:255],
            "Description": body,
            "Status": "Completed",
            "ActivityDate": timezone.localdate().isoformat(),
        }
        try:
            result = self.sf.Task.create(task)
        except (SalesforceError, requests.RequestException) as exc:
            raise CrmError(f"Salesforce refused the Task: {exc}") from exc
        if not result.get("success", True) or not result.get("id"):
            raise CrmError(f"Salesforce refused the Task: {result.get('errors')}")
        return result["id"]


def _record(row: dict[str, Any], values: dict[str, Any]) -> CrmRecord:
    return CrmRecord(
        crm_id=row["Id"],
        modified_at=parse_datetime(row["SystemModstamp"]) if row.get("SystemModstamp") else None,
        deleted=bool(row.get("IsDeleted")),
        values=values,
    )


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return value  # kept as sent: the upsert's validation reports it for this record


def _date(value: Any) -> Any:
    try:
        return parse_date(value) or value if value else None
    except ValueError:
        return value
