"""The audit log: who changed what, from what to what, and when; and who logged in or was locked out.

One list over the records the program already keeps, read in one SQL ``UNION ALL`` so that
filters, order and pages are the database's work:

- the django-simple-history tables of customers, contacts, reference profiles, holds, users, the
  overuse policy and the program's words (``accounts.Term``), and of the models of other apps that
  keep one: teams, CRM connections and webhook subscriptions (read through ``apps.get_model``:
  reporting imports neither integrations nor depends on a table being there). Who: the person logged
  in on the page or the API, the person who ran an import; no person and a reason such as
  ``holds_sync`` for a nightly check; ``SCIM provisioning`` for the identity provider. A save that
  changed nothing the log shows (a log-in's ``last_login``) is left out;
- a user's second factor set up, removed or reset (``accounts.second_factor`` writes them as
  lines of the user's history with that reason);
- approval events (status changes, edits, links sent, documents and asset files attached, with
  their file names; the customer or a nightly check as the actor when no user acted) and
  usage-ledger entries (an ask, or an override of the caps);
- django-axes' log of log-ins and of failed log-ins (a wrong password or a wrong second-factor
  code, and whether it locked the account out).

Changes are ``{field: [old, new]}``; a contact's e-mail and phone show as ``(hidden)`` to a viewer
without the contact-data capability. The page, its CSV and ``GET /api/v1/audit/`` read
:func:`audit_page` with the same :class:`AuditFilter`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from axes.models import AccessFailureLog, AccessLog
from django import forms
from django.apps import apps
from django.db import connection
from django.db.models import Model, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_m2m_reverse_field_name

from accounts import permissions as perms
from accounts.models import Term, User
from accounts.terms import word
from approvals.models import ApprovalEvent
from ledger.models import Hold, OverusePolicy, UsageEntry
from references.models import CONTACT_PII_FIELDS, Contact, Customer, ReferenceProfile

HIDDEN = "(hidden)"
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

# Object types (the ``object_type`` filter and column) whose changes django-simple-history keeps.
HISTORY_MODELS: dict[str, type[Model]] = {
    "customer": Customer,
    "contact": Contact,
    "reference": ReferenceProfile,
    "hold": Hold,
    "user": User,
    "policy": OverusePolicy,
    "term": Term,
}
# Object types of other apps' models, read when the model exists and keeps a history (by name, so
# that reporting imports neither integrations nor a model another change is still adding).
OTHER_HISTORY_MODELS: dict[str, tuple[str, str]] = {
    "team": ("accounts", "Team"),
    "crm_connection": ("integrations", "CrmConnection"),
    "webhook": ("integrations", "WebhookSubscription"),
}
OBJECT_TYPES = {
    "customer": word("customer"),  # the program's word (accounts.terms)
    "contact": _("Contact"),
    "reference": _("Reference profile"),
    "hold": _("Hold"),
    "user": _("User"),
    "policy": _("Overuse policy"),
    "term": _("The program's word"),
    "team": _("Team"),
    "crm_connection": _("CRM connection"),
    "webhook": _("Webhook subscription"),
    "approval": _("Approval"),
    "usage": _("Usage ledger entry"),
}
# Never shown as changes: bookkeeping, not something a person changed; and never a secret.
UNTRACKED = {
    "updated_at",
    "created_at",
    "search_document",
    "search_facets",
    "stale_notified_on",
    "updated_by",  # the policy's last editor: the entry's actor says it
    "cursor",  # a CRM connection's sync progress
    "last_run_at",
    "last_success_at",
    "secret",  # a webhook's signing secret
}
# The reasons ``accounts.second_factor`` gives the user's history lines (the action shown).
SECOND_FACTOR_PREFIX = "second factor "
# django-axes' failure log marks a wrong second-factor code so (accounts.second_factor.FAILURE_MARK).
SECOND_FACTOR_FAILURE_MARK = "(second factor)"
# Per object type, the fields only the contact-data capability may read.
PII = {"contact": set(CONTACT_PII_FIELDS)}


class AuditFilter(forms.Form):
    """The audit log's filters (page, CSV and API): object type and id, person, date range."""

    object_type = forms.ChoiceField(
        choices=[("", _("Any")), *OBJECT_TYPES.items()], required=False, label=_("Object type")
    )
    object_id = forms.CharField(max_length=150, required=False, label=_("Object id"))
    actor = forms.CharField(max_length=150, required=False, label=_("Person (username)"))
    since = forms.DateTimeField(
        required=False,
        label=_("Since"),
        widget=forms.DateTimeInput(attrs={"placeholder": "YYYY-MM-DD [HH:MM]"}),
    )
    until = forms.DateTimeField(
        required=False,
        label=_("Until"),
        widget=forms.DateTimeInput(attrs={"placeholder": "YYYY-MM-DD [HH:MM]"}),
    )

    def _utc(self, name: str):
        """The moment in UTC: PostgreSQL refuses offsets beyond ±15:59, Python does not."""
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        try:
            return value.astimezone(dt.UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError(_("Enter a date between the years 1 and 9999.")) from exc

    def clean_since(self):
        return self._utc("since")

    def clean_until(self):
        return self._utc("until")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "Must not be before since.")
        return data


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    actor: str  # a username; who acted when no user did (the customer, a nightly check); or "system"
    reason: str  # the import, sync or nightly check that made the change, when it says
    action: str
    object_type: str
    object_id: str
    changes: dict[str, list[Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "reason": self.reason,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "changes": self.changes,
        }


@dataclass(frozen=True)
class AuditPage:
    count: int
    entries: list[AuditEntry]


# --- The one list, in SQL ---------------------------------------------------------------------


def _history_table(model: type[Model]) -> type[Model]:
    return model.history.model


def _has_history(model: type[Model]) -> bool:
    return bool(getattr(model._meta, "simple_history_manager_attribute", None))


def _other_model(object_type: str) -> type[Model] | None:
    """Another app's model by name, or None while it does not exist (yet)."""
    try:
        return apps.get_model(*OTHER_HISTORY_MODELS[object_type])
    except LookupError:
        return None


def history_models() -> dict[str, type[Model]]:
    """Every object type whose changes a django-simple-history table keeps, today."""
    found = dict(HISTORY_MODELS)
    for object_type in OTHER_HISTORY_MODELS:
        model = _other_model(object_type)
        if model is not None and _has_history(model):
            found[object_type] = model
    return found


def _tracked(history_model: type[Model]) -> list:
    """The fields of a history row that record the object (not the history bookkeeping)."""
    return [
        f
        for f in history_model._meta.concrete_fields
        if not f.name.startswith("history_") and f.name not in UNTRACKED and f.name != "id"
    ]


def _m2m(history_model: type[Model]) -> list[tuple[str, type[Model], str]]:
    """The many-to-many fields a history keeps (a team's members, a profile's products): per
    field, its name, the history table of its links and the column naming the linked object."""
    found = []
    for field in getattr(history_model, "_history_m2m_fields", None) or []:
        links = getattr(history_model, field.name).model
        found.append((field.name, links, links._meta.get_field(get_m2m_reverse_field_name(field)).attname))
    return found


def _history_sql(object_type: str, model: type[Model]) -> str:
    q = connection.ops.quote_name
    history = _history_table(model)
    table = q(history._meta.db_table)
    columns = [q(f.column) for f in _tracked(history)]
    mine = ", ".join(f"h.{c}" for c in columns)
    theirs = ", ".join(f"p.{c}" for c in columns)
    # The linked objects as they were at each of the two rows: the same, or a change worth a line.
    same_links = "".join(
        f" AND ARRAY(SELECT m.{q(column)} FROM {q(links._meta.db_table)} m WHERE m.history_id = p.history_id"
        f" ORDER BY 1) = ARRAY(SELECT m.{q(column)} FROM {q(links._meta.db_table)} m"
        f" WHERE m.history_id = h.history_id ORDER BY 1)"
        for _, links, column in _m2m(history)
    )
    # A change row whose recorded fields equal the previous row's changed nothing worth a line,
    # unless its reason is a second-factor event (set up, removed, reset: "<event>: <who ran it>").
    reason = "COALESCE(h.history_change_reason, '')"
    event = f"{reason} LIKE '{SECOND_FACTOR_PREFIX}%%'"
    return f"""
        SELECT h.history_date AS at, h.history_user_id AS actor_id, '' AS actor_label,
               CASE WHEN {event} THEN split_part({reason}, ':', 1)
                    WHEN h.history_type = '+' THEN 'created' WHEN h.history_type = '-' THEN 'deleted'
                    ELSE 'changed' END AS action,
               '{object_type}' AS object_type, h.id::text AS object_id, '{object_type}' AS source,
               h.history_id::bigint AS row_id,
               CASE WHEN {event} THEN btrim(substr({reason}, length(split_part({reason}, ':', 1)) + 2))
                    ELSE {reason} END AS reason
        FROM {table} h
        WHERE h.history_type <> '~' OR {event} OR NOT EXISTS (
            SELECT 1 FROM (
                SELECT * FROM {table} q
                WHERE q.id = h.id AND (q.history_date, q.history_id) < (h.history_date, h.history_id)
                ORDER BY q.history_date DESC, q.history_id DESC LIMIT 1
            ) p WHERE ROW({theirs}) IS NOT DISTINCT FROM ROW({mine}){same_links}
        )"""


# The columns every part of the log gives, in order (a part's own column names may differ).
COLUMNS = "at, actor_id, actor_label, action, object_type, object_id, source, row_id, reason"


def _union_parts() -> list[str]:
    q = connection.ops.quote_name
    parts = [_history_sql(object_type, model) for object_type, model in history_models().items()]
    users = q(User._meta.db_table)
    parts += [
        f"""
        SELECT e.created_at, e.actor_id, e.actor_label, 'approval ' || e.kind, 'approval',
               e.approval_id::text, 'approval_event', e.id::bigint, ''
        FROM {q(ApprovalEvent._meta.db_table)} e""",
        f"""
        SELECT u.created_at, u.asked_by_id, '', CASE WHEN u.override THEN 'override' ELSE 'asked' END,
               'usage', u.id::text, 'usage', u.id::bigint, u.override_reason
        FROM {q(UsageEntry._meta.db_table)} u""",
        f"""
        SELECT a.attempt_time, usr.id, a.username, 'logged in', 'user',
               COALESCE(usr.id::text, a.username), 'login', a.id::bigint, ''
        FROM {q(AccessLog._meta.db_table)} a LEFT JOIN {users} usr ON usr.username = a.username""",
        f"""
        SELECT f.attempt_time, usr.id, f.username,
               CASE WHEN f.locked_out THEN 'locked out'
                    WHEN f.path_info LIKE '%%{SECOND_FACTOR_FAILURE_MARK}' THEN 'second factor failed'
                    ELSE 'log-in failed' END, 'user',
               COALESCE(usr.id::text, f.username), 'login_failure', f.id::bigint, ''
        FROM {q(AccessFailureLog._meta.db_table)} f LEFT JOIN {users} usr ON usr.username = f.username""",
    ]
    return parts


def _where(filters: dict) -> tuple[str, list]:
    clauses, params = [], []
    if filters.get("object_type"):
        clauses.append("s.object_type = %s")
        params.append(filters["object_type"])
    if filters.get("object_id"):
        clauses.append("s.object_id = %s")
        params.append(str(filters["object_id"]).strip())
    if filters.get("actor"):
        actor = filters["actor"].strip()
        if actor.lower() == "system":
            clauses.append("s.actor_id IS NULL")
        else:
            clauses.append(
                "(lower(u.username) = lower(%s) OR (s.actor_id IS NULL AND lower(s.actor_label) = lower(%s)))"
            )
            params += [actor, actor]
    if filters.get("since"):
        clauses.append("s.at >= %s")
        params.append(filters["since"])
    if filters.get("until"):
        clauses.append("s.at <= %s")
        params.append(filters["until"])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


# --- Reading a page ---------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):  # array fields (a team's scope, a webhook's events)
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _history_changes(object_type: str, ids: list[int]) -> dict[int, dict[str, list]]:
    """``{history_id: {field: [old, new]}}`` for these rows of one history table: two queries."""
    history = _history_table(history_models()[object_type])
    fields = _tracked(history)
    previous = history.objects.filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")),
        id=OuterRef("id"),
    )
    rows = list(
        history.objects.filter(history_id__in=ids).annotate(
            previous_id=Subquery(previous.order_by("-history_date", "-history_id").values("history_id")[:1])
        )
    )
    before = {r.history_id: r for r in history.objects.filter(history_id__in=[r.previous_id for r in rows])}
    # The linked objects (ids, sorted) at each row and its previous one: one query per m2m field.
    linked: dict[str, dict[int, list]] = {}
    for name, links, column in _m2m(history):
        at: dict[int, list] = {}
        pairs = links.objects.filter(history_id__in=[*ids, *before]).values_list("history_id", column)
        for history_id, target in pairs.order_by(column):
            at.setdefault(history_id, []).append(target)
        linked[name] = at
    changes: dict[int, dict[str, list]] = {}
    for row in rows:
        old = before.get(row.previous_id) if row.history_type != "+" else None
        diff: dict[str, list] = {}
        if row.history_type != "-":
            for field in fields:
                new_value = getattr(row, field.attname)
                old_value = getattr(old, field.attname) if old is not None else None
                if old is None and new_value in (None, ""):
                    continue
                if old is None or old_value != new_value:
                    diff[field.name] = [_plain(old_value), _plain(new_value)]
            for name, at in linked.items():
                new_links = at.get(row.history_id, [])
                old_links = at.get(old.history_id, []) if old is not None else None
                if old is None and not new_links:
                    continue
                if old_links != new_links:
                    diff[name] = [old_links, new_links]
        changes[row.history_id] = diff
    return changes


def _approval_changes(ids: list[int]) -> dict[int, dict[str, list]]:
    changes: dict[int, dict[str, list]] = {}
    files = {ApprovalEvent.Kind.DOCUMENT: "document", ApprovalEvent.Kind.ASSET: "asset_file"}
    for event in ApprovalEvent.objects.filter(id__in=ids):
        diff = {k: list(v) for k, v in (event.changes or {}).items() if isinstance(v, list | tuple)}
        if event.from_status != event.to_status:
            diff["status"] = [event.from_status or None, event.to_status or None]
        if event.kind in files and event.note:  # the file's name as uploaded
            diff.setdefault(files[event.kind], [None, event.note])
        changes[event.pk] = diff
    return changes


def _usage_changes(ids: list[int]) -> dict[int, dict[str, list]]:
    rows = UsageEntry.objects.filter(id__in=ids).values(
        "id", "reference_id", "activity_type__code", "points", "status", "occurred_on", "request_ref"
    )
    return {
        row["id"]: {
            "reference": [None, row["reference_id"]],
            "activity_type": [None, row["activity_type__code"]],
            "points": [None, row["points"]],
            "status": [None, row["status"]],
            "occurred_on": [None, _plain(row["occurred_on"])],
            **({"request": [None, row["request_ref"]]} if row["request_ref"] else {}),
        }
        for row in rows
    }


def _mask(object_type: str, changes: dict[str, list], can_see_pii: bool) -> dict[str, list]:
    hidden = PII.get(object_type, set())
    if can_see_pii or not hidden:
        return changes
    return {
        f: ([HIDDEN if v not in (None, "") else v for v in pair] if f in hidden else pair)
        for f, pair in changes.items()
    }


def audit_page(*, viewer: User, filters: dict, offset: int = 0, limit: int = PAGE_SIZE) -> AuditPage:
    """One page of the audit log, newest first, for ``filters`` (an :class:`AuditFilter`'s
    cleaned data). A fixed number of queries: the count, the page, and two per kind of record on it."""
    where, params = _where(filters)
    users = connection.ops.quote_name(User._meta.db_table)
    parts = _union_parts()

    def filtered(part: str) -> str:
        return f"FROM ({part}) AS s({COLUMNS}) LEFT JOIN {users} u ON u.id = s.actor_id{where}"

    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f"SELECT count(*) {filtered(part)}" for part in parts), params * len(parts)
        )
        count = sum(n for (n,) in cursor.fetchall())
        if not count or limit <= 0:
            return AuditPage(count=count, entries=[])
        # Each part's own newest ``offset + limit`` first (a part of a million ledger rows is not
        # sorted whole for a page of fifty), then the page from those.
        selected = "s.at, u.username, " + ", ".join(f"s.{c}" for c in COLUMNS.split(", ")[2:])
        newest = " UNION ALL ".join(
            f"(SELECT {selected} {filtered(part)} ORDER BY s.at DESC, s.row_id DESC LIMIT %s)"
            for part in parts
        )
        cursor.execute(
            f"SELECT * FROM ({newest}) p ORDER BY p.at DESC, p.source, p.row_id DESC LIMIT %s OFFSET %s",
            [*[value for _ in parts for value in (*params, offset + limit)], limit, offset],
        )
        rows = cursor.fetchall()
    by_source: dict[str, list[int]] = {}
    for row in rows:
        by_source.setdefault(row[6], []).append(row[7])
    changes: dict[tuple[str, int], dict] = {}
    with_history = history_models()
    for source, ids in by_source.items():
        if source in with_history:
            found = _history_changes(source, ids)
        elif source == "approval_event":
            found = _approval_changes(ids)
        elif source == "usage":
            found = _usage_changes(ids)
        else:
            found = {}
        changes.update({(source, key): value for key, value in found.items()})
    can_see_pii = perms.has_capability(viewer, perms.VIEW_CONTACT_PII)
    entries = [
        AuditEntry(
            at=timezone.localtime(at),
            actor=username or label or "system",
            reason=reason,
            action=action,
            object_type=object_type,
            object_id=object_id,
            changes=_mask(object_type, changes.get((source, row_id), {}), can_see_pii),
        )
        for at, username, label, action, object_type, object_id, source, row_id, reason in rows
    ]
    return AuditPage(count=count, entries=entries)


CSV_COLUMNS = ["at", "actor", "reason", "action", "object_type", "object_id", "changes"]


def csv_row(entry: AuditEntry) -> list:
    """One entry as a CSV row (the changes as ``field: old → new`` lines)."""
    changes = "\n".join(f"{field}: {old} → {new}" for field, (old, new) in entry.changes.items())
    return [
        entry.at.isoformat(),
        entry.actor,
        entry.reason,
        entry.action,
        entry.object_type,
        entry.object_id,
        changes,
    ]
