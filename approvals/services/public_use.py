"""The rule that no public activity goes ahead without a valid approval: which uses an activity
type needs, which of them a customer lacks on a day and channel, and the 409 that refuses it.

Where a use names or shows a person (the approval's ``person``: a quote's speaker, the face in a
video), the approval counts only while that person's consent holds too (``USE_PERSON_SCOPES``);
and a reference whose person withdrew a consent the activity needs, or left the program, is
refused (409 ``consent_withdrawn``). The logo is the company's alone."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from references.choices import CODE_CONSENT_WITHDRAWN, ConsentScope
from references.models import ActivityType, ContactConsent, Customer, ReferenceProfile
from references.services.consents import consents_withdrawn_scopes
from refprogram.errors import RuleViolation
from refprogram.i18n import day

from ..choices import (
    ACTIVITY_APPROVAL_USES,
    ACTIVITY_DEFAULT_CHANNEL,
    CODE_APPROVAL_MISSING,
    CODE_PRIVATE_ONLY,
    PRIVATE_ACTIVITY_TYPES,
    UNLISTED_PUBLIC_ACTIVITY_USES,
    ApprovalStatus,
    ApprovalUse,
    Channel,
)
from ..models import Approval, ApprovalEvent, channel_condition

# The person's consents a use needs when it names or shows them (the approval's ``person``).
# Logo and website listing are the company's: no person's consent.
USE_PERSON_SCOPES: dict[str, tuple[str, ...]] = {
    ApprovalUse.NAME: (ConsentScope.NAMED,),
    ApprovalUse.QUOTE: (ConsentScope.NAMED, ConsentScope.QUOTE),
    ApprovalUse.PRESS_RELEASE: (ConsentScope.NAMED, ConsentScope.QUOTE),
    ApprovalUse.CASE_STUDY: (ConsentScope.NAMED, ConsentScope.CASE_STUDY),
    ApprovalUse.VIDEO: (ConsentScope.NAMED, ConsentScope.PHOTO_VIDEO),
}
# Beyond those uses, what the reference's own person does in an activity.
ACTIVITY_PERSON_SCOPES: dict[str, tuple[str, ...]] = {
    "speaking": (ConsentScope.SPEAKING,),
    "media_interview": (ConsentScope.NAMED,),
}


def person_consent_q(on: date) -> Q:
    """An approval's person (if any) holds a valid consent ``on`` that day for every scope its use
    needs (``USE_PERSON_SCOPES``): the condition an approval naming a person adds to ``valid``."""
    condition = Q(person__isnull=True) | ~Q(use__in=list(USE_PERSON_SCOPES))
    for use, scopes in USE_PERSON_SCOPES.items():
        use_q = Q(use=use)
        for scope in scopes:
            use_q &= Q(
                Exists(ContactConsent.objects.valid(on).filter(contact_id=OuterRef("person_id"), scope=scope))
            )
        condition |= use_q
    return condition


def person_scopes_for_activity(activity_type: str | ActivityType) -> tuple[str, ...]:
    """The person's consent scopes a public activity needs of the reference's contact."""
    code = activity_type.code if isinstance(activity_type, ActivityType) else activity_type
    scopes = [s for use in approval_uses_for_activity(activity_type) for s in USE_PERSON_SCOPES.get(use, ())]
    return tuple(dict.fromkeys([*scopes, *ACTIVITY_PERSON_SCOPES.get(code, ())]))


def approval_uses_for_activity(activity_type: str | ActivityType) -> tuple[str, ...]:
    """The approval uses a public activity type needs (``ACTIVITY_APPROVAL_USES``); none for a
    private one."""
    if isinstance(activity_type, ActivityType):
        code, public = activity_type.code, activity_type.is_public
    else:
        code, public = activity_type, None
    if code in ACTIVITY_APPROVAL_USES:
        return ACTIVITY_APPROVAL_USES[code]
    if code in PRIVATE_ACTIVITY_TYPES:
        return ()
    if public is None:
        activity = ActivityType.objects.filter(code=code).first()
        public = bool(activity and activity.is_public)
    return UNLISTED_PUBLIC_ACTIVITY_USES if public else ()


def approvals_missing_for_activity(
    *,
    customer: Customer,
    activity_type: str | ActivityType,
    on: date | None = None,
    channel: str | None = None,
) -> list[str]:
    """The uses this activity needs that the customer has no valid approval for on ``on`` (in
    ``channel``, or the activity's usual channel), in the map's order. Empty: good to go."""
    uses = approval_uses_for_activity(activity_type)
    if not uses:
        return []
    on = on or timezone.localdate()
    code = activity_type.code if isinstance(activity_type, ActivityType) else activity_type
    channel = channel or ACTIVITY_DEFAULT_CHANNEL.get(code)
    qs = Approval.objects.valid(on).filter(customer=customer, use__in=uses).filter(person_consent_q(on))
    if channel:
        qs = qs.filter(channel_condition(channel))
    have = set(qs.values_list("use", flat=True).distinct())
    return [use for use in uses if use not in have]


def approval_require_for_activity(
    *,
    customer: Customer,
    activity_type: str | ActivityType,
    on: date | None = None,
    channel: str | None = None,
    reference: ReferenceProfile | None = None,
) -> None:
    """Refuse (409 ``approval_missing``) a public activity for a customer without a valid
    approval for every use it needs; private activities pass. With ``reference``, a profile
    marked private only is refused for any public activity (``reference_private_only``), and
    one whose person withdrew a consent the activity needs is refused (``consent_withdrawn``)."""
    if not approval_uses_for_activity(activity_type):
        return
    if reference is not None and reference.private_only:
        raise RuleViolation(
            CODE_PRIVATE_ONLY,
            _("%(customer)s's reference is private only: never for public use.")
            % {"customer": reference.customer.name},
        )
    if reference is not None:
        withdrawn = consents_withdrawn_scopes(reference.contact, on)
        needed = [s for s in person_scopes_for_activity(activity_type) if s in withdrawn]
        if needed:
            labels = dict(ConsentScope.choices)
            what = _(" and ").join(str(labels[s]).lower() for s in needed)
            raise RuleViolation(
                CODE_CONSENT_WITHDRAWN,
                _("%(name)s withdrew their consent (%(what)s).")
                % {"name": reference.contact.name, "what": what},
            )
    missing = approvals_missing_for_activity(
        customer=customer, activity_type=activity_type, on=on, channel=channel
    )
    if missing:
        code = activity_type.code if isinstance(activity_type, ActivityType) else activity_type
        channel = channel or ACTIVITY_DEFAULT_CHANNEL.get(code)
        labels = dict(ApprovalUse.choices)
        what = _(" or ").join(str(labels.get(u, u)).lower() for u in missing)
        values = {"customer": customer.name, "what": what, "date": day(on) if on else ""}
        if channel in Channel.values:
            values["channel"] = Channel(channel).label.lower()
            message = (
                _("%(customer)s has no valid %(what)s approval for the %(channel)s channel on %(date)s.")
                if on
                else _("%(customer)s has no valid %(what)s approval for the %(channel)s channel.")
            )
        else:
            message = (
                _("%(customer)s has no valid %(what)s approval on %(date)s.")
                if on
                else _("%(customer)s has no valid %(what)s approval.")
            )
        raise RuleViolation(CODE_APPROVAL_MISSING, message % values)


def approvals_follow_withdrawal(withdrawal) -> dict[str, int]:
    """A person withdrew consents (``references.services.consent_withdraw``): every approval that
    names or shows them and needs a withdrawn scope ends at once (approved → revoked; still being
    requested → declined), with a history row saying "withdrawn on …"; the content library then
    stops offering those assets. Leaving the program ends every approval that names them."""
    from .lifecycle import approval_transition

    withdrawn = set(withdrawal.scopes)
    affected_uses = [use for use, scopes in USE_PERSON_SCOPES.items() if withdrawn.intersection(scopes)]
    qs = Approval.objects.filter(
        person=withdrawal.contact,
        status__in=(ApprovalStatus.APPROVED, ApprovalStatus.REQUESTED, ApprovalStatus.IN_REVIEW),
    )
    if not withdrawal.left_program:
        qs = qs.filter(use__in=affected_uses)
    labels = dict(ConsentScope.choices)
    what = (
        "left the reference program"
        if withdrawal.left_program
        else ("withdrew their consent (" + ", ".join(labels[s].lower() for s in withdrawal.scopes) + ")")
    )
    note = f"Withdrawn on {timezone.localtime(withdrawal.at):%d %b %Y}: the person named {what}."
    revoked = declined = 0
    for approval in qs.order_by("pk"):
        to = ApprovalStatus.REVOKED if approval.status == ApprovalStatus.APPROVED else ApprovalStatus.DECLINED
        approval_transition(approval=approval, to=to, by=None, note=note, actor_label="The person named")
        if to == ApprovalStatus.REVOKED:
            revoked += 1
        else:
            declined += 1
    return {"approvals_revoked": revoked, "approval_requests_declined": declined}


def approval_files_of_person_delete(contact) -> int:
    """Erasure (``references.services.contact_erase``): the documents and asset files of the
    approvals that name or show the person are deleted from storage, and the fields cleared."""
    deleted = 0
    for approval in Approval.objects.filter(person=contact).order_by("pk"):
        changed = []
        for field, name_field, type_field in (
            ("document", "document_name", "document_type"),
            ("asset_file", "asset_file_name", "asset_file_type"),
        ):
            stored = getattr(approval, field)
            if stored:
                stored.storage.delete(stored.name)
                setattr(approval, field, "")
                setattr(approval, name_field, "")
                setattr(approval, type_field, "")
                changed += [field, name_field, type_field]
                deleted += 1
        if changed:
            approval.save(update_fields=changed)
    # Earlier versions of a replaced document stay on file through their events: those go too.
    for event in ApprovalEvent.objects.filter(approval__person=contact).exclude(file="").order_by("pk"):
        event.file.storage.delete(event.file.name)
        ApprovalEvent.objects.filter(pk=event.pk).update(file="")
        deleted += 1
    return deleted
