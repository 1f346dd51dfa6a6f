"""CRM opportunities: the one upsert that the inbound endpoint and the CRM sync both call, the
search behind the request form's opportunity box, and the deep link from the CRM's opportunity
("Find a reference") to a prefilled request form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ..choices import Crm
from ..models import Opportunity, Request

# The fields a CRM sends; the CRM owns all of them. ``industry`` and ``region`` are the
# managed lists' rows (the inbound endpoint takes their codes), resolved from the CRM account.
OPPORTUNITY_FIELDS = (
    "name",
    "amount",
    "stage",
    "close_date",
    "is_closed",
    "is_won",
    "account_name",
    "account_crm_id",
    "industry",
    "region",
    "country",
    "size_band",
    "employees",
    "owner_email",
    "opened_on",
    "modified_at",
)

SEARCH_LIMIT = 10
SEARCH_MIN_CHARS = 2
SEARCH_MAX_CHARS = 100
# The CRMs a deep link may name (``?crm=``): the ones with an opportunity layout to put it on.
DEEP_LINK_CRMS = (Crm.SALESFORCE, Crm.HUBSPOT)
_SF_ID_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


@transaction.atomic
def opportunity_upsert(*, crm: str, crm_id: str, data: dict[str, Any]) -> tuple[Opportunity, bool, bool]:
    """Create or update the opportunity ``(crm, crm_id)`` from what the CRM sent.

    Idempotent: sending the same thing twice changes nothing the second time. Fields left out keep
    their stored value. A change older than the stored one (``modified_at`` before the stored
    ``modified_at``) arrived out of order and is ignored. Returns (opportunity, created, changed).
    """
    values = {name: data[name] for name in OPPORTUNITY_FIELDS if name in data}
    opportunity = Opportunity.objects.select_for_update().filter(crm=crm, crm_id=crm_id).first()
    if opportunity is None:
        try:
            with transaction.atomic():
                opportunity = Opportunity(crm=crm, crm_id=crm_id, **values)
                opportunity.full_clean()
                opportunity.save()
            _link_waiting_requests(opportunity)
            return opportunity, True, True
        except IntegrityError:  # another call created it meanwhile: update that one
            opportunity = Opportunity.objects.select_for_update().get(crm=crm, crm_id=crm_id)
    incoming = values.get("modified_at")
    if incoming is not None and opportunity.modified_at is not None and incoming < opportunity.modified_at:
        return opportunity, False, False
    changed = [name for name, value in values.items() if getattr(opportunity, name) != value]
    if not changed:
        return opportunity, False, False
    for name in changed:
        setattr(opportunity, name, values[name])
    opportunity.full_clean()
    opportunity.save(update_fields=[*changed, "updated_at"])
    return opportunity, False, True


def _link_waiting_requests(opportunity: Opportunity) -> int:
    """Requests filed from a deep link before the opportunity was synced kept its id: link them
    now that it is here (one UPDATE). A Salesforce id kept in its 15-character form matches too."""
    ids = {opportunity.crm_id}
    if opportunity.crm == Crm.SALESFORCE and len(opportunity.crm_id) == 18:
        ids.add(opportunity.crm_id[:15])
    return Request.objects.filter(opportunity__isnull=True, opportunity_crm_id__in=ids).update(
        opportunity=opportunity
    )


def salesforce_id_18(crm_id: str) -> str:
    """A Salesforce record id in its 18-character, case-safe form (what the API returns and the
    sync stores). ``{!Opportunity.Id}`` on a page layout can give the 15-character form: the three
    extra characters encode, five letters at a time, which of them are upper case."""
    if len(crm_id) != 15 or not crm_id.isalnum():
        return crm_id
    suffix = ""
    for chunk in (crm_id[0:5], crm_id[5:10], crm_id[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        suffix += _SF_ID_SUFFIX[bits]
    return crm_id + suffix


def opportunities_search(*, user, query: str, limit: int = SEARCH_LIMIT) -> QuerySet[Opportunity]:
    """The opportunities ``user`` may see whose name or account name contains ``query``, or whose
    CRM id is ``query`` (a pasted Salesforce id in either form, a HubSpot deal id): open deals
    first, then by name. One query; nothing for fewer than two characters."""
    query = (query or "").strip()[:SEARCH_MAX_CHARS]
    if len(query) < SEARCH_MIN_CHARS:
        return Opportunity.objects.none()
    return (
        Opportunity.objects.visible_to(user)
        .filter(
            Q(name__icontains=query)
            | Q(account_name__icontains=query)
            | Q(crm_id=query)
            | Q(crm_id=salesforce_id_18(query))
        )
        .order_by("is_closed", "name", "pk")[:limit]
    )


@dataclass(frozen=True)
class DeepLink:
    """What a deep link from the CRM opened: the opportunity when it is known, else the id to keep
    (empty when the link was not usable) and what to tell the person."""

    opportunity: Opportunity | None
    crm_id: str
    message: str
    level: str  # "success", "warning" or "error"


def opportunity_from_deep_link(*, user, crm: str, crm_id: str) -> DeepLink:
    """Resolve ``/requests/new/?crm=<crm>&opportunity=<id>``. A known opportunity links and
    prefills the request; an id not synced yet is kept on the request (the CRM's automation or the
    next sync brings the opportunity, and the request links to it then); an unknown CRM name or a
    malformed id is said plainly. Never an error page."""
    crm = (crm or "").strip().lower()
    crm_id = (crm_id or "").strip()
    if crm not in DEEP_LINK_CRMS:
        names = _(" or ").join(f"crm={c}" for c in DEEP_LINK_CRMS)
        said = crm[:20] or _("none")
        message = _("This link names an unknown CRM (%(said)s): use %(names)s.") % {
            "said": said,
            "names": names,
        }
        return DeepLink(None, "", message, "error")
    label = Crm(crm).label
    max_length = Request._meta.get_field("opportunity_crm_id").max_length
    if not crm_id:
        return DeepLink(None, "", _("This %(crm)s link names no opportunity.") % {"crm": label}, "error")
    if len(crm_id) > max_length or not all(ch.isalnum() or ch in "-_" for ch in crm_id):
        message = _("This %(crm)s link's opportunity id is not a valid id.") % {"crm": label}
        return DeepLink(None, "", message, "error")
    if crm == Crm.SALESFORCE:
        crm_id = salesforce_id_18(crm_id)
    opportunity = Opportunity.objects.visible_to(user).filter(crm=crm, crm_id=crm_id).first()
    if opportunity is None:
        return DeepLink(
            None,
            crm_id,
            _(
                "%(crm)s opportunity %(id)s is not in RefProgram yet. Submit the request with the "
                "prospect's details: it keeps the id and links to the opportunity when the next sync "
                "(or the CRM's automation) brings it."
            )
            % {"crm": label, "id": crm_id},
            "warning",
        )
    return DeepLink(
        opportunity,
        crm_id,
        _("Linked to %(crm)s opportunity %(name)s: the prospect's details come from %(crm)s.")
        % {"crm": label, "name": opportunity.name},
        "success",
    )
