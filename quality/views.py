"""Pages of the quality system under /kvalitet/: controls, measurements, deviations, moves.

Same access as everywhere: a membership covers its unit and everything below it; pages
outside the user's subtree answer 404, edit pages answer 403 to read-only roles.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html

from core.bidi import bdi, isolate
from core.conflict import render_conflict
from core.formats import parse_id
from goals import selectors as goal_selectors
from goals.models import Indicator, OrgUnit, PlanYear
from goals.permissions import (
    access_for,
    require_committee_visible,
    require_unit_edit,
    require_unit_visible,
    tree_order,
)
from goals.services import StaleEdit, save_versioned

from . import selectors, services
from .forms import (
    DeviationForm,
    IndicatorMoveForm,
    LiftForm,
    MoveReverseForm,
    QualityControlForm,
    QualityMeasurementForm,
)
from .models import Deviation, IndicatorMove, QualityControl, QualityMeasurement


def _require_editor_somewhere(user) -> None:
    if not access_for(user).edits_anything:
        raise PermissionDenied("Bara redaktörer registrerar kontroller och avvikelser.")


def _versioned_save(request, *, form, template, context, stale_form):
    """Save the form unless someone saved a newer version; then 409 with the input kept."""
    try:
        return save_versioned(form=form, user=request.user), None
    except StaleEdit as stale:
        return None, render_conflict(
            request,
            template=template,
            context=context,
            current=stale.current,
            history=goal_selectors.history_entries(stale.current, since_version=stale.base_version),
            form=form,
            rebuild=stale_form,
        )


# --- overview -----------------------------------------------------------------------------


@login_required
def overview(request):
    units = selectors.units_visible_to(user=request.user)
    code = request.GET.get("enhet", "")
    unit = None
    if code:
        unit = next((u for u in units if u.code == code), None)
        if unit is None:
            raise Http404
    status = request.GET.get("status", "")
    if status not in Deviation.Status.values:
        status = ""
    shown = request.GET.get("kontroller", "aktiva")
    active = {"aktiva": True, "inaktiva": False, "alla": None}.get(shown, True)
    return render(
        request,
        "quality/overview.html",
        {
            "units": units,
            "selected_unit": unit,
            "status": status,
            "status_choices": Deviation.Status.choices,
            "shown": shown if shown in ("aktiva", "inaktiva", "alla") else "aktiva",
            "controls": selectors.controls_visible_to(user=request.user, unit=unit, active=active),
            "deviations": selectors.deviations_visible_to(
                user=request.user, unit=unit, status=status
            ),
            "can_edit": access_for(request.user).edits_anything,
        },
    )


# --- quality controls and their measurements ------------------------------------------------


def _preselected_unit(request, units) -> dict:
    code = request.GET.get("enhet", "")
    unit = units.filter(code=code).first() if code else None
    return {"org_unit": unit.pk} if unit else {}


@login_required
def control_create(request):
    _require_editor_somewhere(request.user)
    units = selectors.units_editable_by(user=request.user)
    template = "quality/control_form.html"
    if request.method == "POST":
        form = QualityControlForm(request.POST, units=units)
        if form.is_valid():
            control = save_versioned(form=form, user=request.user)
            messages.success(
                request, format_html("Kvalitetskontrollen ”{}” är skapad.", bdi(control.name))
            )
            return redirect(control)
    else:
        form = QualityControlForm(units=units, initial=_preselected_unit(request, units))
    return render(
        request, template, {"form": form, "control": None, "title": "Ny kvalitetskontroll"}
    )


def _control(pk) -> QualityControl:
    return get_object_or_404(
        QualityControl.objects.select_related("org_unit", "owner", "source_indicator"), pk=pk
    )


@login_required
def control_detail(request, pk):
    control = _control(pk)
    require_unit_visible(request.user, control.org_unit)
    page = selectors.control_page(control=control)
    committee = (
        control.source_indicator.direction_goal.committee if control.source_indicator else None
    )
    return render(
        request,
        "quality/control_detail.html",
        {
            "control": control,
            "page": page,
            "can_edit": access_for(request.user).can_edit(control.org_unit),
            "can_reverse": page.open_move is not None
            and committee is not None
            and services.is_admin_over(request.user, committee),
            "reverse_form": MoveReverseForm(),
            "history": goal_selectors.history_entries(control),
        },
    )


@login_required
def control_edit(request, pk):
    control = _control(pk)
    require_unit_edit(request.user, control.org_unit)
    units = selectors.units_editable_by(user=request.user)
    template = "quality/control_form.html"
    context = {"control": control, "title": f"Ändra kvalitetskontroll: {isolate(control.name)}"}
    if request.method == "POST":
        form = QualityControlForm(request.POST, instance=control, units=units)
        if form.is_valid():
            saved, conflict = _versioned_save(
                request,
                form=form,
                template=template,
                context=context,
                stale_form=lambda data, current: QualityControlForm(
                    data, instance=current, units=units
                ),
            )
            if conflict is not None:
                return conflict
            messages.success(request, "Ändringarna är sparade.")
            return redirect(saved)
    else:
        form = QualityControlForm(instance=control, units=units)
    context["form"] = form
    return render(request, template, context)


def _measurement_page(request, *, control, measurement):
    require_unit_edit(request.user, control.org_unit)
    if measurement is None and not control.active:
        # The page offers no "Registrera mätning" for it; the address alone must not either.
        messages.error(
            request, "Kontrollen är inaktiv. Aktivera den för att registrera nya mätningar."
        )
        return redirect(control)
    template = "quality/measurement_form.html"
    instance = measurement or QualityMeasurement(control=control)
    context = {
        "control": control,
        "measurement": measurement,
        "title": "Ändra mätning" if measurement else "Ny mätning",
    }
    if request.method == "POST":
        form = QualityMeasurementForm(request.POST, instance=instance, control=control)
        if form.is_valid():
            if measurement is None:
                form.instance.registered_by = request.user
            saved, conflict = _versioned_save(
                request,
                form=form,
                template=template,
                context=context,
                stale_form=lambda data, current: QualityMeasurementForm(
                    data, instance=current, control=control
                ),
            )
            if conflict is not None:
                return conflict
            messages.success(request, "Mätningen är sparad.")
            return redirect(saved)
    else:
        form = QualityMeasurementForm(instance=instance, control=control)
    context["form"] = form
    return render(request, template, context)


@login_required
def measurement_create(request, pk):
    return _measurement_page(request, control=_control(pk), measurement=None)


@login_required
def measurement_edit(request, pk):
    measurement = get_object_or_404(QualityMeasurement, pk=pk)
    return _measurement_page(
        request, control=_control(measurement.control_id), measurement=measurement
    )


# --- deviations ---------------------------------------------------------------------------


def _deviation(pk) -> Deviation:
    return get_object_or_404(
        Deviation.objects.select_related(
            "org_unit", "reported_by", "activity__plan__plan_year", "activity__direction_goal"
        ),
        pk=pk,
    )


@login_required
def deviation_create(request):
    _require_editor_somewhere(request.user)
    units = selectors.units_editable_by(user=request.user)
    template = "quality/deviation_form.html"
    if request.method == "POST":
        form = DeviationForm(request.POST, units=units)
        if form.is_valid():
            form.instance.reported_by = request.user
            deviation = save_versioned(form=form, user=request.user)
            messages.success(request, "Avvikelsen är registrerad.")
            return redirect(deviation)
    else:
        form = DeviationForm(units=units, initial=_preselected_unit(request, units))
    return render(
        request, template, {"form": form, "deviation": None, "title": "Registrera avvikelse"}
    )


@login_required
def deviation_detail(request, pk):
    deviation = _deviation(pk)
    require_unit_visible(request.user, deviation.org_unit)
    can_edit = access_for(request.user).can_edit(deviation.org_unit)
    return render(
        request,
        "quality/deviation_detail.html",
        {
            "deviation": deviation,
            "can_edit": can_edit,
            "can_lift": can_edit
            and deviation.activity_id is None
            and deviation.org_unit.kind != OrgUnit.Kind.MUNICIPALITY,
            "history": goal_selectors.history_entries(deviation),
        },
    )


@login_required
def deviation_edit(request, pk):
    deviation = _deviation(pk)
    require_unit_edit(request.user, deviation.org_unit)
    units = selectors.units_editable_by(user=request.user)
    template = "quality/deviation_form.html"
    context = {"deviation": deviation, "title": f"Ändra avvikelse: {isolate(deviation.title)}"}
    if request.method == "POST":
        form = DeviationForm(request.POST, instance=deviation, units=units)
        if form.is_valid():
            saved, conflict = _versioned_save(
                request,
                form=form,
                template=template,
                context=context,
                stale_form=lambda data, current: DeviationForm(data, instance=current, units=units),
            )
            if conflict is not None:
                return conflict
            messages.success(request, "Ändringarna är sparade.")
            return redirect(saved)
    else:
        form = DeviationForm(instance=deviation, units=units)
    context["form"] = form
    return render(request, template, context)


@login_required
def deviation_lift(request, pk):
    """Lyft till verksamhetsplan: the deviation becomes an activity under a committee goal."""
    deviation = _deviation(pk)
    require_unit_edit(request.user, deviation.org_unit)
    if deviation.activity_id is not None:
        messages.error(request, "Avvikelsen är redan lyft till verksamhetsplanen.")
        return redirect(deviation)
    committee = deviation.org_unit.committee
    if committee is None:
        messages.error(
            request,
            f"{deviation.org_unit.name} hör inte till någon nämnd och har ingen verksamhetsplan.",
        )
        return redirect(deviation)
    # Only a year being planned or carried out: an analysed year's plan is closed.
    years = [py for py in goal_selectors.plan_years() if py.phase != PlanYear.Phase.ANALYSE]
    asked = parse_id(request.POST.get("ar") or request.GET.get("ar"), max_digits=4)
    plan_year = next((py for py in years if py.year == asked), None) or services.lift_year(
        deviation
    )
    if plan_year is None or (asked is not None and plan_year.year != asked):
        raise Http404
    goals = selectors.lift_goals(committee=committee, year=plan_year.year)
    initial = {"title": deviation.title, "description": deviation.description}
    form = LiftForm(request.POST or None, goals=goals, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.deviation_lift_to_plan(
                deviation=deviation,
                direction_goal=form.cleaned_data["direction_goal"],
                acting_user=request.user,
                plan_year=plan_year,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                responsible=form.cleaned_data["responsible"],
            )
        except services.QualityError as refused:
            messages.error(request, refused.message)
            status = 400
        else:
            messages.success(
                request,
                format_html(
                    "Avvikelsen är lyft till verksamhetsplanen {} som aktiviteten ”{}”.",
                    plan_year.year,
                    bdi(activity.title),
                ),
            )
            return redirect(activity)
    plan_exists = deviation.org_unit.operational_plans.filter(plan_year=plan_year).exists()
    return render(
        request,
        "quality/deviation_lift.html",
        {
            "deviation": deviation,
            "committee": committee,
            "form": form,
            "plan_year": plan_year,
            "years": years,
            "plan_exists": plan_exists,
        },
        status=status,
    )


# --- indicators moved to the quality system -----------------------------------------------------


@login_required
def indicator_move(request, pk):
    """Flytta till kvalitetsledningssystemet: the indicator becomes a quality control."""
    indicator = get_object_or_404(
        Indicator.objects.select_related("direction_goal__committee", "owner"), pk=pk
    )
    committee = indicator.direction_goal.committee
    require_committee_visible(request.user, committee)
    if not access_for(request.user).can_edit(committee):
        raise PermissionDenied("Bara nämndens redaktörer kan flytta en indikator.")
    if indicator.moved_to_quality_on is not None:
        move = selectors.open_move_for(indicator)
        messages.error(request, "Indikatorn är redan flyttad till kvalitetsledningssystemet.")
        return redirect(move.control if move else indicator)
    allowed = services.move_units(indicator=indicator, user=request.user)
    units = OrgUnit.objects.filter(pk__in=[u.pk for u in allowed]).order_by(*tree_order())
    form = IndicatorMoveForm(request.POST or None, units=units, initial={"org_unit": committee.pk})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            control = services.indicator_move_to_quality(
                indicator=indicator,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                org_unit=form.cleaned_data["org_unit"],
            )
        except services.QualityError as refused:
            messages.error(request, refused.message)
            status = 400
        else:
            messages.success(
                request,
                f"Indikatorn {indicator.code} är flyttad till kvalitetsledningssystemet. Den "
                "visas inte längre i planer och kommande uppföljningar; tidigare rapporter "
                "har den kvar.",
            )
            return redirect(control)
    return render(
        request,
        "quality/indicator_move.html",
        {"indicator": indicator, "goal": indicator.direction_goal, "form": form},
        status=status,
    )


@login_required
def move_reverse(request, pk):
    """Ångra flytt: only an administrator over the committee."""
    move = get_object_or_404(
        IndicatorMove.objects.select_related("control__org_unit", "indicator__direction_goal"),
        pk=pk,
    )
    committee = move.indicator.direction_goal.committee
    if not (access_for(request.user).covers(move.control.org_unit)):
        require_committee_visible(request.user, committee)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not services.is_admin_over(request.user, committee):
        raise PermissionDenied("Bara en administratör för nämnden kan ångra flytten.")
    form = MoveReverseForm(request.POST)
    form.is_valid()
    try:
        services.indicator_move_reverse(
            move=move, acting_user=request.user, reason=form.cleaned_data.get("reason", "")
        )
    except services.QualityError as refused:
        messages.error(request, refused.message)
        return redirect(move.control)
    messages.success(
        request,
        f"Flytten är ångrad: {move.indicator.code} finns åter i planer och uppföljningar, och "
        "kvalitetskontrollen är inaktiverad.",
    )
    return redirect(move.indicator)
