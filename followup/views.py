"""The cycle in the browser: follow-up per occasion, review by kommunledningskontoret."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core.conflict import CONFLICT_MESSAGE, TypedValue, apply_choices, conflict_message
from core.formats import parse_id
from goals import cycle, selectors, services
from goals.models import (
    TEXT_MAX,
    Assessment,
    DirectionGoal,
    OrgUnit,
    PlanYear,
    PublishedError,
    ReportingOccasion,
    ReviewComment,
    Submission,
)
from goals.permissions import access_for
from goals.rules import followup_state
from goals.views.chain import _selected_year
from governance.followup import (
    followup_assignments,
)

from .answers import (
    ANSWER_ACTION,
    RESOLVE_ACTION,
    answer_forms,
    answers_input,
    comment_pressed,
)
from .conflict import followup_conflicts
from .forms import (
    AdoptionForm,
    all_forms,
    build_forms,
    followup_input,
    gap_links,
    mark_gaps,
    typed_gaps,
    validate,
)
from .locked import history_shown, locked_meanwhile, show_frozen
from .services import followup_save

TYPED_KEY = "review_typed"
UNITS_NOT_IN_KEY = "followup_units_not_in"
SUBMIT_REFUSED_KEY = "followup_submit_refused"
ANSWER_KEY = "answer_typed"
# A refused comment or reason comes back in its field after the redirect; a text longer than
# this is cut in what comes back (it is refused as too long anyway, and the session stays small).
TYPED_KEPT = 4 * TEXT_MAX


# --- overview ---------------------------------------------------------------------------------


@login_required
def followup_overview(request):
    years = selectors.plan_years()
    year = _selected_year(request, years)
    access = access_for(request.user)
    occasions = list(ReportingOccasion.objects.filter(plan_year__year=year).order_by("period_end"))
    units = [
        u
        for u in (selectors.expected_units(occasions[0]) if occasions else [])
        if access.sees_followup(u)
    ]
    if not access.everything:
        # Committee staff and unit heads see their own; a unit head also the committee above.
        units = [u for u in units if access.covers(u) or u.kind == OrgUnit.Kind.COMMITTEE]
    by_pk = {o.pk: o for o in occasions}
    submissions = {
        (s.occasion_id, s.org_unit_id): s
        for s in Submission.objects.filter(occasion__in=occasions, org_unit__in=units)
    }
    for s in submissions.values():
        s.occasion = by_pk[s.occasion_id]  # its lateness needs it; loaded already
    today = timezone.localdate()
    rows = []
    for u in units:
        cells = []
        for o in occasions:
            s = submissions.get((o.pk, u.pk))
            state = followup_state(occasion=o, unit=u, submission=s, today=today)
            cells.append({"occasion": o, "submission": s, "state": state, "overdue": state.overdue})
        rows.append({"unit": u, "cells": cells})
    return render(
        request,
        "goals/followup_overview.html",
        {"years": years, "year": year, "occasions": occasions, "rows": rows, "today": today},
    )


# --- one follow-up ------------------------------------------------------------------------------


@login_required
def followup_edit(request, occasion_id, code):
    occasion = get_object_or_404(
        ReportingOccasion.objects.select_related("plan_year"), pk=occasion_id
    )
    unit = get_object_or_404(OrgUnit, code=code)
    if not access_for(request.user).sees_followup(unit) or not selectors.is_expected(
        occasion, unit
    ):
        raise Http404
    request.styr_year = occasion.plan_year  # loaded with the occasion
    access = access_for(request.user)
    submission = Submission.objects.filter(occasion=occasion, org_unit=unit).first()
    if submission is not None:
        submission.occasion, submission.org_unit = occasion, unit  # loaded already
    can_write = access.can_edit(unit) and (submission is None or submission.is_editable)
    context = selectors.followup_context(
        occasion=occasion, unit=unit, submission=submission, user=request.user
    )
    context.update(
        {
            "occasion": occasion,
            "unit": unit,
            "submission": submission,
            "can_write": can_write,
            "can_answer": access.can_edit(unit)
            and submission is not None
            and submission.state != Submission.State.PUBLISHED,
            "is_open": occasion.is_open(timezone.localdate()),
            "history": history_shown(request, submission) if submission else [],
            "levels": Assessment,
            "typed_answer": request.session.pop(ANSWER_KEY, None) or {},
        }
    )
    # A committee handing in before its units: said on the form, and confirmed on submit.
    context["units_not_in"] = [row.unit for row in context["rollup"] if not row.state.done]
    context["units_not_in_refused"] = request.session.pop(UNITS_NOT_IN_KEY, False)
    status = 200
    if request.method == "POST":
        if not access.can_edit(unit):
            raise PermissionDenied("Du kan läsa uppföljningen men inte ändra den.")
        if submission is not None and not submission.is_editable:
            return locked_meanwhile(request, context, submission=submission)
        # A save after a conflict: each listed field as its radio button chose.
        posted = apply_choices(request.POST)
        forms = build_forms(
            request,
            occasion=occasion,
            unit=unit,
            submission=submission,
            context=context,
            data=posted,
        )
        submitting = request.POST.get("action") == "submit"
        answers = answer_forms(context["comments"], data=posted) if can_write else {}
        context["answer_forms"] = answers
        answers_valid = not [f for f in answers.values() if not f.is_valid()]  # each validated
        if validate(forms, context) and answers_valid:
            target = submission or cycle.submission_get_or_create(occasion=occasion, org_unit=unit)
            base = forms["main"].base_version
            if submission is None and base == 0 and target.version == 1:
                # Opened before anyone had started, and nobody has saved since: go ahead.
                # (Someone else's save would have counted the version past 1.)
                base = 1
            resolving = _open_comment(context, comment_pressed(request.POST, RESOLVE_ACTION))
            try:
                target = followup_save(
                    submission=target,
                    user=request.user,
                    base_version=base,
                    data=followup_input(forms),
                    assignment_forms=forms["assignments"],
                    answers=answers_input(answers),
                    resolve=resolving,
                )
            except services.StaleEdit as stale:
                forms, status = _conflict(request, context, stale, forms, answers, posted), 409
            except (cycle.StateConflict, PublishedError):
                # Handed in, approved or published between the page's check and the save.
                submission = Submission.objects.select_related(
                    "occasion__plan_year", "org_unit"
                ).get(pk=target.pk)
                return locked_meanwhile(request, context, submission=submission, refresh=True)
            except (ValidationError, cycle.MoveRefused) as exc:
                messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
                status = 400
            else:
                unconfirmed = (
                    submitting
                    and bool(context["units_not_in"])
                    and request.POST.get("lamna_in_anda") != "1"
                )
                if unconfirmed:
                    request.session[UNITS_NOT_IN_KEY] = True  # marked beside the box
                    if not selectors.missing_for_submit(target):
                        request.session[SUBMIT_REFUSED_KEY] = True  # listed at the top too
                        messages.error(
                            request,
                            "Utkastet är sparat men inte inlämnat: "
                            + _units_not_in_words(context["units_not_in"])
                            + " Kryssa i ”Lämna in ändå” om nämnden ska lämna in utan dem.",
                        )
                        return redirect(request.path + "#inlamning")
                if submitting:
                    try:
                        cycle.submission_submit(submission=target, user=request.user)
                    except cycle.MoveRefused as refused:
                        messages.error(
                            request,
                            f"Utkastet är sparat men kunde inte lämnas in: {refused.message}",
                        )
                        if not refused.problems:
                            return redirect(request.path)
                        # Everything at once: the page marks every gap of the saved draft
                        # (which is what was posted) and lists them at the top.
                        request.session[SUBMIT_REFUSED_KEY] = True
                        return redirect(request.path + "#felsammanfattning")
                    messages.success(request, "Uppföljningen är inlämnad för granskning.")
                elif comment_pressed(request.POST, ANSWER_ACTION):
                    pk = comment_pressed(request.POST, ANSWER_ACTION)
                    messages.success(request, "Svaret är sparat. " + DRAFT_SAVED_TOO)
                    return redirect(f"{request.path}#kommentar-{pk}")
                elif resolving is not None:
                    messages.success(
                        request, "Kommentaren är markerad som löst. " + DRAFT_SAVED_TOO
                    )
                    return redirect(f"{request.path}#kommentar-{resolving.pk}")
                else:
                    messages.success(request, "Utkastet är sparat.")
                return redirect(request.path)
        elif submitting:
            # Refused values are not saved, but what a hand-in would lack besides is listed
            # with them, counted from the values as posted.
            mark_gaps(forms, typed_gaps(forms, context, occasion=occasion))
            context["submit_refused"] = True
            if context["units_not_in"] and request.POST.get("lamna_in_anda") != "1":
                context["units_not_in_refused"] = True
        context["forms"] = forms
        context["unsaved"] = True
    else:
        context["forms"] = build_forms(
            request, occasion=occasion, unit=unit, submission=submission, context=context
        )
        context["answer_forms"] = answer_forms(context["comments"]) if can_write else {}
        show_frozen(context, submission=submission, user=request.user)
    gaps = (
        selectors.saved_gaps(submission, loaded=context)
        if submission is not None and can_write and not context.get("unsaved")
        else []
    )
    if request.method == "GET" and request.session.pop(SUBMIT_REFUSED_KEY, False) and can_write:
        mark_gaps(context["forms"], gaps)
        context["submit_refused"] = True
    # The box at the bottom: what the saved draft lacks (never what the page holds unsaved).
    context["problems"] = gap_links(context["forms"], gaps)
    context["answer_errors"] = [f for f in context["answer_forms"].values() if f.errors]
    context["error_forms"] = [f for f in all_forms(context["forms"]) if f.errors] + context[
        "answer_errors"
    ]
    # What the page holds is not saved (a conflict, an error): leaving it warns (unsaved.js).
    context["unsaved"] = request.method == "POST"
    priorities = context["forms"]["priorities"]
    if request.method == "POST" and priorities is not None and priorities.non_form_errors():
        messages.error(
            request, "Prioriteringarna kunde inte läsas. Ladda om sidan och försök igen."
        )
    return render(request, "goals/followup_edit.html", context, status=status)


DRAFT_SAVED_TOO = "Det du ändrat i uppföljningen är sparat som utkast."


def _open_comment(context, pk):
    """The open comment `pk` of this follow-up, from the page's comments, or None."""
    if pk is None:
        return None
    comments = (c for rows in context["comments"].values() for c in rows)
    return next((c for c in comments if c.pk == pk and not c.resolved_at), None)


def _conflict(request, context, stale, forms, answers, posted):
    """Someone saved first: the form again, each field they changed with theirs and yours.

    Where the user did not touch a field, it takes their value; "Spara igen" then keeps
    every change of theirs that the user did not choose to replace.
    """
    data = posted.copy()
    data["version"] = str(stale.current.version)
    found = followup_conflicts(
        forms=forms,
        answer_forms=answers,
        context=context,
        current=stale.current,
        base_version=stale.base_version,
        data=data,
        user=request.user,
    )
    rebuilt = build_forms(
        request,
        occasion=context["occasion"],
        unit=context["unit"],
        submission=stale.current,
        context=context,
        data=data,
    )
    for f in all_forms(rebuilt):
        f.is_valid()
    context["answer_forms"] = answer_forms(context["comments"], data=data)
    for f in context["answer_forms"].values():
        f.is_valid()
    context["field_conflicts"] = found["fields"] if found else []
    context["conflict_names"] = (found["names"] if found else []) or ["någon annan"]
    if found and found["names"]:
        messages.error(request, conflict_message(found["names"]))
    else:
        messages.error(request, CONFLICT_MESSAGE)
    if not context["field_conflicts"]:
        # Nothing field by field to show (an unknown version): what changed, as before.
        context["conflict"] = selectors.history_entries(
            stale.current, since_version=stale.base_version
        )
    return rebuilt


def _units_not_in_words(units) -> str:
    names = ", ".join(u.name for u in units[:5]) + (
        f" och {len(units) - 5} till" if len(units) > 5 else ""
    )
    if len(units) == 1:
        return f"1 enhet har inte lämnat in sin uppföljning ({names})."
    return f"{len(units)} enheter har inte lämnat in sina uppföljningar ({names})."


@login_required
def comment_respond(request, pk):
    comment = get_object_or_404(ReviewComment.objects.select_related("submission__org_unit"), pk=pk)
    unit = comment.submission.org_unit
    if not access_for(request.user).sees_followup(unit):
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        if request.POST.get("action") == "resolve":
            cycle.comment_resolve(comment=comment, user=request.user)
            messages.success(request, "Kommentaren är markerad som löst.")
        else:
            cycle.comment_answer(
                comment=comment, user=request.user, answer=request.POST.get("answer", "")
            )
            messages.success(request, "Svaret är sparat.")
    except cycle.MoveRefused as refused:
        if not access_for(request.user).can_edit(unit) and not access_for(request.user).can_review(
            unit
        ):
            raise PermissionDenied(refused.message) from refused
        messages.error(request, refused.message)
        if request.POST.get("action") != "resolve":
            request.session[ANSWER_KEY] = {
                "comment": comment.pk,
                "value": request.POST.get("answer", "")[:TYPED_KEPT],
                "error": refused.message,
            }
    except PublishedError as exc:
        messages.error(request, exc.messages[0])
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(comment.submission.get_absolute_url())


# --- review (kommunledningskontoret) --------------------------------------------------------------


def _require_reviewer_role(user):
    if not access_for(user).reviews_anything:
        raise PermissionDenied("Granskningen är till för kommunledningskontoret.")


@login_required
def review_overview(request):
    _require_reviewer_role(request.user)
    years = selectors.plan_years()
    year = _selected_year(request, years)
    today = timezone.localdate()
    context = selectors.review_overview(year=year, today=today, user=request.user)
    context.update(
        {
            "years": years,
            "year": year,
            "today": today,
            "levels": Assessment,
            "next_year_exists": PlanYear.objects.filter(year=year + 1).exists(),
            "can_start_next_year": access_for(request.user).steers_municipality,
        }
    )
    return render(request, "goals/review_overview.html", context)


def _typed(request, *, submission, action: str, error: str) -> dict:
    """What the reviewer typed with a refused action, for the page: nothing typed is lost."""
    field = {"comment": "text", "return": "reason", "approve": "reason"}.get(action)
    if field is None:
        return {}
    return {
        "submission": submission.pk,
        "field": field,
        "value": request.POST.get(field, "")[:TYPED_KEPT],
        "goal": parse_id(request.POST.get("direction_goal")) if field == "text" else None,
        "error": error,
    }


def _keep_typed(request, *, submission, action: str, error: str) -> None:
    """What the reviewer typed, for the page after the redirect."""
    typed = _typed(request, submission=submission, action=action, error=error)
    if typed:
        request.session[TYPED_KEY] = typed


@login_required
def review_submission(request, pk):
    submission = get_object_or_404(
        Submission.objects.select_related("occasion__plan_year", "org_unit"), pk=pk
    )
    unit = submission.org_unit
    if not access_for(request.user).sees_followup(unit):
        raise Http404
    _require_reviewer_role(request.user)
    request.styr_year = submission.occasion.plan_year  # loaded with the submission
    access = access_for(request.user)
    if request.method == "POST":
        action = request.POST.get("action", "")
        back = ""  # where on the page the reviewer was: the goal commented on
        try:
            if action == "comment":
                goal_id = parse_id(request.POST.get("direction_goal"))
                goal = DirectionGoal.objects.filter(pk=goal_id).first() if goal_id else None
                back = f"#mal-{goal.pk}" if goal else "#allmanna-kommentarer"
                cycle.comment_add(
                    submission=submission,
                    user=request.user,
                    text=request.POST.get("text", ""),
                    direction_goal=goal,
                )
                messages.success(request, "Kommentaren är sparad.")
            elif action == "return":
                cycle.submission_return(
                    submission=submission, user=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(
                    request, f"Uppföljningen är återsänd till {submission.org_unit.kind_definite}."
                )
            elif action == "approve":
                cycle.submission_approve(
                    submission=submission, user=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, "Uppföljningen är godkänd.")
            elif action == "publish":
                if (
                    request.POST.get("bekraftat") != "1"
                    and access.can_publish(unit)
                    and submission.state == Submission.State.APPROVED
                ):
                    return _confirm_publish(request, submission)
                adoption = AdoptionForm(request.POST)
                if not adoption.is_valid():
                    return _confirm_publish(request, submission, form=adoption)
                cycle.submission_publish(
                    submission=submission, user=request.user, adoption=adoption.cleaned_data
                )
                messages.success(request, "Uppföljningen är publicerad.")
            else:
                messages.error(request, "Okänd åtgärd.")
        except cycle.StateConflict as refused:
            # Someone moved the follow-up (or commented) since the page was opened: the page
            # as it stands now, with what was typed still in its field (409).
            messages.error(request, refused.message)
            typed = _typed(request, submission=submission, action=action, error=refused.message)
            submission.refresh_from_db()
            return _review_page(request, submission, typed=typed, status=409)
        except PublishedError as exc:
            messages.error(request, exc.messages[0])
            typed = _typed(request, submission=submission, action=action, error=exc.messages[0])
            submission.refresh_from_db()
            return _review_page(request, submission, typed=typed, status=409)
        except cycle.MoveRefused as refused:
            messages.error(request, refused.message)
            _keep_typed(request, submission=submission, action=action, error=refused.message)
        return redirect(reverse("review_submission", args=[submission.pk]) + back)
    typed = request.session.pop(TYPED_KEY, None)
    if not typed or typed.get("submission") != submission.pk:
        typed = {}
    return _review_page(request, submission, typed=typed)


def _review_page(request, submission, *, typed: dict, status: int = 200):
    """The review page of `submission`; `typed`: what the reviewer typed that was refused."""
    unit = submission.org_unit
    access = access_for(request.user)
    context = selectors.followup_context(
        occasion=submission.occasion, unit=unit, submission=submission, user=request.user
    )
    context.update(
        {
            "typed": typed,
            "answer_forms": {},  # answers are written on the follow-up form, not here
            "typed_answer": request.session.pop(ANSWER_KEY, None) or {},
            "typed_general": typed.get("field") == "text" and not typed.get("goal"),
            "typed_goal": typed.get("goal") if typed.get("field") == "text" else None,
            "submission": submission,
            "occasion": submission.occasion,
            "unit": unit,
            "can_review": access.can_review(unit),
            "can_publish": access.can_publish(unit),
            "levels": Assessment,
            "assignment_rows": followup_assignments(
                occasion=submission.occasion, unit=unit, submission=submission, user=request.user
            ),
        }
    )
    # Handed in again after a return: what changed since the previous hand-in.
    context["changes"] = selectors.changes_since_last_submission(
        submission=submission, context=context
    )
    if status == 409 and submission.state != Submission.State.SUBMITTED and typed.get("value"):
        # The field it was typed in is gone with the state: shown apart, to copy.
        label = "Kommentar" if typed["field"] == "text" else "Motivering"
        context["not_saved"] = [TypedValue(label=label, value=typed["value"])]
        context["not_saved_reason"] = typed["error"]
    show_frozen(context, submission=submission, user=request.user)
    return render(request, "goals/review_submission.html", context, status=status)


def _confirm_publish(request, submission, form=None):
    """Publishing is final: the page says what will happen before it happens, and takes the
    adoption (body, date, §, Dnr) if there is one."""
    what = f"{submission.occasion.name} {submission.occasion.plan_year.year}"
    return render(
        request,
        "goals/confirm.html",
        {
            "confirm": {
                "title": f"Publicera {what} – {submission.org_unit.name}?",
                "lead": "Kontrollera att uppföljningen är granskad färdigt innan du publicerar.",
                "consequences": [
                    "Uppföljningen blir slutlig: den kan inte längre ändras, skickas tillbaka "
                    "eller kommenteras.",
                    "Sidan och rapporterna visar den som den ser ut nu, även om mål, indikatorer "
                    "eller utfall ändras senare.",
                    f"Alla som ser {submission.org_unit.name} kan läsa den, även politikerna.",
                ]
                + (
                    [
                        f"Nämndens rapport för {what} skapas i bakgrunden och visas i "
                        "rapportbiblioteket; när alla nämnder har publicerat skapas också "
                        "kommunens rapport."
                    ]
                    if submission.org_unit.kind == OrgUnit.Kind.COMMITTEE
                    else []
                ),
                "irreversible": True,
                "action": reverse("review_submission", args=[submission.pk]),
                "hidden": [("action", "publish")],
                "form": form or AdoptionForm(),
                "form_title": "Fastställande",
                "button": "Ja, publicera",
                "cancel": reverse("review_submission", args=[submission.pk]),
            }
        },
    )


@login_required
def start_next_year(request, year):
    plan_year = get_object_or_404(PlanYear, year=year)
    _require_reviewer_role(request.user)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not access_for(request.user).steers_municipality:
        raise PermissionDenied(
            "Bara kommunledningskontoret och administratörer för hela kommunen startar ett nytt år."
        )
    if request.POST.get("bekraftat") != "1":
        return _confirm_next_year(request, plan_year)
    try:
        next_year = cycle.plan_year_start_next(plan_year=plan_year, user=request.user)
    except cycle.MoveRefused as refused:
        raise PermissionDenied(refused.message) from refused
    messages.success(
        request,
        f"Verksamhetsår {next_year.year} är startat med rapporteringstillfällen och utkast till "
        "verksamhetsplaner byggda på årets prioriteringar.",
    )
    return redirect(f"{reverse('plans')}?ar={next_year.year}")


def _confirm_next_year(request, plan_year):
    preview = selectors.next_year_preview(plan_year=plan_year)
    n = preview["next_year"]
    consequences = [
        f"Verksamhetsår {n} skapas med sina rapporteringstillfällen."
        if not preview["exists"]
        else f"Verksamhetsår {n} finns redan: bara det som saknas läggs till, inget dubbelt.",
        f"{preview['plans']} verksamhetsplan{'er' if preview['plans'] != 1 else ''} för "
        f"{plan_year.year} får ett utkast för {n}, länkat till sitt ursprung.",
        f"{preview['priorities']} prioritering{'ar' if preview['priorities'] != 1 else ''} ur "
        f"godkända verksamhetsberättelser {plan_year.year} blir aktiviteter i utkasten, och "
        "ej avslutade aktiviteter under mål som fortfarande gäller följer med.",
    ]
    return render(
        request,
        "goals/confirm.html",
        {
            "confirm": {
                "title": f"Starta verksamhetsår {n}?",
                "lead": f"Nästa års planering byggs på analysen {plan_year.year}.",
                "consequences": consequences,
                "irreversible": not preview["exists"],
                "action": reverse("review_start_next_year", args=[plan_year.year]),
                "hidden": [],
                "button": f"Ja, starta {n}",
                "cancel": f"{reverse('review')}?ar={plan_year.year}",
            }
        },
    )
