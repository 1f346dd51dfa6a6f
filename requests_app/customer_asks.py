"""What the request workflow says about each ask of a customer, for the ledger's "customer in
their words" page (``ledger.selectors.customer_asks``): who asked, for which prospect, what the
reference answered and what was said afterwards. Registered by ``RequestsAppConfig.ready``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from .choices import CandidateState
from .models import Candidate, Request


def ask_facts(usage_ids: Iterable[int], viewer) -> dict[int, dict]:
    """``{usage id: {"request_id", "requester", "prospect", "state", "answer", "feedback"}}`` in
    one query. The prospect and the request's own rating only for requests ``viewer`` may see
    (an account owner sees who asked their customer and what came of it, not other reps' deals)."""
    states = dict(CandidateState.choices)
    rows = (
        Candidate.objects.filter(usage_id__in=list(usage_ids))
        .annotate(
            request_visible=Exists(Request.objects.visible_to(viewer).filter(pk=OuterRef("request_id")))
        )
        .values(
            "usage_id",
            "request_id",
            "request_visible",
            "state",
            "request__requester__first_name",
            "request__requester__last_name",
            "request__requester__username",
            "request__prospect_name",
            "request__rating",
            "request__rating_comment",
            "answer_reason",
            "ask_again_after",
            "completion_notes",
            "found_useful",
            "customer_feedback",
        )
    )
    facts = {}
    for row in rows:
        name = " ".join(
            filter(None, [row["request__requester__first_name"], row["request__requester__last_name"]])
        )
        answer = []
        if row["answer_reason"]:
            answer.append(row["answer_reason"])
        if row["ask_again_after"]:
            answer.append(_("Ask again after %(date)s.") % {"date": row["ask_again_after"].isoformat()})
        feedback = []
        if row["customer_feedback"]:
            feedback.append(_("The reference: %(feedback)s") % {"feedback": row["customer_feedback"]})
        if row["completion_notes"]:
            feedback.append(_("What happened: %(notes)s") % {"notes": row["completion_notes"]})
        if row["found_useful"] is not None:
            feedback.append(
                _("The prospect found it useful.")
                if row["found_useful"]
                else _("Not useful to the prospect.")
            )
        if row["request_visible"] and row["request__rating"]:
            values = {"rating": row["request__rating"], "comment": row["request__rating_comment"]}
            feedback.append(
                _("The requester rated it %(rating)s of 5: %(comment)s") % values
                if row["request__rating_comment"]
                else _("The requester rated it %(rating)s of 5") % values
            )
        facts[row["usage_id"]] = {
            "request_id": row["request_id"] if row["request_visible"] else None,
            "requester": name or row["request__requester__username"],
            "prospect": row["request__prospect_name"] if row["request_visible"] else "",
            "state": states.get(row["state"], row["state"]),
            "answer": " ".join(answer),
            "feedback": tuple(feedback),
        }
    return facts
