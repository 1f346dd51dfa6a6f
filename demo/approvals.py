"""The demo program's public-use approvals (``manage.py seed_demo``), filed and decided through
the real approval services on the references the request seed keeps in its pool."""

from __future__ import annotations

from datetime import datetime, timedelta

from approvals import services as approval_services
from approvals.choices import ApprovalStatus, ApprovalUse, Channel
from approvals.models import Approval
from references.models import ReferenceProfile
from refprogram.i18n import in_company_language

from .vocabulary import DEMO_URL


def seed_approvals(seeder) -> None:
    """About fifteen approvals over several customers: approved logos, quotes and case
    studies (some ending within 30 days), some in customer review, requested, declined,
    and approvals past their term (the nightly check expires them)."""
    rng, today = seeder.rng, seeder.today
    taken: set[int] = set()

    def customers_for(code: str | None, k: int) -> list[ReferenceProfile]:
        """``k`` customers (one profile each) that do ``code`` publicly; without a code, any
        that allow public use, preferring customers without an approval yet."""
        found: list[ReferenceProfile] = []
        passes = [False] if code else [False, True]
        for again in passes:
            for ref in seeder.pool:
                p = ref.profile
                if len(found) == k:
                    return found
                if p.private_only or (code and code not in ref.activities) or p in found:
                    continue
                if p.customer_id in taken and not again:
                    continue
                taken.add(p.customer_id)
                found.append(p)
        return found

    def file(p: ReferenceProfile, use: str, created: datetime, **kw) -> Approval:
        seeder.clock.at(created)
        seeder.counts["approvals"] += 1
        return approval_services.approval_request(
            customer=p.customer, use=use, requested_by=seeder.users["marketing"], contact=p.contact, **kw
        )

    def decide(approval: Approval, p: ReferenceProfile, at: datetime, to: str, **kw) -> None:
        seeder.clock.at(at - timedelta(days=rng.randint(3, 12)))
        approval_services.approval_send_link(approval=approval, by=seeder.manager, base_url=DEMO_URL)
        seeder.clock.at(at)
        approval_services.approval_transition(
            approval=approval,
            to=to,
            by=seeder.manager,
            approver_name=p.contact.name if to == ApprovalStatus.APPROVED else "",
            approver_title=p.contact.title if to == ApprovalStatus.APPROVED else "",
            approver_email=p.contact.email,
            decided_at=at,
            **kw,
        )

    def ago(low: int, high: int) -> datetime:
        return seeder.now - timedelta(days=rng.randint(low, high), hours=rng.randint(0, 8))

    plan = [
        ("logo_slide", ApprovalUse.LOGO, 4, [Channel.WEBSITE, Channel.SALES_DECK]),
        ("quote", ApprovalUse.QUOTE, 3, [Channel.WEBSITE, Channel.SALES_DECK, Channel.SOCIAL]),
        ("case_study", ApprovalUse.CASE_STUDY, 2, [Channel.WEBSITE, Channel.SALES_DECK, Channel.EVENT]),
    ]
    for code, use, k, scope in plan:
        for i, p in enumerate(customers_for(code, k)):
            decided = ago(20, 150)
            # The last one of each kind ends within 30 days: the board warns about it.
            expires = today + timedelta(days=rng.randint(8, 28) if i == k - 1 else rng.randint(120, 330))
            product = next(iter(sorted(x.name for x in p.products.all())), "the platform")
            approval = file(
                p,
                use,
                decided - timedelta(days=rng.randint(10, 30)),
                scope=scope,
                title=f"{in_company_language(ApprovalUse(use).label)} of {p.customer.name}",
                quote_text=(
                    f"With {product} our team spends its time on projects, not on firefighting."
                    if use == ApprovalUse.QUOTE
                    else ""
                ),
                asset_url=f"https://assets.refprogram.example/{p.customer_id}/{use}"
                if use != ApprovalUse.QUOTE
                else "",
                expires_on=expires,
            )
            decide(approval, p, decided, ApprovalStatus.APPROVED, note="Approved as submitted.")
            seeder.approved[use].add(p.customer_id)
    # In customer review, just requested, declined, and past their term.
    for p in customers_for(None, 2):
        asked = ago(3, 12)
        approval = file(
            p, ApprovalUse.LOGO, asked, scope=[Channel.WEBSITE], title="Logo on the customers page"
        )
        seeder.clock.at(asked + timedelta(hours=rng.randint(2, 30)))
        approval_services.approval_send_link(approval=approval, by=seeder.manager, base_url=DEMO_URL)
    for p in customers_for(None, 1):
        file(p, ApprovalUse.VIDEO, ago(1, 4), scope=[Channel.WEBSITE, Channel.EVENT], title="Rollout video")
    for p in customers_for(None, 2):
        asked = ago(40, 120)
        approval = file(
            p,
            ApprovalUse.PRESS_RELEASE,
            asked,
            scope=[Channel.PRESS],
            title="Joint press release on the rollout",
        )
        decide(
            approval,
            p,
            asked + timedelta(days=14),
            ApprovalStatus.DECLINED,
            note="Our legal team does not approve press releases this year.",
        )
    for p in customers_for(None, 2):
        decided = ago(300, 400)
        ended = today - timedelta(days=rng.randint(5, 60))
        approval = file(
            p,
            ApprovalUse.LOGO,
            decided - timedelta(days=10),
            scope=[Channel.SALES_DECK],
            title="Logo in sales decks",
        )
        decide(approval, p, decided, ApprovalStatus.APPROVED, note="Approved for one year.")
        # Its term has ended since: the services refuse a date already past, so the demo's
        # history is written as the calendar would have left it.
        Approval.objects.filter(pk=approval.pk).update(expires_on=ended)


# --- Moving history into the past --------------------------------------------------------
