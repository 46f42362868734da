"""Illustrative risk analyses, internkontrollplaner and control results for the demo.

Danderyd's seed document says nothing about its internal control: every risk, control and
result here is an invented example of what a Swedish committee's plan holds, and says so
("Exempel:"). Each committee gets eight risks for 2025 and the same risks carried to 2026,
re-assessed; the 2026 plan is adopted and its controls report at Tertialrapport 1 and the
Delårsrapport, some with a deviation. Idempotent: a rerun writes nothing.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from goals.demo import upsert
from goals.models import OrgUnit, PlanYear, ReportingOccasion
from quality.models import Deviation

from .models import Control, ControlPlan, ControlResult, Risk
from .selectors import is_due

D = datetime.date.fromisoformat
COMMITTEES = ["KS", "UN", "SN", "KFN", "MHN", "BN", "FN"]
CP, OTHER, ACCEPT = (
    Risk.Decision.CONTROL_PLAN,
    Risk.Decision.HANDLED_OTHERWISE,
    Risk.Decision.ACCEPTED,
)

# (title, area, probability, consequence, decision, handled_how) – common to every committee.
COMMON = [
    ("Inköp görs utanför gällande avtal", "Upphandling och inköp", 3, 3, CP, ""),
    ("Attest sker utan behörighet", "Ekonomi", 2, 4, CP, ""),
    (
        "Personuppgifter hanteras i strid med dataskyddsförordningen",
        "Informationssäkerhet",
        3,
        4,
        CP,
        "",
    ),
    (
        "Delegationsbeslut anmäls inte till nämnden",
        "Delegation",
        2,
        2,
        OTHER,
        "Exempel: påminnelse i nämndsekreterarens checklista inför varje sammanträde.",
    ),
    ("Bisysslor anmäls och prövas inte", "Personal", 2, 3, ACCEPT, ""),
]
SPECIFIC = {
    "KS": [
        ("Kommunövergripande styrdokument revideras inte i tid", "Styrning", 3, 2, CP, ""),
        (
            "Beslut verkställs inte",
            "Nämndadministration",
            2,
            3,
            OTHER,
            "Exempel: uppföljning av beslut i ledningsgruppen varje månad.",
        ),
        ("Leverantörsfakturor betalas dubbelt", "Ekonomi", 1, 3, ACCEPT, ""),
    ],
    "UN": [
        ("Elever får inte det stöd de har rätt till", "Elevhälsa", 3, 4, CP, ""),
        (
            "Kränkande behandling anmäls inte till huvudmannen",
            "Trygghet och studiero",
            2,
            4,
            CP,
            "",
        ),
        ("Skolpengen beräknas fel", "Ekonomi", 2, 2, ACCEPT, ""),
    ],
    "SN": [
        ("Utredningstider överskrids i barnavårdsärenden", "Myndighetsutövning", 3, 4, CP, ""),
        ("Avvikelser enligt lex Sarah utreds inte", "Kvalitet", 2, 4, CP, ""),
        (
            "Felaktiga utbetalningar av ekonomiskt bistånd",
            "Ekonomiskt bistånd",
            3,
            3,
            OTHER,
            "Exempel: dubbel kontroll av utbetalningar över ett visst belopp.",
        ),
    ],
    "KFN": [
        ("Föreningsbidrag betalas ut på felaktiga uppgifter", "Bidrag", 3, 3, CP, ""),
        ("Bokningar av lokaler debiteras inte", "Lokaluthyrning", 2, 2, ACCEPT, ""),
        ("Biblioteksmedier försvinner", "Bibliotek", 2, 1, ACCEPT, ""),
    ],
    "MHN": [
        ("Tillsyn enligt plan genomförs inte", "Tillsyn", 3, 3, CP, ""),
        ("Avgifter för tillsyn debiteras inte", "Avgifter", 2, 3, CP, ""),
        (
            "Jäv vid myndighetsutövning",
            "Myndighetsutövning",
            1,
            4,
            OTHER,
            "Exempel: jävsfrågan tas upp vid varje ärendedragning.",
        ),
    ],
    "BN": [
        ("Bygglov handläggs inte inom lagstadgad tid", "Bygglov", 3, 3, CP, ""),
        ("Avgifter reduceras inte vid överskriden handläggningstid", "Avgifter", 2, 3, CP, ""),
        ("Arkivering av bygglovshandlingar brister", "Arkiv", 2, 2, ACCEPT, ""),
    ],
    "FN": [
        ("Underhåll av fastigheter skjuts upp", "Fastighetsunderhåll", 3, 3, CP, ""),
        ("Brandskyddskontroller genomförs inte", "Säkerhet", 2, 4, CP, ""),
        (
            "Hyresavtal löper ut utan omförhandling",
            "Lokalförsörjning",
            2,
            2,
            OTHER,
            "Exempel: avtalsregister med bevakning sex månader före utgång.",
        ),
    ],
}
# How the first controls of each committee check their risks.
CONTROL_TEXTS = {
    "Inköp görs utanför gällande avtal": (
        "Att inköp görs hos avtalade leverantörer",
        "Stickprov i leverantörsreskontran mot avtalskatalogen",
        "20 fakturor per tertial",
    ),
    "Attest sker utan behörighet": (
        "Att attest görs av behöriga attestanter",
        "Jämförelse mellan attestlista och attesterade fakturor",
        "25 slumpvis valda fakturor",
    ),
    "Personuppgifter hanteras i strid med dataskyddsförordningen": (
        "Att registerförteckningen är fullständig och aktuell",
        "Genomgång av registerförteckningen med dataskyddsombudet",
        "Samtliga behandlingar",
    ),
}
# Committees whose Tertialrapport 1 control found a deviation (illustrative).
DEVIATION_AT = {"SN", "KFN", "BN"}


def _risk_rows(code: str) -> list[tuple]:
    return COMMON + SPECIFIC[code]


def load_internal_control_demo() -> None:
    """Risks 2025 and 2026 (carried), the adopted 2026 plan, results at past occasions."""
    committees = {u.code: u for u in OrgUnit.objects.filter(code__in=COMMITTEES)}
    years = {py.year: py for py in PlanYear.objects.filter(year__in=[2025, 2026])}
    if len(committees) != len(COMMITTEES) or len(years) != 2:
        return
    occasions = {o.name: o for o in ReportingOccasion.objects.filter(plan_year=years[2026])}
    writer = get_user_model().objects.filter(username="admin").first()
    with transaction.atomic():
        for committee in committees.values():
            _load_committee(committee, years, occasions, writer)


def _load_committee(committee, years, occasions, writer) -> None:
    previous = {}
    for title, area, p, c, decision, how in _risk_rows(committee.code):
        previous[title] = upsert(
            Risk,
            {"committee": committee, "plan_year": years[2025], "title": title},
            {
                "area": area,
                "description": f"Exempel: risken att {title[0].lower()}{title[1:]}.",
                "owner": "Förvaltningschef",
                "probability": min(4, p + 1) if decision == CP else p,
                "consequence": c,
                "reasoning": "Exempel på motivering: bedömt i förvaltningens ledningsgrupp.",
                "decision": decision,
                "handled_how": how,
            },
        )
    risks = []
    for title, area, p, c, decision, how in _risk_rows(committee.code):
        risks.append(
            upsert(
                Risk,
                {"committee": committee, "plan_year": years[2026], "title": title},
                {
                    "area": area,
                    "description": f"Exempel: risken att {title[0].lower()}{title[1:]}.",
                    "owner": "Förvaltningschef",
                    "probability": p,
                    "consequence": c,
                    "reasoning": "Exempel på motivering: omprövad efter förra årets kontroller.",
                    "decision": decision,
                    "handled_how": how,
                    "carried_from": previous[title],
                },
            )
        )
    plan = upsert(ControlPlan, {"committee": committee, "plan_year": years[2026]}, {})
    t1, interim = occasions["Tertialrapport 1"], occasions["Delårsrapport"]
    controls = []
    for n, risk in enumerate(r for r in risks if r.decision == CP):
        what, method, scope = CONTROL_TEXTS.get(
            risk.title,
            (
                f"Att rutinen mot risken ”{risk.title.lower()}” följs",
                "Genomgång av ett urval ärenden mot rutinen",
                "10 ärenden",
            ),
        )
        controls.append(
            upsert(
                Control,
                {"plan": plan, "risk": risk},
                {
                    "what": what,
                    "method": method,
                    "scope": scope,
                    "frequency": Control.Frequency.TERTIAL if n == 0 else Control.Frequency.ONCE,
                    "responsible": "Controller" if n % 2 == 0 else "Enhetschef",
                    "occasion": t1 if n < 2 else interim,
                },
            )
        )
    if not plan.is_adopted:
        plan.adopted_by = committee.name
        plan.adopted_on = D("2025-11-20")
        plan.paragraph = "12"
        plan.reference = f"{committee.code}-2025/0{len(committee.code)}47"
        plan.recorded_by = writer
        plan.save()
    for control in controls:
        if control.occasion_id == t1.pk:
            _result(control, t1, committee, writer, with_deviation=control is controls[0])
        if committee.code == "SN" and is_due(control, interim):
            _result(control, interim, committee, writer, with_deviation=False)


def _result(control, occasion, committee, writer, *, with_deviation: bool) -> None:
    deviation = None
    found = with_deviation and committee.code in DEVIATION_AT
    if found:
        deviation = upsert(
            Deviation,
            {
                "org_unit": committee,
                "title": f"Exempel: brister i kontrollen av {control.what[4:]}",
            },
            {
                "occurred_on": occasion.period_end,
                "description": "Exempel: tre av tjugo granskade underlag saknade rätt beslut.",
                "severity": Deviation.Severity.MEDIUM,
                "status": Deviation.Status.INVESTIGATING,
                "reported_by": writer,
            },
        )
    upsert(
        ControlResult,
        {"control": control, "occasion": occasion},
        {
            "status": ControlResult.Status.DONE,
            "findings": "Exempel: tre av tjugo underlag saknade rätt beslut."
            if found
            else "Exempel: kontrollen visade inga brister.",
            "assessment": "partly" if found else "fulfilled",
            "deviation": deviation,
            "action": "Exempel: rutinen gås igenom på nästa arbetsplatsträff." if found else "",
            "action_owner": "Förvaltningschef" if found else "",
            "action_due": D("2026-09-30") if found else None,
        },
    )


def reset_internal_control_demo() -> None:
    """Wipe intern kontroll's rows and their history (seed_demo --reset)."""
    with transaction.atomic():
        for model in (ControlResult, Control, ControlPlan, Risk):
            model.objects.all().delete()
            model.history.model.objects.all().delete()


# --- the large municipality (demo.large) --------------------------------------------------------


def load_internal_control_large(*, committees, plan_years, occasions, today) -> dict:
    """Per committee and year: the eight illustrative risks, an adopted plan with a control
    per risk taken to it, and a result for each control at every follow-up occasion that has
    passed; every third result found a deviation. Bulk-written, with history."""
    from simple_history.utils import bulk_create_with_history

    follow_ups = {}
    for occasion in occasions:
        if occasion.is_follow_up:
            follow_ups.setdefault(occasion.plan_year_id, []).append(occasion)
    risks, plans = [], []
    for committee in committees:
        rows = COMMON + SPECIFIC["KS"]
        for plan_year in plan_years:
            for title, area, p, c, decision, how in rows:
                risks.append(
                    Risk(
                        committee=committee,
                        plan_year=plan_year,
                        title=title,
                        description=f"Exempel: risken att {title[0].lower()}{title[1:]}.",
                        area=area,
                        owner="Förvaltningschef",
                        probability=p,
                        consequence=c,
                        decision=decision,
                        handled_how=how,
                    )
                )
            plans.append(
                ControlPlan(
                    committee=committee,
                    plan_year=plan_year,
                    adopted_by=committee.name,
                    adopted_on=datetime.date(plan_year.year - 1, 11, 20),
                    paragraph="12",
                )
            )
    risks = bulk_create_with_history(risks, Risk, batch_size=1000)
    plans = bulk_create_with_history(plans, ControlPlan, batch_size=1000)
    plan_of = {(p.committee_id, p.plan_year_id): p for p in plans}
    controls = []
    for risk in risks:
        year_occasions = follow_ups.get(risk.plan_year_id)
        if risk.decision != CP or not year_occasions:
            continue
        controls.append(
            Control(
                plan=plan_of[(risk.committee_id, risk.plan_year_id)],
                risk=risk,
                what=f"Att rutinen mot risken ”{risk.title.lower()}” följs",
                method="Genomgång av ett urval ärenden mot rutinen",
                scope="10 ärenden",
                frequency=Control.Frequency.TERTIAL,
                responsible="Controller",
                occasion=year_occasions[0],
            )
        )
    controls = bulk_create_with_history(controls, Control, batch_size=1000)
    results = []
    for n, control in enumerate(controls):
        for occasion in follow_ups[control.plan.plan_year_id]:
            if occasion.deadline >= today:
                continue
            results.append(
                ControlResult(
                    control=control,
                    occasion=occasion,
                    status=ControlResult.Status.DONE,
                    findings="Exempel: kontrollen visade inga brister.",
                    assessment="partly" if n % 3 == 0 else "fulfilled",
                )
            )
    results = bulk_create_with_history(results, ControlResult, batch_size=1000)
    return {
        "risks": len(risks),
        "control_plans": len(plans),
        "controls": len(controls),
        "control_results": len(results),
    }
