"""The connector interface every CRM implements, and the neutral record it hands back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class CrmError(Exception):
    """The CRM could not be reached or refused the call (the run or the write-back records why)."""


@dataclass
class CrmRecord:
    """One CRM record in RefProgram's words, values still the CRM's (the sync maps them).

    Accounts: name, is_customer, industry, region, country, employees, size.
    Contacts: account_crm_id, name, title, email, phone.
    Opportunities: name, amount, stage, close_date, account_crm_id, account_name, owner_email,
    account (the account's firmographics, as for accounts).
    """

    crm_id: str
    modified_at: datetime | None
    deleted: bool = False
    values: dict[str, Any] = field(default_factory=dict)


class CrmConnector(Protocol):
    """What the sync and the write-back need from a CRM. ``since`` is the cursor (the newest
    modification time seen by the last run), ``None`` for everything."""

    kind: str

    def pull_accounts(self, *, since: datetime | None) -> list[CrmRecord]: ...

    def pull_contacts(self, *, since: datetime | None) -> list[CrmRecord]: ...

    def pull_opportunities(self, *, since: datetime | None) -> list[CrmRecord]: ...

    def push_reference_activity(self, *, opportunity_crm_id: str, subject: str, body: str) -> str:
        """Write a note on the opportunity; return the id of what the CRM created."""
        ...
