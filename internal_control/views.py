"""Pages of intern kontroll under /internkontroll/: risks and matrix, the plan, results.

Same access as everywhere (goals.permissions): a committee's internal control is read by
whoever reads its goals and changed by its editors; pages outside answer 404, edit pages
answer 403 to read-only roles.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html

from core.bidi import bdi
from core.conflict import render_conflict, typed_values
from core.formats import parse_id
from goals import selectors as goal_selectors
from goals.models import Assessment, OrgUnit, PlanYear, ReportingOccasion
from goals.permissions import access_for, require_committee_visible, require_edit
from goals.views.chain import _selected_year

from . import selectors, services
from .forms import AdoptForm, ControlForm, ControlResultForm, RiskForm
from .models import Control, ControlPlan, ControlResult, Risk


def _committee_year(code: str, year: int) -> tuple[OrgUnit, PlanYear]:
    committee = get_object_or_404(OrgUnit, code=code, kind=OrgUnit.Kind.COMMITTEE)
    plan_year = get_object_or_404(PlanYear, year=year)
    return committee, plan_year


def _conflict(request, *, template, context, stale, form, rebuild):
    return render_conflict(
        request,
        template=template,
        context=context,
        current=stale.current,
        history=goal_selectors.history_entries(stale.current, since_version=stale.base_version),
        form=form,
        rebuild=rebuild,
    )


# --- kommunstyrelsen's view ---------------------------------------------------------------


def _not_saved(request, *, template, context, form, why):
    """A save refused because what it changes got locked meanwhile (the plan adopted, the
    follow-up handed in): 409, and what the user typed, labelled, to copy; nothing written."""
    fields = [
        (form, name, str(form.fields[name].label)) for name in form.fields if name != "version"
    ]
    context.update({"form": form, "not_saved": typed_values(fields), "not_saved_reason": why})
    messages.error(request, f"{why} Det du skrev är inte sparat.")
    return render(request, template, context, status=409)


@login_required
def overview(request):
    years = goal_selectors.plan_years()
    year = _selected_year(request, years)
    plan_year = next((py for py in years if py.year == year), None)
    context = {"years": years, "year": year, "rows": [], "occasions": []}
    if plan_year is not None:
        context.update(selectors.overview(user=request.user, plan_year=plan_year))
    return render(request, "internal_control/overview.html", context)


# --- one committee's risk analysis ------------------------------------------------------------


@login_required
def committee(request, code, year):
    committee, plan_year = _committee_year(code, year)
    require_committee_visible(request.user, committee)
    risks = selectors.risks_for(committee=committee, plan_year=plan_year)
    plan = selectors.plan_for(committee=committee, plan_year=plan_year)
    return render(
        request,
        "internal_control/committee.html",
        {
            "committee": committee,
            "plan_year": plan_year,
            "risks": risks,
            "matrix": selectors.risk_matrix(risks),
            "plan": plan,
            "controls": list(plan.controls.all()) if plan else [],
            "occasions": selectors.follow_up_occasions(plan_year),
            "can_edit": access_for(request.user).can_edit(committee),
            "can_carry": PlanYear.objects.filter(year=year - 1).exists(),
        },
    )


def _risk_page(request, *, committee, plan_year, risk):
    require_edit(request.user, committee)
    template = "internal_control/risk_form.html"
    title = f"Ändra risk: {risk.title}" if risk else "Ny risk"
    context = {"committee": committee, "plan_year": plan_year, "risk": risk, "title": title}

    def make(data=None, instance=None):
        return RiskForm(data, instance=instance, committee=committee, plan_year=plan_year)

    if request.method == "POST":
        form = make(request.POST, risk)
        if form.is_valid():
            try:
                saved = services.risk_save(form=form, user=request.user)
            except services.StaleEdit as stale:
                return _conflict(
                    request,
                    template=template,
                    context=context,
                    stale=stale,
                    form=form,
                    rebuild=lambda data, current: make(data, current),
                )
            except services.InternalControlError as refused:
                raise PermissionDenied(refused.message) from refused
            messages.success(request, format_html("Risken ”{}” är sparad.", bdi(saved.title)))
            return redirect("ic_committee", code=committee.code, year=plan_year.year)
    else:
        form = make(instance=risk)
    context["form"] = form
    return render(request, template, context)


@login_required
def risk_create(request, code, year):
    committee, plan_year = _committee_year(code, year)
    return _risk_page(request, committee=committee, plan_year=plan_year, risk=None)


def _risk(pk) -> Risk:
    return get_object_or_404(
        Risk.objects.select_related(
            "committee", "plan_year", "direction_goal", "strategic_area", "carried_from__plan_year"
        ),
        pk=pk,
    )


@login_required
def risk_detail(request, pk):
    risk = _risk(pk)
    require_committee_visible(request.user, risk.committee)
    return render(
        request,
        "internal_control/risk_detail.html",
        {
            "risk": risk,
            "committee": risk.committee,
            "plan_year": risk.plan_year,
            "controls": list(risk.controls.select_related("occasion")),
            "carried_to": Risk.objects.filter(carried_from=risk)
            .select_related("plan_year")
            .first(),
            "history": goal_selectors.history_entries(risk),
            "can_edit": access_for(request.user).can_edit(risk.committee),
        },
    )


@login_required
def risk_edit(request, pk):
    risk = _risk(pk)
    return _risk_page(request, committee=risk.committee, plan_year=risk.plan_year, risk=risk)


@login_required
def risk_carry(request, code, year):
    committee, plan_year = _committee_year(code, year)
    require_edit(request.user, committee)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        carried = services.risks_carry_forward(
            committee=committee, plan_year=plan_year, acting_user=request.user
        )
    except services.InternalControlError as refused:
        messages.error(request, refused.message)
    else:
        if carried:
            messages.success(
                request,
                f"{len(carried)} risker från {year - 1} är överförda; "
                f"bedöm dem på nytt för {year}.",
            )
        else:
            messages.info(request, f"Alla risker från {year - 1} är redan överförda.")
    return redirect("ic_committee", code=committee.code, year=year)


# --- the plan -------------------------------------------------------------------------------


@login_required
def plan(request, code, year):
    committee, plan_year = _committee_year(code, year)
    require_committee_visible(request.user, committee)
    plan = selectors.plan_for(committee=committee, plan_year=plan_year)
    can_edit = access_for(request.user).can_edit(committee)
    template = "internal_control/plan.html"
    context = {
        "committee": committee,
        "plan_year": plan_year,
        "plan": plan,
        "controls": list(plan.controls.all()) if plan else [],
        "can_edit": can_edit,
    }
    status = 200
    if request.method == "POST":
        require_edit(request.user, committee)
        if plan is None:
            raise Http404
        form = AdoptForm(request.POST)
        if form.is_valid():
            try:
                services.control_plan_adopt(
                    plan=plan,
                    acting_user=request.user,
                    base_version=parse_id(form.cleaned_data["version"]) or 0,
                    adopted_by=form.cleaned_data["adopted_by"],
                    adopted_on=form.cleaned_data["adopted_on"],
                    paragraph=form.cleaned_data["paragraph"],
                    reference=form.cleaned_data["reference"],
                )
            except services.StaleEdit:
                messages.error(
                    request,
                    "Planen har ändrats av någon annan sedan du öppnade sidan. "
                    "Kontrollera kontrollmomenten och anta planen igen.",
                )
                status = 409
            except services.InternalControlError as refused:
                form.add_error(None, refused.message)
                status = 400
            else:
                messages.success(request, "Internkontrollplanen är antagen och låst.")
                return redirect(request.path)
        else:
            status = 400
    else:
        form = AdoptForm(initial={"version": plan.version if plan else 0})
    if plan is not None and status == 409:
        plan.refresh_from_db()
        form = AdoptForm(
            {**request.POST.dict(), "version": str(plan.version)},
        )
        form.is_valid()
    context["adopt_form"] = form
    return render(request, template, context, status=status)


def _control_page(request, *, plan, control):
    committee = plan.committee
    require_edit(request.user, committee)
    template = "internal_control/control_form.html"
    title = "Ändra kontrollmoment" if control else "Nytt kontrollmoment"
    context = {
        "committee": committee,
        "plan_year": plan.plan_year,
        "plan": plan,
        "control": control,
        "title": title,
    }
    locked = "Internkontrollplanen är antagen och låst; kontrollmomenten kan inte ändras."

    def make(data=None, instance=None):
        return ControlForm(data, instance=instance, plan=plan)

    if plan.is_adopted:
        if request.method == "POST":
            form = make(request.POST, control)
            return _not_saved(request, template=template, context=context, form=form, why=locked)
        messages.error(request, locked)
        return redirect(plan)

    if request.method == "POST":
        form = make(request.POST, control)
        if form.is_valid():
            try:
                services.control_save(form=form, user=request.user)
            except services.StaleEdit as stale:
                return _conflict(
                    request,
                    template=template,
                    context=context,
                    stale=stale,
                    form=form,
                    rebuild=lambda data, current: make(data, current),
                )
            except services.InternalControlError as refused:
                return _not_saved(
                    request, template=template, context=context, form=form, why=refused.message
                )
            messages.success(request, "Kontrollmomentet är sparat.")
            return redirect(plan)
    else:
        form = make(instance=control)
    context["form"] = form
    return render(request, template, context)


@login_required
def control_create(request, code, year):
    committee, plan_year = _committee_year(code, year)
    require_edit(request.user, committee)
    plan = ControlPlan.objects.filter(committee=committee, plan_year=plan_year).first()
    if plan is None:
        # The plan is made with its first control; opening the form writes nothing.
        plan = ControlPlan(committee=committee, plan_year=plan_year)
        if request.method == "POST":
            plan = services.control_plan_get_or_create(
                committee=committee, plan_year=plan_year, user=request.user
            )
    return _control_page(request, plan=plan, control=None)


@login_required
def control_edit(request, pk):
    control = get_object_or_404(
        Control.objects.select_related("plan__committee", "plan__plan_year"), pk=pk
    )
    return _control_page(request, plan=control.plan, control=control)


# --- results at an occasion -------------------------------------------------------------------


def _occasion_for(committee, occasion_id) -> ReportingOccasion:
    occasion = get_object_or_404(
        ReportingOccasion.objects.select_related("plan_year"), pk=occasion_id
    )
    if not occasion.is_follow_up:
        raise Http404
    return occasion


@login_required
def results(request, code, occasion_id):
    committee = get_object_or_404(OrgUnit, code=code, kind=OrgUnit.Kind.COMMITTEE)
    require_committee_visible(request.user, committee)
    occasion = _occasion_for(committee, occasion_id)
    rows = selectors.occasion_results(committee=committee, occasion=occasion)
    open_, why = services.results_open(occasion=occasion, committee=committee)
    return render(
        request,
        "internal_control/results.html",
        {
            "committee": committee,
            "plan_year": occasion.plan_year,
            "occasion": occasion,
            "rows": rows,
            "counts": selectors.result_counts(rows),
            "can_edit": access_for(request.user).can_edit(committee) and open_,
            "locked_reason": why,
        },
    )


@login_required
def result_edit(request, control_id, occasion_id):
    control = get_object_or_404(
        Control.objects.select_related("plan__committee", "plan__plan_year", "risk", "occasion"),
        pk=control_id,
    )
    committee = control.plan.committee
    require_edit(request.user, committee)
    occasion = _occasion_for(committee, occasion_id)
    if not selectors.is_due(control, occasion):
        raise Http404
    back = reverse("ic_results", args=[committee.code, occasion.pk])
    open_, why = services.results_open(occasion=occasion, committee=committee)
    if not open_ and request.method != "POST":
        messages.error(request, why)
        return redirect(back)
    result = (
        ControlResult.objects.filter(control=control, occasion=occasion)
        .select_related("deviation")
        .first()
    )
    instance = result or ControlResult(control=control, occasion=occasion)
    template = "internal_control/result_form.html"
    context = {
        "committee": committee,
        "plan_year": control.plan.plan_year,
        "control": control,
        "occasion": occasion,
        "result": result,
        "levels": Assessment,
        "back": back,
        "title": f"Resultat: {control.what}",
    }

    def make(data=None, current=None):
        return ControlResultForm(data, instance=current or instance)

    if request.method == "POST" and not open_:
        return _not_saved(
            request, template=template, context=context, form=make(request.POST), why=why
        )
    if request.method == "POST":
        form = make(request.POST)
        if form.is_valid():
            try:
                services.control_result_save(
                    form=form, user=request.user, deviation=form.deviation_data()
                )
            except services.StaleEdit as stale:
                return _conflict(
                    request,
                    template=template,
                    context=context,
                    stale=stale,
                    form=form,
                    rebuild=lambda data, current: make(data, current),
                )
            except services.InternalControlError as refused:
                return _not_saved(
                    request, template=template, context=context, form=form, why=refused.message
                )
            messages.success(request, "Kontrollresultatet är sparat.")
            return redirect(back)
    else:
        form = make()
    context["form"] = form
    return render(request, template, context)
