"""Pages: marketing's approvals board, a customer's approvals, one approval (review, consent
link, signed document, history), the content library, and the customer's no-login consent page."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import permissions as perms
from references.models import Contact, Customer
from refprogram.errors import RuleViolation
from refprogram.views import add_service_errors, capability_required, paginate

from . import services
from .choices import (
    APPROVAL_AUTOMATIC_STATUSES,
    APPROVAL_TRANSITIONS,
    CONSENT_LINK_DAYS,
    DEFAULT_TERM_DAYS,
    EXPIRY_WARNING_DAYS,
    ApprovalStatus,
    ApprovalUse,
    Channel,
)
from .filters import ApprovalFilter
from .forms import ApprovalForm, ConsentForm, SendLinkForm, TransitionForm, UploadForm
from .models import Approval
from .selectors import (
    CELL_LABELS,
    approval_board_rows,
    approval_cells,
    approval_next_step,
    approvals_needing_action,
    library_assets,
)

BOARD_PAGE_SIZE = 50


def _require_capability(request, capability: str) -> None:
    """The gate for a view whose capability depends on its arguments (a document or an asset)."""
    if not perms.has_capability(request.user, capability):
        raise PermissionDenied


def _page_query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Board, customer, library --------------------------------------------------------------


BOARD_VIEWS = ("action", "all")


def _board_view(request) -> str:
    """Which board to open: what needs action (for who asks for or manages approvals) or every
    customer's grid. A filter applies to the grid, so filtering opens it."""
    chosen = request.GET.get("view")
    if chosen in BOARD_VIEWS:
        return chosen
    if any(value for key, value in request.GET.items() if key not in ("view", "page")):
        return "all"
    acts = perms.has_capability(request.user, perms.REQUEST_APPROVALS) or perms.has_capability(
        request.user, perms.MANAGE_APPROVALS
    )
    return "action" if acts else "all"


@capability_required(perms.VIEW_APPROVALS)
def approval_board(request):
    """Opens on what needs action (requests waiting on someone, approvals ending soon, and who
    must act next); one click away, per customer, which uses are approved, expiring, pending,
    declined or expired."""
    today = timezone.localdate()
    approvals = Approval.objects.visible_to(request.user)
    view = _board_view(request)
    context = {
        "view": view,
        "warning_days": EXPIRY_WARNING_DAYS,
        "legend": CELL_LABELS,
        "uses": ApprovalUse.choices,
    }
    if view == "action":
        rows = approvals_needing_action(approvals)
        context.update(
            waiting=[r for r in rows if r.waiting],
            ending=[r for r in rows if not r.waiting],
        )
        return render(request, "approvals/approval_board.html", context)
    filterset = ApprovalFilter(request.GET, queryset=approvals)
    customers = filterset.customers(
        Customer.objects.visible_to(request.user).select_related("industry").order_by("name", "id")
    )
    page = paginate(request, customers, per_page=BOARD_PAGE_SIZE)
    rows = approval_board_rows(customers=list(page.object_list), approvals=approvals, on=today)
    context.update(filter=filterset, page=page, rows=rows, page_query=_page_query(request))
    return render(request, "approvals/approval_board.html", context)


@capability_required(perms.VIEW_APPROVALS)
def approval_customer(request, customer_id: int):
    """One customer's approvals: the same per-use view as the board, and every approval."""
    customer = get_object_or_404(
        Customer.objects.visible_to(request.user).select_related("industry", "region"), pk=customer_id
    )
    approvals = list(
        Approval.objects.visible_to(request.user)
        .filter(customer=customer)
        .select_related("requested_by")
        .order_by("-created_at", "-id")
    )
    cells = approval_cells(approvals)
    return render(
        request,
        "approvals/approval_customer.html",
        {"customer": customer, "cells": [cells[u] for u in ApprovalUse.values], "approvals": approvals},
    )


@capability_required(perms.VIEW_APPROVALS)
def approval_library(request):
    """Approved quotes, case studies, videos and logos to re-use instead of a new ask."""
    base = Approval.objects.visible_to(request.user)
    filterset = ApprovalFilter(request.GET, queryset=base)
    qs = filterset.qs if filterset.is_valid() else base.none()
    assets = library_assets(qs, status_given=bool(request.GET.get("status")))
    page = paginate(request, assets, per_page=BOARD_PAGE_SIZE)
    return render(
        request,
        "approvals/approval_library.html",
        {"filter": filterset, "page": page, "page_query": _page_query(request)},
    )


# --- One approval --------------------------------------------------------------------------


def _approval_for(request, pk: int) -> Approval:
    return get_object_or_404(
        Approval.objects.visible_to(request.user).select_related(
            "customer", "contact", "requested_by", "supersedes"
        ),
        pk=pk,
    )


@capability_required(perms.REQUEST_APPROVALS)
def approval_request(request, customer_id: int):
    """Marketing asks for a customer's approval of one use."""
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_id)
    supersedes = None
    if request.GET.get("supersedes", "").isdigit():
        supersedes = (
            Approval.objects.visible_to(request.user)
            .filter(pk=request.GET["supersedes"], customer=customer)
            .first()
        )
    if request.method == "POST":
        form = ApprovalForm(request.POST, customer=customer, user=request.user)
        if request.POST.get("supersedes", "").isdigit():
            supersedes = (
                Approval.objects.visible_to(request.user)
                .filter(pk=request.POST["supersedes"], customer=customer)
                .first()
            )
        if form.is_valid():
            try:
                approval = services.approval_request(
                    customer=customer, requested_by=request.user, supersedes=supersedes, **form.cleaned_data
                )
            except (ValidationError, RuleViolation) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Approval requested: %(approval)s.") % {"approval": approval})
                return redirect("approval-detail", pk=approval.pk)
    else:
        initial = {
            "use": request.GET.get("use") if request.GET.get("use") in ApprovalUse.values else None,
            "expires_on": timezone.localdate() + timedelta(days=DEFAULT_TERM_DAYS),
        }
        if supersedes is not None:
            initial.update(
                use=supersedes.use,
                title=supersedes.title,
                quote_text=supersedes.quote_text,
                asset_url=supersedes.asset_url,
                scope=supersedes.scope,
                contact=supersedes.contact_id,
            )
        form = ApprovalForm(initial=initial, customer=customer, user=request.user)
    return render(
        request,
        "approvals/approval_form.html",
        {"form": form, "customer": customer, "supersedes": supersedes, "approval": None},
    )


@capability_required(perms.REQUEST_APPROVALS)
def approval_edit(request, pk: int):
    """Change an open request; a decided approval is locked (new wording: a new approval)."""
    approval = _approval_for(request, pk)
    if not approval.is_open:
        messages.error(
            request,
            _("This approval is decided and can't be edited. For new wording, request a new approval."),
        )
        return redirect("approval-detail", pk=approval.pk)
    if request.method == "POST":
        form = ApprovalForm(request.POST, customer=approval.customer, user=request.user)
        if form.is_valid():
            try:
                services.approval_update(approval=approval, by=request.user, data=form.cleaned_data)
            except (ValidationError, RuleViolation) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("approval-detail", pk=approval.pk)
    else:
        form = ApprovalForm(
            initial={
                "use": approval.use,
                "title": approval.title,
                "quote_text": approval.quote_text,
                "asset_url": approval.asset_url,
                "scope": approval.scope,
                "expires_on": approval.expires_on,
                "contact": approval.contact_id,
                "notes": approval.notes,
            },
            customer=approval.customer,
            user=request.user,
        )
    return render(
        request,
        "approvals/approval_form.html",
        {"form": form, "customer": approval.customer, "approval": approval, "supersedes": None},
    )


# The history's changed fields and consent links in words (no codes on the page).
CHANGE_LABELS = {
    "use": "Use",
    "title": "What it concerns",
    "quote_text": "Quote text",
    "asset_url": "Link to the asset",
    "scope": "Channels",
    "expires_on": "Approved until",
    "contact": "Who decides",
    "notes": "Notes",
}
LINK_STATE_LABELS = {
    "usable": "waiting for an answer",
    "used": "answered",
    "withdrawn": "withdrawn (a newer version or link replaced it)",
    "expired": "expired unanswered",
}


def _change_value(field: str, value, contacts: dict) -> str:
    if value in (None, "", []):
        return "—"
    if field == "use":
        return ApprovalUse(value).label if value in ApprovalUse.values else str(value)
    if field == "scope":
        labels = dict(Channel.choices)
        return ", ".join(str(labels.get(code, code)) for code in value)
    if field == "contact":
        return contacts.get(value, "a contact no longer on file")
    if field == "expires_on":
        try:
            return date.fromisoformat(value).strftime("%-d %B %Y")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _history(request, approval: Approval) -> list:
    """The approval's history as this viewer may see it: a customer person's e-mail address
    only with the contact-data capability (the same rule as the API's); statuses, fields and
    values in words."""
    show = perms.has_capability(request.user, perms.VIEW_CONTACT_PII)
    events = list(approval.events.select_related("actor"))
    contact_ids = {
        value
        for event in events
        for value in (event.changes or {}).get("contact", [])
        if isinstance(value, int)
    }
    contacts = (
        dict(Contact.objects.filter(pk__in=contact_ids).values_list("pk", "name")) if contact_ids else {}
    )
    for event in events:
        event.shown_who = event.who_for(show_contact_data=show)
        event.shown_note = event.note_for(show_contact_data=show)
        event.shown_changes = [
            (
                CHANGE_LABELS.get(field, field.replace("_", " ").capitalize()),
                _change_value(field, pair[0], contacts),
                _change_value(field, pair[1], contacts),
            )
            for field, pair in (event.changes or {}).items()
            if isinstance(pair, list | tuple) and len(pair) == 2
        ]
    return events


def _links(approval: Approval) -> list:
    links = list(approval.consent_links.select_related("sent_by")[:10])
    now = timezone.now()
    for link in links:
        link.state_label = LINK_STATE_LABELS[link.state(now)]
    return links


def _detail_context(request, approval: Approval, **forms_) -> dict:
    can_manage = perms.has_capability(request.user, perms.MANAGE_APPROVALS)
    targets = [
        (code, ApprovalStatus(code).label)
        for code in ApprovalStatus.values
        if code in APPROVAL_TRANSITIONS.get(approval.status, set())
        and code not in APPROVAL_AUTOMATIC_STATUSES
    ]
    return {
        "approval": approval,
        "events": _history(request, approval),
        "links": _links(approval) if can_manage else [],
        "targets": targets,
        "can_manage": can_manage,
        "can_request": perms.has_capability(request.user, perms.REQUEST_APPROVALS),
        "transition_form": forms_.get("transition_form")
        or TransitionForm(initial={"expires_on": approval.expires_on}),
        "send_form": forms_.get("send_form")
        or SendLinkForm(
            customer=approval.customer, user=request.user, initial={"contact": approval.contact_id}
        ),
        "upload_form": forms_.get("upload_form") or UploadForm(),
        "upload_kind": forms_.get("upload_kind"),
        "link_days": CONSENT_LINK_DAYS,
        "sent_url": forms_.get("sent_url"),
        "today": timezone.localdate(),
        "next_step": _next_step(approval),
    }


def _next_step(approval: Approval) -> tuple[str, str] | None:
    """Who must act next on an open request or an approval ending soon (the board's words)."""
    if not (approval.is_open or approval.is_expiring()):
        return None
    renewal = (
        Approval.objects.open()
        .filter(customer_id=approval.customer_id, use=approval.use)
        .exclude(pk=approval.pk)
    )
    links = list(approval.consent_links.order_by("-created_at", "-id"))
    return approval_next_step(approval, links=links, renewal=renewal.exists())


@capability_required(perms.VIEW_APPROVALS)
def approval_detail(request, pk: int):
    approval = _approval_for(request, pk)
    return render(request, "approvals/approval_detail.html", _detail_context(request, approval))


@capability_required(perms.MANAGE_APPROVALS)
@require_POST
def approval_transition(request, pk: int):
    approval = _approval_for(request, pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.approval_transition(approval=approval, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except RuleViolation as exc:
            messages.error(request, exc.message)
            return redirect("approval-detail", pk=approval.pk)
        else:
            status = ApprovalStatus(form.cleaned_data["to"]).label.lower()
            messages.success(request, _("Now %(status)s.") % {"status": status})
            return redirect("approval-detail", pk=approval.pk)
    return render(
        request,
        "approvals/approval_detail.html",
        _detail_context(request, approval, transition_form=form),
        status=400,
    )


@capability_required(perms.MANAGE_APPROVALS)
@require_POST
def approval_send_link(request, pk: int):
    approval = _approval_for(request, pk)
    form = SendLinkForm(request.POST, customer=approval.customer, user=request.user)
    if form.is_valid():
        contact = form.cleaned_data["contact"]
        try:
            sent = services.approval_send_link(
                approval=approval,
                by=request.user,
                base_url=request.build_absolute_uri("/"),
                email=form.cleaned_data["email"] or (contact.email if contact else ""),
                name=form.cleaned_data["name"] or (contact.name if contact else ""),
            )
        except (ValidationError, RuleViolation) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Consent link sent to %(email)s.") % {"email": sent.link.email})
            return redirect("approval-detail", pk=approval.pk)
    return render(
        request,
        "approvals/approval_detail.html",
        _detail_context(request, approval, send_form=form),
        status=400,
    )


@login_required
@require_POST
def approval_upload(request, pk: int, kind: str):
    if kind not in ("document", "asset"):
        raise Http404
    _require_capability(request, perms.MANAGE_APPROVALS if kind == "document" else perms.REQUEST_APPROVALS)
    approval = _approval_for(request, pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.approval_file_attach(
                approval=approval, by=request.user, upload=form.cleaned_data["file"], kind=kind
            )
        except ValidationError as exc:
            form.add_error("file", [m for ms in exc.message_dict.values() for m in ms])
        except RuleViolation as exc:
            messages.error(request, exc.message)  # a decided approval's files are frozen
            return redirect("approval-detail", pk=approval.pk)
        else:
            messages.success(request, _("File attached."))
            return redirect("approval-detail", pk=approval.pk)
    return render(
        request,
        "approvals/approval_detail.html",
        _detail_context(request, approval, upload_form=form, upload_kind=kind),
        status=400,
    )


@login_required
def approval_file(request, pk: int, kind: str):
    """The signed document (those who request approvals) or asset file (anyone who sees the
    approval), streamed as a download after the permission check; no public URL exists."""
    if kind not in ("document", "asset"):
        raise Http404
    _require_capability(request, perms.REQUEST_APPROVALS if kind == "document" else perms.VIEW_APPROVALS)
    approval = _approval_for(request, pk)
    field = approval.document if kind == "document" else approval.asset_file
    if not field:
        raise Http404
    name = approval.document_name if kind == "document" else approval.asset_file_name
    content_type = approval.document_type if kind == "document" else approval.asset_file_type
    response = FileResponse(field.open("rb"), as_attachment=True, filename=name or "file")
    response["Content-Type"] = content_type or "application/octet-stream"
    response["Cache-Control"] = "private, no-store"
    return response


# --- The customer's consent page (no login) ------------------------------------------------

CONSENT_INVALID = {
    "unknown": _("This link is not valid. Please use the exact link from your email."),
    "used": _("This link has already been used. Thank you, your answer was recorded."),
    "withdrawn": _("This link is no longer valid: we sent a newer one or changed the request."),
    "expired": _("This link has expired. Please ask your contact at our company for a new one."),
}


def _consent_headers(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "same-origin"  # the token never leaks to other sites (and the
    # form still sends its Origin: "no-referrer" would make the browser send "Origin: null" and fail CSRF)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    response["Content-Language"] = translation.get_language()
    return response


@never_cache
def consent_page(request, token: str):
    """What will be published, exactly, and approve or decline with a comment. Nothing else."""
    try:
        link = services.approval_consent_link_get(token=token)
    except services.ConsentLinkInvalid as exc:
        response = render(
            request,
            "approvals/consent_invalid.html",
            {"message": CONSENT_INVALID.get(exc.reason, CONSENT_INVALID["unknown"])},
            status=404 if exc.reason == "unknown" else 410,
        )
        return _consent_headers(response)
    with translation.override(services.consent_language(link.approval)):
        return _consent_answer(request, token, link)


def _consent_answer(request, token: str, link) -> HttpResponse:
    """The consent page itself, in the language of the contact who decides."""
    approval = link.approval
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                approval = services.approval_consent_decide(
                    token=token,
                    approve=form.cleaned_data["decision"] == "approve",
                    name=form.cleaned_data["name"],
                    title=form.cleaned_data["title"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except services.ConsentLinkInvalid as exc:
                response = render(
                    request,
                    "approvals/consent_invalid.html",
                    {"message": CONSENT_INVALID.get(exc.reason, CONSENT_INVALID["unknown"])},
                    status=410,
                )
                return _consent_headers(response)
            else:
                response = render(request, "approvals/consent_done.html", {"approval": approval})
                return _consent_headers(response)
    else:
        form = ConsentForm(initial={"name": link.name})
    response = render(
        request,
        "approvals/consent_page.html",
        {"approval": approval, "form": form, "link": link},
        status=400 if request.method == "POST" else 200,
    )
    return _consent_headers(response)
