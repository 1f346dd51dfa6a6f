"""The CRM sync and the write-back: what RefProgram takes from a CRM, and what it tells it.

Sync (``crm_sync_run``): accounts, then contacts, then opportunities, each incremental from the
connection's cursor (the newest CRM modification time the last run saw) or everything (``full``).

* Accounts the mapping marks as customers become RefProgram customers (upserted by CRM id);
  other accounts are prospects, whose firmographics live on their opportunities.
* Contacts of those customers become contacts (upserted by CRM id). An erased contact is never
  written again.
* Opportunities go through ``opportunity_upsert`` (the requests app's one home for them).
* Ownership: the CRM owns firmographics (name, industry, region, country, size band, employees),
  a contact's name, title, e-mail and phone, and every opportunity field; RefProgram owns the
  reference data (profiles, seniority, languages, health, consents…), which the sync never writes.
  A CRM-owned field edited in RefProgram since the last successful sync takes the CRM's value and
  the run logs the value that lost (``conflicts``).
* A record deleted in the CRM is marked (``crm_deleted_at``), never deleted here: its usage
  history stays. A record that cannot be mapped or saved is reported (``errors``) and skipped;
  the rest of the run goes on. Running the same sync twice changes nothing the second time.

Write-back (``write_back_for_event`` → ``write_back_attempt``): when a candidate is accepted,
scheduled or completed for a request with a CRM opportunity, the opportunity gets a note (a
Salesforce Task, a HubSpot note) naming the reference customer and the activity, retried with
exponential back-off while the CRM fails.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from references.choices import Seniority, SizeBand
from references.models import Contact, Customer, Industry, Region
from references.services.inventory import contact_create, contact_update, customer_create, customer_update
from refprogram import events
from refprogram.errors import RuleViolation
from refprogram.tasks_util import enqueue
from requests_app.choices import CandidateState
from requests_app.models import Candidate, Opportunity
from requests_app.services.opportunities import opportunity_upsert

from ..choices import CrmKind, SyncStatus, WriteBackStatus
from ..crm import CrmError, CrmRecord, connector_for
from ..crm.mapping import mapping_for
from ..models import CrmConnection, CrmSyncRun, CrmWriteBack

logger = logging.getLogger("refprogram.integrations.crm")

OBJECTS = ("accounts", "contacts", "opportunities")
CUSTOMER_FIELDS = ("name", "industry", "region", "country", "size_band", "employees")
CONTACT_FIELDS = ("name", "title", "email", "phone")
ERRORS_KEPT = 500  # per run: the first ones are the ones to fix
SIZE_LIMITS = ((100, SizeBand.SMB), (1000, SizeBand.MIDMARKET), (10000, SizeBand.ENTERPRISE))
SENIORITY_WORDS = (  # first match wins: "Vice President" is a VP before "President" is C-level
    (Seniority.VP, r"\b(vp|svp|evp|vice president)\b"),
    (Seniority.C_LEVEL, r"\b(chief|ceo|cto|cio|cfo|coo|cmo|ciso|president|founder)\b"),
    (Seniority.DIRECTOR, r"\b(director|head)\b"),
    (Seniority.MANAGER, r"\b(manager|lead)\b"),
)
ABANDONED_AFTER = timedelta(hours=2)  # a sync still "running" after this lost its worker
WRITE_BACK_STATES = (CandidateState.ACCEPTED, CandidateState.SCHEDULED, CandidateState.COMPLETED)
WRITE_BACK_MAX_RETRIES = 8
WRITE_BACK_RETRY_BASE_SECONDS = 60  # 1, 2, 4 … 128 minutes: about 4 hours in all


class RecordProblem(Exception):
    """This record cannot be taken as it is (the message says why, in the program's words)."""


# --- starting a run ----------------------------------------------------------------------------


def connection_get(*, kind: str) -> CrmConnection:
    """The connection of this CRM (made, switched off, the first time it is asked for)."""
    if kind not in CrmKind.values:
        raise ValueError(f"Unknown CRM {kind!r}; known: {', '.join(CrmKind.values)}.")
    connection, _ = CrmConnection.objects.get_or_create(kind=kind)
    return connection


@transaction.atomic
def crm_sync_start(*, connection: CrmConnection, full: bool = False, actor=None) -> CrmSyncRun:
    """Queue a sync of this CRM; one at a time (409 ``crm_sync_running`` while one is under way).
    A run queued or running for longer than ``ABANDONED_AFTER`` lost its worker: it is marked
    failed and no longer blocks."""
    CrmConnection.objects.select_for_update().get(pk=connection.pk)
    if not connection.enabled:
        raise RuleViolation(
            "crm_not_enabled", gettext("The %(crm)s connection is switched off.") % {"crm": connection}
        )
    active = connection.runs.filter(status__in=[SyncStatus.QUEUED, SyncStatus.RUNNING])
    active.filter(created_at__lt=timezone.now() - ABANDONED_AFTER).update(
        status=SyncStatus.FAILED, finished_at=timezone.now(), phase="", error="Abandoned: its worker stopped."
    )
    busy = active.exists()
    if busy:
        raise RuleViolation(
            "crm_sync_running", gettext("A %(crm)s sync is already under way.") % {"crm": connection}
        )
    return CrmSyncRun.objects.create(connection=connection, full=full, requested_by=actor)


def crm_sync(*, kind: str, full: bool = False, actor=None) -> CrmSyncRun:
    """Start and run one sync now (the command and the beat task)."""
    run = crm_sync_start(connection=connection_get(kind=kind), full=full, actor=actor)
    return crm_sync_run(run=run)


# --- the run ---------------------------------------------------------------------------------


@dataclass
class _Lookups:
    """Industries and regions by code and by lower-case name, loaded once per run."""

    industries: dict[str, Industry]
    regions: dict[str, Region]

    @classmethod
    def load(cls) -> _Lookups:
        industries, regions = {}, {}
        for table, found in ((Industry, industries), (Region, regions)):
            for row in table.objects.all():
                found[row.code] = row
                found.setdefault(row.name.casefold(), row)
        return cls(industries=industries, regions=regions)


def crm_sync_run(*, run: CrmSyncRun) -> CrmSyncRun:
    """Do the sync ``run`` stands for, saving its progress after each kind of object."""
    connection = run.connection
    run.status, run.started_at = SyncStatus.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    cursor = dict(connection.cursor or {})
    try:
        connector = connector_for(connection)
        context = _Context(run=run, connection=connection, lookups=_Lookups.load())
        for name in OBJECTS:
            run.phase = name
            run.save(update_fields=["phase"])
            since = None if run.full else _cursor_time(cursor.get(name))
            records = getattr(connector, f"pull_{name}")(since=since)
            handler = getattr(context, f"take_{name[:-1] if name != 'opportunities' else 'opportunity'}")
            for record in records:
                context.take(name, record, handler)
            newest = max((r.modified_at for r in records if r.modified_at), default=None)
            if newest and (since is None or newest >= since):
                cursor[name] = max(newest, _cursor_time(cursor.get(name)) or newest).isoformat()
            _save_counts(run)
    except (CrmError, ValidationError) as exc:
        run.status, run.error = SyncStatus.FAILED, str(exc)[:2000]
    except Exception as exc:  # noqa: BLE001 - a bug must not leave the run "running" forever
        logger.exception("CRM sync %s failed", run.pk)
        run.status, run.error = SyncStatus.FAILED, f"Unexpected error: {exc}"[:2000]
    else:
        run.status = SyncStatus.PARTIAL if run.failed else SyncStatus.SUCCEEDED
    run.finished_at = timezone.now()
    run.phase = ""
    run.save()
    connection.cursor = cursor
    connection.last_run_at = connection.updated_at = run.finished_at
    fields = ["cursor", "last_run_at", "updated_at"]
    if run.status != SyncStatus.FAILED:
        connection.last_success_at = run.finished_at
        fields.append("last_success_at")
    # The run's bookkeeping, not a change of the connection: written without a line in its history.
    CrmConnection.objects.filter(pk=connection.pk).update(**{f: getattr(connection, f) for f in fields})
    return run


def _cursor_time(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def _save_counts(run: CrmSyncRun) -> None:
    run.save(
        update_fields=[
            "created",
            "updated",
            "unchanged",
            "deleted",
            "skipped",
            "failed",
            "errors",
            "conflicts",
        ]
    )


class _Context:
    """One run's state: the mapping, the lookups, the customers seen, and the counters."""

    def __init__(self, *, run: CrmSyncRun, connection: CrmConnection, lookups: _Lookups):
        self.run = run
        self.kind = connection.kind
        self.mapping = mapping_for(connection.kind, connection.mapping)
        self.lookups = lookups
        self.edited_after = connection.last_success_at  # a RefProgram edit after it is a conflict

    def take(self, name: str, record: CrmRecord, handler) -> None:
        """Take one record in its own savepoint: a bad one is reported and the rest goes on."""
        try:
            with transaction.atomic():
                outcome = handler(record)
        except (RecordProblem, RuleViolation) as exc:
            self._fail(name, record, str(getattr(exc, "message", exc)))
        except ValidationError as exc:
            self._fail(name, record, _validation_text(exc))
        except (DatabaseError, ValueError, TypeError) as exc:
            self._fail(name, record, f"Could not be saved: {exc}")
        else:
            setattr(self.run, outcome, getattr(self.run, outcome) + 1)

    def _fail(self, name: str, record: CrmRecord, message: str) -> None:
        self.run.failed += 1
        if len(self.run.errors) < ERRORS_KEPT:
            self.run.errors.append({"object": name, "crm_id": record.crm_id, "message": message})

    def _conflicts(self, name: str, record: CrmRecord, instance, values: dict[str, Any]) -> None:
        """Log the RefProgram value that lost to the CRM's (the field was edited on both sides)."""
        if self.edited_after is None or instance.updated_at <= self.edited_after:
            return
        for field, value in values.items():
            self.run.conflicts.append(
                {
                    "object": name,
                    "crm_id": record.crm_id,
                    "field": field,
                    "kept": _text(value),
                    "lost": _text(getattr(instance, field)),
                    "owner": "crm",
                }
            )

    # --- mapping ---------------------------------------------------------------------------

    def firmographics(self, raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """A CRM account's values as RefProgram's (industry, region, country, size band,
        employees), and what could not be mapped."""
        mapping, problems = self.mapping, []
        found: dict[str, Any] = {}
        industry = raw.get("industry")
        found["industry"] = self._lookup(self.lookups.industries, mapping["industries"], industry)
        if found["industry"] is None:
            problems.append(f"Industry {industry!r} is not mapped to a RefProgram industry.")
        country_raw = (raw.get("country") or "").strip()
        country = mapping["countries"].get(country_raw) or (
            country_raw.upper() if re.fullmatch(r"[A-Za-z]{2}", country_raw) else ""
        )
        if not country:
            problems.append(f"Country {country_raw!r} is not an ISO code nor mapped to one.")
        found["country"] = country
        region_raw = raw.get("region") or country
        found["region"] = self._lookup(self.lookups.regions, mapping["regions"], region_raw)
        if found["region"] is None and region_raw:
            problems.append(f"Region {region_raw!r} is not mapped to a RefProgram region.")
        elif found["region"] is None:
            problems.append("No region: map the country (regions) or a region field (account_fields).")
        employees = raw.get("employees")
        try:
            found["employees"] = int(float(employees)) if employees not in (None, "") else None
        except (TypeError, ValueError):
            problems.append(f"Employees {employees!r} is not a number.")
            found["employees"] = None
        if found["employees"] is not None and found["employees"] < 0:
            problems.append(f"Employees {employees!r} is below zero.")
            found["employees"] = None
        size_raw = raw.get("size")
        size = mapping["sizes"].get(size_raw or "") if size_raw else _size_band(found["employees"])
        if not size:
            problems.append(f"No size band: size {size_raw!r}, employees {employees!r}.")
        found["size_band"] = size or ""
        return found, problems

    @staticmethod
    def _lookup(table: dict[str, Any], mapped: dict[str, str], raw: Any):
        if raw in (None, ""):
            return None
        raw = str(raw)
        code = mapped.get(raw)
        if code:
            return table.get(code)
        return table.get(raw) or table.get(raw.casefold())

    # --- the records -----------------------------------------------------------------------

    def take_account(self, record: CrmRecord) -> str:
        customer = Customer.objects.select_for_update().filter(crm_id=record.crm_id).first()
        if record.deleted:
            return _mark_deleted(customer, customer_update, "customer")
        if customer is None and not record.values.get("is_customer"):
            return "skipped"  # a prospect: its firmographics come with its opportunities
        values, problems = self.firmographics(record.values)
        values["name"] = (record.values.get("name") or "").strip()
        if problems:
            raise RecordProblem(" ".join(problems))
        if customer is None:
            customer_create(crm_id=record.crm_id, **values)
            return "created"
        changed = {f: values[f] for f in CUSTOMER_FIELDS if getattr(customer, f) != values[f]}
        if customer.crm_deleted_at:
            changed["crm_deleted_at"] = None  # restored in the CRM
        if not changed:
            return "unchanged"
        self._conflicts(
            "accounts", record, customer, {k: v for k, v in changed.items() if k in CUSTOMER_FIELDS}
        )
        customer_update(customer=customer, **changed)
        return "updated"

    def take_contact(self, record: CrmRecord) -> str:
        contact = Contact.objects.select_for_update().filter(crm_id=record.crm_id).first()
        if contact is not None and contact.erased_at is not None:
            return "skipped"  # erased on the person's request: never written again
        if record.deleted:
            return _mark_deleted(contact, contact_update, "contact")
        values = {f: (record.values.get(f) or "").strip() for f in CONTACT_FIELDS}
        if contact is None:
            customer = Customer.objects.filter(crm_id=record.values.get("account_crm_id") or None).first()
            if customer is None:
                return "skipped"  # a prospect's (or an unsynced account's) contact
            contact_create(
                customer=customer,
                crm_id=record.crm_id,
                seniority=seniority_from_title(values["title"]),
                **values,
            )
            return "created"
        changed = {f: v for f, v in values.items() if getattr(contact, f) != v}
        if contact.crm_deleted_at:
            changed["crm_deleted_at"] = None
        if not changed:
            return "unchanged"
        self._conflicts(
            "contacts", record, contact, {k: v for k, v in changed.items() if k in CONTACT_FIELDS}
        )
        contact_update(contact=contact, **changed)
        return "updated"

    def take_opportunity(self, record: CrmRecord) -> str:
        if record.deleted:
            # The opportunity keeps its last copy (requests may link to it); nothing to mark yet.
            return "skipped"
        raw = record.values
        stage = raw.get("stage") or ""
        is_won = stage in self.mapping["won_stages"]
        data = {
            "name": (raw.get("name") or "").strip(),
            "amount": raw.get("amount"),
            "stage": stage,
            "close_date": raw.get("close_date"),
            "is_won": is_won,
            "is_closed": is_won or stage in self.mapping["lost_stages"],
            "account_name": raw.get("account_name") or "",
            "account_crm_id": raw.get("account_crm_id") or "",
            "owner_email": raw.get("owner_email") or "",
            "opened_on": raw.get("opened_on"),
            "modified_at": record.modified_at,
        }
        if any(v not in (None, "") for v in (raw.get("account") or {}).values()):
            firm, problems = self.firmographics(raw["account"])
            data.update(firm)
            if problems and len(self.run.errors) < ERRORS_KEPT:
                # The prospect's firmographics are a help, not a must: the opportunity is kept.
                self.run.errors.append(
                    {
                        "object": "opportunities",
                        "crm_id": record.crm_id,
                        "message": "Kept; " + " ".join(problems),
                    }
                )
        if not data["name"]:
            raise RecordProblem("The opportunity has no name.")
        _, created, changed = opportunity_upsert(crm=self.kind, crm_id=record.crm_id, data=data)
        return "created" if created else "updated" if changed else "unchanged"


def _mark_deleted(instance, update, what: str) -> str:
    if instance is None:
        return "skipped"
    if instance.crm_deleted_at is not None:
        return "unchanged"
    update(**{what: instance}, crm_deleted_at=timezone.now())
    return "deleted"


def _size_band(employees: int | None) -> str:
    if employees is None:
        return ""
    for limit, band in SIZE_LIMITS:
        if employees < limit:
            return band
    return SizeBand.GLOBAL


def seniority_from_title(title: str) -> str:
    """A new contact's seniority read from their job title (RefProgram owns it afterwards)."""
    for level, pattern in SENIORITY_WORDS:
        if re.search(pattern, title or "", flags=re.IGNORECASE):
            return level
    return Seniority.INDIVIDUAL


def _text(value: Any) -> str:
    return str(getattr(value, "pk", value) if value is not None else "")


def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


# --- write-back ------------------------------------------------------------------------------


def opportunity_of_request(request) -> tuple[str, str] | None:
    """(CRM, opportunity id) of a request, or None. The request's linked opportunity when it has
    one; else its typed ``opportunity_crm_id``, in the CRM that has an opportunity with that id
    (or the only CRM switched on)."""
    linked = getattr(request, "opportunity", None)
    if linked is not None:
        return linked.crm, linked.crm_id
    crm_id = (request.opportunity_crm_id or "").strip()
    if not crm_id:
        return None
    crms = set(
        Opportunity.objects.filter(crm_id=crm_id, crm__in=CrmKind.values).values_list("crm", flat=True)
    )
    if not crms:
        crms = set(CrmConnection.objects.filter(enabled=True).values_list("kind", flat=True))
    return (crms.pop(), crm_id) if len(crms) == 1 else None


def write_back_text(candidate: Candidate) -> tuple[str, str]:
    """The note's subject and body: the reference customer, the activity and what happened."""
    request, customer = candidate.request, candidate.reference.customer
    activity = request.activity_type.name
    state = CandidateState(candidate.state).label.lower()
    subject = f"Reference {state}: {customer.name} ({activity})"
    lines = [f"RefProgram request #{request.pk}: {customer.name} — {activity}, {state}."]
    if candidate.state == CandidateState.SCHEDULED and candidate.scheduled_for:
        lines.append(f"Scheduled for {timezone.localtime(candidate.scheduled_for):%Y-%m-%d %H:%M %Z}.")
    return subject, " ".join(lines)


def write_back_for_event(
    *, event: str, event_id: uuid.UUID, occurred_at: datetime, data: dict[str, Any]
) -> int:
    """A candidate was accepted, scheduled or completed: queue a note for the request's CRM
    opportunity (once per candidate and state). Returns how many were queued (0 or 1)."""
    if event != events.CANDIDATE_TRANSITIONED or data.get("to") not in WRITE_BACK_STATES:
        return 0
    candidate = (
        Candidate.objects.select_related(
            "request__activity_type", "request__opportunity", "reference__customer"
        )
        .filter(pk=data.get("candidate"))
        .first()
    )
    if candidate is None:
        return 0
    target = opportunity_of_request(candidate.request)
    if target is None or not CrmConnection.objects.filter(kind=target[0], enabled=True).exists():
        return 0
    subject, body = write_back_text(candidate)
    with transaction.atomic():
        write_back, created = CrmWriteBack.objects.get_or_create(
            candidate=candidate,
            state=data["to"],
            defaults={"crm": target[0], "opportunity_crm_id": target[1], "subject": subject, "body": body},
        )
        if created:
            transaction.on_commit(lambda: _queue_write_back(write_back.pk))
    return int(created)


def _queue_write_back(write_back_id: int) -> None:
    from ..tasks import crm_write_back

    enqueue(crm_write_back, write_back_id)


def write_back_retry_delay(retries_so_far: int) -> int:
    """Seconds before the next write-back attempt (exponential)."""
    return WRITE_BACK_RETRY_BASE_SECONDS * 2**retries_so_far


def write_back_attempt(*, write_back_id: int, final: bool) -> bool:
    """Push one note to the CRM. Returns whether to retry (the CRM failed and this was not the
    last attempt); the write-back shows its status, attempts and last error on the page."""
    write_back = CrmWriteBack.objects.select_related().get(pk=write_back_id)
    if write_back.status == WriteBackStatus.SUCCEEDED:
        return False
    connection = CrmConnection.objects.get(kind=write_back.crm)
    write_back.attempts += 1
    try:
        connector = connector_for(connection)
        write_back.crm_record_id = connector.push_reference_activity(
            opportunity_crm_id=write_back.opportunity_crm_id, subject=write_back.subject, body=write_back.body
        )
    except CrmError as exc:
        write_back.error = str(exc)[:500]
        write_back.status = WriteBackStatus.FAILED if final else WriteBackStatus.RETRYING
    else:
        write_back.status, write_back.error = WriteBackStatus.SUCCEEDED, ""
    write_back.save()
    return write_back.status == WriteBackStatus.RETRYING
