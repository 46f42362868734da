"""Pages of governing documents (/styrdokument/) and assignments (/styrdokument/uppdrag/).

Everyone with a role sees the documents and assignments of the units they see (404
elsewhere); editors of the owning unit (documents) or of the giver (assignments) change
them (403 for readers). Files are served only by document_file, after that check.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.bidi import bdi, download_name, isolate
from core.conflict import render_conflict
from core.formats import parse_id
from goals.models import OrgUnit
from goals.permissions import access_for, tree_order
from goals.selectors import history_entries

from . import selectors, services
from .forms import AssignmentForm, GoverningDocumentForm
from .models import Assignment, AssignmentStatus, GoverningDocument


def unit_options(units) -> list[tuple[str, str]]:
    return [(u.code, f"{'– ' * max(u.level - 1, 0)}{u.name}") for u in units]


def _require_some_role(user) -> None:
    access = access_for(user)
    if not access.everything and not access.units:
        raise Http404


def _render_conflict(request, template, context, stale, form_class, form, **form_kwargs):
    return render_conflict(
        request,
        template=template,
        context=context,
        current=stale.current,
        history=history_entries(stale.current, since_version=stale.base_version),
        form=form,
        rebuild=lambda data, current: form_class(data, instance=current, **form_kwargs),
    )


# --- governing documents ---------------------------------------------------------------------


def _document_for(request, pk) -> tuple[GoverningDocument, bool]:
    document = get_object_or_404(GoverningDocument.objects.select_related("owning_unit"), pk=pk)
    if not selectors.document_may_see(user=request.user, document=document):
        raise Http404
    return document, access_for(request.user).can_edit(document.owning_unit)


@login_required
def document_list(request):
    _require_some_role(request.user)
    access = access_for(request.user)
    units = list(OrgUnit.objects.filter(selectors.sees_q(access)).order_by(*tree_order()))
    kind = request.GET.get("typ", "")
    kind = kind if kind in GoverningDocument.Kind.values else ""
    level = request.GET.get("niva", "")
    level = level if level in GoverningDocument.Level.values else ""
    code = request.GET.get("enhet", "")
    unit = next((u for u in units if u.code == code), None)
    search = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    documents = selectors.document_list(
        user=request.user, kind=kind, level=level, unit=unit, search=search
    )
    return render(
        request,
        "governance/document_list.html",
        {
            "documents": documents,
            "unit_options": unit_options(units),
            "kinds": GoverningDocument.Kind.choices,
            "levels": GoverningDocument.Level.choices,
            "selected": {"kind": kind, "level": level, "unit": unit, "search": search},
            "can_create": access.edits_anything,
            "today": timezone.localdate(),
        },
    )


@login_required
def document_detail(request, pk):
    document, can_edit = _document_for(request, pk)
    context = selectors.document_detail(document=document, user=request.user)
    context.update(
        {
            "document": document,
            "can_edit": can_edit,
            "today": timezone.localdate(),
            "history": history_entries(document),
        }
    )
    return render(request, "governance/document_detail.html", context)


@login_required
def document_create(request):
    _require_some_role(request.user)
    if not access_for(request.user).edits_anything:
        raise PermissionDenied(_("Du har läsbehörighet och kan inte lägga till styrdokument."))
    template = "governance/document_form.html"
    if request.method == "POST":
        form = GoverningDocumentForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            document = services.governing_document_save(form=form, user=request.user)
            messages.success(
                request, format_html(_("Styrdokumentet ”{}” är sparat."), bdi(document.title))
            )
            return redirect(document)
        status = 400
    else:
        form = GoverningDocumentForm(user=request.user)
        status = 200
    context = {"form": form, "document": None, "title": _("Nytt styrdokument")}
    return render(request, template, context, status=status)


@login_required
def document_edit(request, pk):
    document, can_edit = _document_for(request, pk)
    if not can_edit:
        raise PermissionDenied(_("Du kan läsa styrdokumentet men inte ändra det."))
    template = "governance/document_form.html"
    context = {"document": document, "title": _("Ändra %s") % isolate(document.title)}
    status = 200
    if request.method == "POST":
        form = GoverningDocumentForm(
            request.POST, request.FILES, instance=document, user=request.user
        )
        if form.is_valid():
            try:
                document = services.governing_document_save(form=form, user=request.user)
            except services.StaleEdit as stale:
                return _render_conflict(
                    request,
                    template,
                    context,
                    stale,
                    GoverningDocumentForm,
                    form,
                    user=request.user,
                )
            messages.success(
                request, format_html(_("Ändringarna i ”{}” är sparade."), bdi(document.title))
            )
            return redirect(document)
        status = 400
    else:
        form = GoverningDocumentForm(instance=document, user=request.user)
    context["form"] = form
    return render(request, template, context, status=status)


@login_required
def document_file(request, pk):
    """The uploaded PDF, to those who may see the document; MEDIA_ROOT is never served."""
    document, _can_edit = _document_for(request, pk)
    if not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # FileResponse writes Content-Disposition with Django's RFC 6266 encoding of the name.
    response = FileResponse(
        handle,
        content_type="application/pdf",
        filename=download_name(document.download_name, default="styrdokument.pdf"),
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def documents_review(request):
    """Att revidera: documents past or within N days (?dagar=, default 90) of their review."""
    _require_some_role(request.user)
    raw = request.GET.get("dagar", "")
    error = ""
    days = selectors.REVIEW_DAYS_DEFAULT
    if raw.strip():
        parsed = parse_id(raw, max_digits=5)
        if parsed is None or parsed > selectors.REVIEW_DAYS_MAX:
            error = _("Antal dagar ska vara ett heltal mellan 0 och %(max)s.") % {
                "max": selectors.REVIEW_DAYS_MAX
            }
        else:
            days = parsed
    today = timezone.localdate()
    rows = [] if error else selectors.documents_to_review(user=request.user, today=today, days=days)
    return render(
        request,
        "governance/documents_review.html",
        {
            "rows": rows,
            "days": days,
            "raw_days": raw,
            "error": error,
            "today": today,
            "without_date": []
            if error
            else selectors.municipal_documents_without_review(user=request.user),
        },
        status=400 if error else 200,
    )


# --- assignments ----------------------------------------------------------------------------


def _assignment_for(request, pk) -> tuple[Assignment, bool]:
    assignment = get_object_or_404(
        Assignment.objects.select_related("given_by", "receiving_unit", "direction_goal"), pk=pk
    )
    if not selectors.assignments_visible_to(user=request.user).filter(pk=pk).exists():
        raise Http404
    return assignment, access_for(request.user).can_edit(assignment.given_by)


def _may_give_assignments(user) -> bool:
    access = access_for(user)
    if access.edits_everything:
        return True
    givers = OrgUnit.objects.filter(kind__in=[OrgUnit.Kind.MUNICIPALITY, OrgUnit.Kind.COMMITTEE])
    return any(access.can_edit(g) for g in givers)


@login_required
def assignment_list(request):
    _require_some_role(request.user)
    access = access_for(request.user)
    state = request.GET.get("visa", "oppna")
    state = state if state in ("oppna", "avslutade", "alla") else "oppna"
    units = list(OrgUnit.objects.filter(selectors.sees_q(access)).order_by(*tree_order()))
    code = request.GET.get("enhet", "")
    unit = next((u for u in units if u.code == code), None)
    return render(
        request,
        "governance/assignment_list.html",
        {
            "assignments": selectors.assignment_list(user=request.user, state=state, unit=unit),
            "state": state,
            "unit_options": unit_options(units),
            "selected_unit": unit,
            "can_create": _may_give_assignments(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
def assignment_detail(request, pk):
    assignment, can_edit = _assignment_for(request, pk)
    return render(
        request,
        "governance/assignment_detail.html",
        {
            "assignment": assignment,
            "can_edit": can_edit,
            "statuses": selectors.assignment_statuses(assignment=assignment),
            "history": history_entries(assignment),
            "status_history": _status_history(assignment),
            "today": timezone.localdate(),
        },
    )


def _status_history(assignment) -> list:
    entries = []
    for record in (
        AssignmentStatus.history.filter(assignment_id=assignment.pk)
        .select_related("history_user")
        .order_by("-history_date", "-pk")
    ):
        user = record.history_user
        entries.append(
            {
                "when": record.history_date,
                "who": (user.get_full_name() or user.get_username())
                if user
                else _("Systemet (import eller demodata)"),
                "action": {"+": _("Skapad"), "~": _("Ändrad"), "-": _("Borttagen")}.get(
                    record.history_type, ""
                ),
                "status": record.get_status_display(),
                "comment": record.comment,
                "submission_id": record.submission_id,
            }
        )
    return entries


@login_required
def assignment_create(request):
    _require_some_role(request.user)
    if not _may_give_assignments(request.user):
        raise PermissionDenied(_("Bara redaktörer för en nämnd eller kommunen kan ge uppdrag."))
    template = "governance/assignment_form.html"
    status = 200
    if request.method == "POST":
        form = AssignmentForm(request.POST, user=request.user)
        if form.is_valid():
            assignment = services.assignment_save(form=form, user=request.user)
            messages.success(request, _("Uppdraget är sparat."))
            return redirect(assignment)
        status = 400
    else:
        form = AssignmentForm(user=request.user)
    context = {"form": form, "assignment": None, "title": _("Nytt uppdrag")}
    return render(request, template, context, status=status)


@login_required
def assignment_edit(request, pk):
    assignment, can_edit = _assignment_for(request, pk)
    if not can_edit:
        raise PermissionDenied(_("Du kan läsa uppdraget men inte ändra det."))
    template = "governance/assignment_form.html"
    context = {"assignment": assignment, "title": _("Ändra uppdrag")}
    status = 200
    if request.method == "POST":
        form = AssignmentForm(request.POST, instance=assignment, user=request.user)
        if form.is_valid():
            try:
                assignment = services.assignment_save(form=form, user=request.user)
            except services.StaleEdit as stale:
                return _render_conflict(
                    request, template, context, stale, AssignmentForm, form, user=request.user
                )
            messages.success(request, _("Ändringarna i uppdraget är sparade."))
            return redirect(assignment)
        status = 400
    else:
        form = AssignmentForm(instance=assignment, user=request.user)
    context["form"] = form
    return render(request, template, context, status=status)
