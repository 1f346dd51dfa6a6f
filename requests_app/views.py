"""Pages: the intake form, my requests, the triage queue and the request page (matches with
explanations, one-click propose and the candidate timeline, live through htmx)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from accounts.teams import require_in_scope, team_scope, within_edit_scope
from ledger.models import OverusePolicy
from references.models import ReferenceProfile
from refprogram import links
from refprogram.errors import RuleViolation
from refprogram.facets import facet_response
from refprogram.views import add_service_errors, capability_required, paginate, safe_next_url

from . import candidate_forms, matching, services
from .choices import CandidateLinkPurpose, CandidateState, CriterionField, RequestStatus
from .criteria import criteria_in_words
from .deals import request_deal
from .filters import RequestFilter, queue_facets
from .forms import (
    OutcomeForm,
    RateForm,
    ReasonForm,
    RequestForm,
    initial_from_catalog,
    initial_from_opportunity,
)
from .models import Candidate, CandidateEvent, CandidateFeedback, Opportunity, Request
from .services.feedback import FEEDBACK_PURPOSES
from .services.feedback import candidate_feedback_give as feedback_give
from .services.opportunities import opportunities_search, opportunity_from_deep_link

PAGE_SIZE = 25


def _visible(user, pk: int) -> Request:
    return get_object_or_404(
        Request.objects.visible_to(user).select_related(
            "requester", "assignee", "activity_type", "opportunity"
        ),
        pk=pk,
    )


def _actionable(user, pk: int) -> Request:
    """A request the user may see and change: outside their teams' scope, when a team of theirs
    edits only inside it, a 403 (``accounts.teams``)."""
    obj = _visible(user, pk)
    require_in_scope(user, obj)
    return obj


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def _form_context(form: RequestForm, user, **extra) -> dict:
    return {
        "form": form,
        "opportunity": form.linked_opportunity,
        "show_opportunity_amounts": Opportunity.amount_visible_to(user),
        "criterion_fields": form.criterion_fields,
        "rows": form.criteria_rows,
        "lead_times": {a.code: a.lead_time_days for a in form.fields["activity_type"].queryset},
        **extra,
    }


@capability_required(perms.SUBMIT_REQUESTS)
def request_new(request):
    """Intake: submit a request (prefilled from the catalog's query string, or from a CRM
    opportunity: ``?crm=salesforce|hubspot&opportunity=<id>``, the "Find a reference" link)."""
    deep_link = None
    if request.method == "POST":
        form = RequestForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                obj, _warnings = services.request_submit(requester=request.user, data=form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                # The lead-time warning is not repeated as a message: the request page shows it
                # (``lead_warning``) for as long as the request is open.
                messages.success(
                    request,
                    _("Request #%(number)s submitted. You can follow its status here.") % {"number": obj.pk},
                )
                return redirect("requests:detail", pk=obj.pk)
    else:
        initial, rows = initial_from_catalog(request.GET)
        if "crm" in request.GET or "opportunity" in request.GET:
            deep_link = opportunity_from_deep_link(
                user=request.user, crm=request.GET.get("crm", ""), crm_id=request.GET.get("opportunity", "")
            )
            if deep_link.opportunity is not None:
                initial.update(initial_from_opportunity(deep_link.opportunity))
            elif deep_link.crm_id:
                initial["opportunity_crm_id"] = deep_link.crm_id
        form = RequestForm(initial=initial, user=request.user)
        form.criteria_rows = rows
    return render(
        request,
        "requests_app/request_form.html",
        _form_context(form, request.user, title=_("New request"), deep_link=deep_link),
    )


@login_required
def request_edit(request, pk: int):
    obj = _actionable(request.user, pk)
    if not services.can_edit(request.user, obj):
        raise PermissionDenied
    if request.method == "POST":
        form = RequestForm(request.POST, instance=Request.objects.get(pk=obj.pk), user=request.user)
        if form.is_valid():
            try:
                obj, _warnings = services.request_update(
                    request=obj, actor=request.user, data=form.service_data()
                )
            except (ValidationError, RuleViolation) as exc:
                add_service_errors(form, exc)
            else:
                # The request page shows the lead-time warning.
                messages.success(request, _("Request updated."))
                return redirect("requests:detail", pk=obj.pk)
    else:
        form = RequestForm(
            instance=obj,
            initial={
                "activity_type": obj.activity_type_id,
                "prospect_industry": obj.prospect_industry_id,
                "prospect_region": obj.prospect_region_id,
                "products": [p.name for p in obj.products.all()],
                "needed_by": timezone.localtime(obj.needed_by).strftime("%Y-%m-%dT%H:%M"),
                "opportunity": obj.opportunity,
            },
            user=request.user,
        )
    return render(
        request,
        "requests_app/request_form.html",
        _form_context(
            form, request.user, title=_("Change request #%(number)s") % {"number": obj.pk}, obj=obj
        ),
    )


@capability_required(perms.SUBMIT_REQUESTS)
def opportunity_search_view(request):
    """The request form's opportunity box (htmx): the opportunities whose name, account or CRM
    id matches what was typed (``?opportunity_q=``), each with a button that links it."""
    query = request.GET.get("opportunity_q", "")
    found = list(opportunities_search(user=request.user, query=query))
    return render(
        request,
        "requests_app/_opportunity_results.html",
        {
            "found": found,
            "query": query.strip(),
            "show_opportunity_amounts": Opportunity.amount_visible_to(request.user),
        },
    )


@capability_required(perms.SUBMIT_REQUESTS)
def opportunity_pick_view(request):
    """The linked opportunity's card on the request form (htmx): ``?opportunity=<id>`` links one
    (the card carries the form's hidden input), nothing unlinks."""
    value = request.GET.get("opportunity", "")
    opportunity = (
        Opportunity.objects.visible_to(request.user).filter(pk=value).first()
        if value.isdigit() and len(value) <= 18
        else None
    )
    return render(
        request,
        "requests_app/_opportunity_linked.html",
        {
            "opportunity": opportunity,
            "show_opportunity_amounts": Opportunity.amount_visible_to(request.user),
        },
    )


def _list_qs(user):
    return Request.objects.visible_to(user).select_related("requester", "assignee", "activity_type")


@capability_required(perms.VIEW_REQUESTS)
def request_mine(request):
    """The requests I made, newest first, with their status."""
    qs = _list_qs(request.user).filter(requester=request.user)
    filterset = RequestFilter(request.GET, queryset=qs, request=request)
    page = paginate(request, filterset.qs.order_by("-created_at", "-id"), PAGE_SIZE)
    now = timezone.now()
    rows = [(r, r.urgency(now)) for r in page]
    return render(
        request,
        "requests_app/request_mine.html",
        {"filter": filterset, "page": page, "rows": rows, **queue_facets(filterset, request.user)},
    )


@capability_required(perms.TRIAGE_REQUESTS)
def request_queue(request):
    """The triage queue: open requests, most urgent first (time left against lead time)."""
    params = request.GET.copy()
    if not any(params.get(k) for k in ("status", "open")):
        params["open"] = "true"
    scope = team_scope(request)  # a manager's teams first, "All" one click away
    filterset = RequestFilter(params, queryset=scope.apply(_list_qs(request.user)), request=request)
    page = paginate(request, filterset.qs.by_urgency(), PAGE_SIZE)
    now = timezone.now()
    rows = [(r, r.urgency(now)) for r in page]
    query = params.copy()
    query.pop("page", None)
    return facet_response(
        request,
        "requests_app/request_queue.html",
        "requests_app/_queue_body.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "team_scope": scope,
            **queue_facets(filterset, request.user),
        },
    )


@login_required
@require_POST
@capability_required(perms.TRIAGE_REQUESTS)
def request_bulk_assign(request):
    ids = [int(i) for i in request.POST.getlist("requests") if i.isdigit()]
    if not ids:
        messages.error(request, _("Tick at least one request to assign."))
        return redirect("requests:queue")
    # Outside the manager's teams' scope (when their team edits only inside it): skipped.
    visible = Request.objects.visible_to(request.user).filter(pk__in=ids)
    chosen = list(within_edit_scope(request.user, visible))
    changed = services.request_assign(requests=chosen, assignee=request.user, actor=request.user)
    messages.success(
        request,
        ngettext("%(count)s request(s) assigned to you.", "%(count)s request(s) assigned to you.", changed)
        % {"count": changed},
    )
    return redirect(safe_next_url(request, reverse("requests:queue")))


@login_required
@require_POST
@capability_required(perms.TRIAGE_REQUESTS)
def request_assign_me(request, pk: int):
    obj = _actionable(request.user, pk)
    try:
        services.request_assign(requests=[obj], assignee=request.user, actor=request.user)
        messages.success(request, _("Request #%(number)s is assigned to you.") % {"number": obj.pk})
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect(safe_next_url(request, reverse("requests:detail", args=[obj.pk])))


def _candidates(obj: Request):
    return list(
        Candidate.objects.filter(request=obj)
        .select_related("request", "reference__customer", "reference__contact", "usage")
        .prefetch_related(
            Prefetch("events", queryset=CandidateEvent.objects.select_related("actor")),
            Prefetch("feedback", queryset=CandidateFeedback.objects.order_by("side")),
        )
    )


def _workbench_context(request, obj: Request, *, error: str = "") -> dict:
    """What the live part of the request page shows: candidates, and for managers the matches."""
    ctx = {"obj": obj, "candidates": _candidates(obj), "workbench_error": error, "can_triage": False}
    if perms.has_capability(request.user, perms.TRIAGE_REQUESTS):
        policy = OverusePolicy.current()
        today = timezone.localdate()
        found = matching.matches_for_request(obj, today=today, policy=policy)
        supply = matching.supply_for_request(
            obj, today=today, policy=policy, matches=found, user=request.user
        )
        proposed = {c.reference_id for c in ctx["candidates"] if c.state not in ("withdrawn", "declined")}
        ctx.update(
            can_triage=True,
            matches=found,
            supply=supply,
            proposed=proposed,
            weights=matching.WEIGHTS_DOC,
        )
    return ctx


@login_required
def request_detail(request, pk: int, outcome_form: OutcomeForm | None = None):
    """A request: its facts and status, candidates with their timeline, and — for managers —
    ranked matches with explanations and one-click propose."""
    obj = _visible(request.user, pk)
    is_requester = obj.requester_id == request.user.pk
    ctx = _workbench_context(request, obj)
    ctx.update(
        urgency=obj.urgency(),
        lead_warning=services.lead_time_warning(obj) if obj.is_open else "",
        criteria_labels=dict(CriterionField.choices),
        criteria_words=criteria_in_words(obj.must, obj.nice),
        events=obj.events.select_related("actor"),
        products=list(obj.products.all()),
        can_edit=services.can_edit(request.user, obj),
        show_amounts=obj.amounts_visible_to(request.user),
        deal=request_deal(obj),
        can_cancel=obj.is_open and (is_requester or ctx["can_triage"]),
        # A linked request's won or lost comes from the CRM: no outcome form.
        can_outcome=services.can_report_outcome(request.user, obj)
        and obj.status != RequestStatus.CANCELLED
        and obj.opportunity_id is None,
        can_rate=is_requester
        and obj.rating is None
        and any(c.state == CandidateState.COMPLETED for c in ctx["candidates"]),
        reason_form=ReasonForm(),
        # Nothing preselected: a reported outcome shows what was reported, else the form is empty.
        outcome_form=outcome_form
        or OutcomeForm(initial={"result": obj.outcome_result or None, "amount": obj.outcome_amount}),
        rate_form=RateForm(),
    )
    return render(request, "requests_app/request_detail.html", ctx)


def _workbench_act(request, obj: Request, act, *, success: str):
    """Run one service call of the workbench: its refusal (a rule, or bad input) or its success
    said in place."""
    try:
        act()
    except RuleViolation as exc:
        return _workbench_response(request, obj, error=exc.message)
    except ValidationError as exc:
        return _workbench_response(request, obj, error=_error_text(exc))
    return _workbench_response(request, obj, success=success)


def _workbench_response(request, obj: Request, *, error: str = "", success: str = ""):
    """htmx: re-render the live part in place; a plain POST: back to the page with a message."""
    if request.htmx:
        obj.refresh_from_db()
        ctx = _workbench_context(request, obj, error=error)
        ctx["workbench_success"] = success
        return render(request, "requests_app/_workbench.html", ctx)
    if error:
        messages.error(request, error)
    elif success:
        messages.success(request, success)
    return redirect("requests:detail", pk=obj.pk)


@login_required
@require_POST
@capability_required(perms.TRIAGE_REQUESTS)
def candidate_propose_view(request, pk: int):
    obj = _actionable(request.user, pk)
    ref_id = request.POST.get("reference", "")
    reference = (
        ReferenceProfile.objects.visible_to(request.user)
        .select_related("customer", "contact")
        .filter(pk=ref_id)
        .first()
        if ref_id.isdigit() and len(ref_id) <= 18  # a row id, never beyond a 64-bit integer
        else None
    )
    if reference is None:
        return _workbench_response(request, obj, error=_("That reference does not exist."))
    try:
        services.candidate_propose(
            request=obj,
            reference=reference,
            actor=request.user,
            override_reason=request.POST.get("override_reason", ""),
            base_url=request.build_absolute_uri("/"),
        )
    except RuleViolation as exc:
        return _workbench_response(
            request, obj, error=_("Not proposed: %(reason)s") % {"reason": exc.message}
        )
    except ValidationError as exc:
        return _workbench_response(request, obj, error=_error_text(exc))
    return _workbench_response(
        request,
        obj,
        success=_("%(customer)s proposed; capacity reserved.") % {"customer": reference.customer.name},
    )


@login_required
@require_POST
@capability_required(perms.TRIAGE_REQUESTS)
def candidate_transition_view(request, pk: int):
    """One move of a candidate from its row on the request page: scheduling carries the meeting
    (start, minutes, where), completing what happened; the service holds the rules. On htmx a
    refused move re-renders the workbench with the message and the values typed."""
    candidate = get_object_or_404(Candidate.objects.visible_to(request.user).select_related("request"), pk=pk)
    require_in_scope(request.user, candidate)
    obj = candidate.request
    to = request.POST.get("to", "")
    form = candidate_forms.form_for(to, request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({name: list(errs) for name, errs in form.errors.items()})
        services.candidate_transition(
            candidate=candidate,
            to=to,
            actor=request.user,
            deal_shared=to == CandidateState.ASKED and request.POST.get("deal_shared") == "on",
            base_url=request.build_absolute_uri("/"),
            **form.service_kwargs(),
        )
    except RuleViolation as exc:
        return _workbench_response(request, obj, error=exc.message)
    except ValidationError as exc:
        return _candidate_refused(request, obj, candidate=candidate, to=to, exc=exc)
    if request.htmx:
        obj.refresh_from_db()
        if not obj.is_open:
            # The request itself changed (fulfilled): reload the whole page to show it.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            messages.success(
                request,
                _("Request #%(number)s is %(status)s.")
                % {"number": obj.pk, "status": obj.get_status_display().lower()},
            )
            return response
    # ``candidate`` is the row as it was before the move (the service moved its own copy).
    if to == CandidateState.SCHEDULED == candidate.state:
        done = _("Meeting rescheduled. Updated calendar invitations sent.")
    else:
        state = CandidateState(to).label.lower()
        if to == CandidateState.SCHEDULED:
            done = _("Candidate moved to %(state)s. Calendar invitations sent.") % {"state": state}
        else:
            done = _("Candidate moved to %(state)s.") % {"state": state}
    return _workbench_response(request, obj, success=done)


_FIELD_LABELS = {
    "scheduled_for": gettext_lazy("Starts"),
    "duration_minutes": gettext_lazy("Minutes"),
    "meeting_details": gettext_lazy("Where"),
    "completion_notes": gettext_lazy("What happened"),
    "found_useful": gettext_lazy("Useful"),
    "to": gettext_lazy("Move"),
}


def _candidate_refused(request, obj: Request, *, candidate: Candidate, to: str, exc: ValidationError):
    """A move refused for its fields: the message names them; on htmx the row's form comes back
    open with what was typed and each field's error."""
    if hasattr(exc, "error_dict"):
        errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        text = "; ".join(f"{_FIELD_LABELS.get(k, k)}: {v}" for k, v in errors.items())
    else:
        errors, text = {}, " ".join(exc.messages)
    if not request.htmx:
        messages.error(request, text)
        return redirect("requests:detail", pk=obj.pk)
    obj.refresh_from_db()
    ctx = _workbench_context(request, obj, error=text)
    ctx["refused"] = {"candidate": candidate.pk, "to": to, "data": request.POST, "errors": errors}
    return render(request, "requests_app/_workbench.html", ctx)


def _reason_action(request, pk: int, service, done: str):
    obj = _actionable(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return redirect("requests:detail", pk=obj.pk)
    try:
        service(request=obj, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, done)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect("requests:detail", pk=obj.pk)


@login_required
@require_POST
def request_cancel_view(request, pk: int):
    return _reason_action(request, pk, services.request_cancel, _("Request cancelled."))


@login_required
@require_POST
@capability_required(perms.TRIAGE_REQUESTS)
def request_close_view(request, pk: int):
    return _reason_action(request, pk, services.request_close_unfulfilled, _("Request closed unfulfilled."))


@login_required
@require_POST
def request_outcome_view(request, pk: int):
    obj = _visible(request.user, pk)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.request_outcome(
                request=obj,
                actor=request.user,
                result=form.cleaned_data["result"],
                amount=form.cleaned_data["amount"],
            )
        except RuleViolation as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Outcome recorded. Thank you."))
    if form.errors:
        messages.error(request, _("The outcome was not recorded."))
        return request_detail(request, obj.pk, outcome_form=form)
    return redirect("requests:detail", pk=obj.pk)


@login_required
@require_POST
def request_rate_view(request, pk: int):
    obj = _visible(request.user, pk)
    form = RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Rate from 1 to 5."))
        return redirect("requests:detail", pk=obj.pk)
    try:
        services.request_rate(
            request=obj,
            actor=request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Thank you for rating the reference experience."))
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect("requests:detail", pk=obj.pk)


# --- Answers: the account owner's consent, the requester's pick of a time --------------------


@login_required
@require_POST
def candidate_owner_view(request, pk: int):
    """The account owner consents to (or declines, with a reason) their customer being asked."""
    candidate = get_object_or_404(Candidate.objects.visible_to(request.user).select_related("request"), pk=pk)
    form = candidate_forms.OwnerDecisionForm(request.POST)
    if not form.is_valid():
        return _workbench_response(request, candidate.request, error=_("Choose consent or decline."))
    consent = form.cleaned_data["decision"] == "consent"
    done = (
        _("Thank you: your consent is recorded.") if consent else _("Declined: the candidate is withdrawn.")
    )
    return _workbench_act(
        request,
        candidate.request,
        lambda: services.candidate_owner_decide(
            candidate=candidate, actor=request.user, consent=consent, reason=form.cleaned_data["reason"]
        ),
        success=done,
    )


@login_required
@require_POST
def candidate_pick_view(request, pk: int):
    """The requester picks one of the times the reference offered: scheduled, invitations sent."""
    candidate = get_object_or_404(Candidate.objects.visible_to(request.user).select_related("request"), pk=pk)
    form = candidate_forms.SlotPickForm(request.POST)
    if not form.is_valid():
        return _workbench_response(
            request, candidate.request, error=_error_text(ValidationError(form.errors))
        )
    return _workbench_act(
        request,
        candidate.request,
        lambda: services.candidate_slot_pick(
            candidate=candidate,
            actor=request.user,
            slot=form.cleaned_data["slot"],
            meeting_details=form.cleaned_data["meeting_details"],
        ),
        success=_("Time picked. Calendar invitations sent."),
    )


# --- The private link pages (no log-in) -------------------------------------------------------


def _link_render(request, template: str, ctx: dict, status: int = 200) -> HttpResponse:
    return links.link_headers(render(request, template, ctx, status=status))


def _link_invalid(request, exc: links.LinkInvalid) -> HttpResponse:
    return _link_render(request, "requests_app/link_invalid.html", {"message": exc.message}, exc.status)


@never_cache
def candidate_link_page(request, token: str):
    """A private link's page: the account owner's consent, or the reference's answer to an ask
    (what is asked, never anyone else's details). A GET shows; only a POST decides."""
    try:
        link = services.candidate_link_get(token=token)
    except links.LinkInvalid as exc:
        return _link_invalid(request, exc)
    with translation.override(services.candidate_link_language(link)):
        return _candidate_link_answer(request, token, link)


def _candidate_link_answer(request, token: str, link) -> HttpResponse:
    """The link's page in the language of the person it was sent to."""
    candidate = link.candidate
    owner = link.purpose == CandidateLinkPurpose.OWNER
    data = request.POST if request.method == "POST" else None
    if link.purpose in FEEDBACK_PURPOSES:
        return _feedback_page(request, token, link, data)
    form_class = candidate_forms.OwnerDecisionForm if owner else candidate_forms.AskAnswerForm
    form = form_class(data)
    if request.method == "POST" and form.is_valid():
        try:
            if owner:
                candidate = services.candidate_owner_decide_by_link(
                    token=token,
                    consent=form.cleaned_data["decision"] == "consent",
                    reason=form.cleaned_data["reason"],
                )
            else:
                candidate = services.candidate_ask_answer(token=token, **form.service_kwargs())
        except links.LinkInvalid as exc:
            return _link_invalid(request, exc)
        except RuleViolation:
            return _link_invalid(request, links.LinkInvalid("withdrawn"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _link_render(
                request, "requests_app/link_done.html", {"candidate": candidate, "owner": owner}
            )
    ctx = {"form": form, "link": link, "candidate": candidate}
    if owner:
        template = "requests_app/link_owner.html"
    else:
        template = "requests_app/link_ask.html"
        ctx["ask"] = services.ask_summary(candidate)
    return _link_render(request, template, ctx, status=400 if request.method == "POST" else 200)


def _feedback_page(request, token: str, link, data) -> HttpResponse:
    """The feedback link's page: a few questions about the activity, nothing else."""
    reference = link.purpose == CandidateLinkPurpose.FEEDBACK_REFERENCE
    form = candidate_forms.FeedbackForm(data, reference=reference)
    if data is not None and form.is_valid():
        try:
            feedback_give(token=token, **form.service_kwargs())
        except links.LinkInvalid as exc:
            return _link_invalid(request, exc)
        except RuleViolation:
            return _link_invalid(request, links.LinkInvalid("withdrawn"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _link_render(request, "requests_app/link_done.html", {"feedback": True})
    ctx = {"form": form, "candidate": link.candidate, "reference": reference}
    status = 400 if data is not None else 200
    return _link_render(request, "requests_app/link_feedback.html", ctx, status=status)
