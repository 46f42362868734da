"""Illustrative quality controls and deviations for the Danderyd demo, loaded idempotently.

Invented examples of a Swedish municipality's quality work, not the municipality's own
data. One deviation is lifted into a plan and one indicator moved to the quality system,
through the same services the pages use, so their links and history are real.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from goals.demo import upsert
from goals.models import DirectionGoal, Indicator, OrgUnit, PlanYear

from . import services
from .models import Deviation, IndicatorMove, QualityControl, QualityMeasurement

D = datetime.date

CONTROLS = [
    {
        "unit": "SF-AO-KEV",
        "name": "Andel boende med en läkemedelsgenomgång det senaste året",
        "description": "Sjuksköterska och läkare går igenom varje boendes läkemedel minst en "
        "gång per år. Kontrolleras i journalsystemet varje kvartal.",
        "frequency": QualityControl.Frequency.QUARTERLY,
        "unit_of_measure": "%",
        "higher_is_better": True,
        "measurements": [
            (D(2026, 3, 31), "Kvartal 1 2026", "92", ""),
            (D(2026, 6, 30), "Kvartal 2 2026", "95", ""),
            (D(2026, 9, 30), "Kvartal 3 2026", "96", "Två genomgångar flyttade till oktober."),
        ],
    },
    {
        "unit": "SF-AO-HT",
        "name": "Följsamhet till basala hygienrutiner och klädregler",
        "description": "Egenkontroll enligt observationsprotokoll: andel observerade "
        "vårdmoment där alla steg i de basala hygienrutinerna följdes.",
        "frequency": QualityControl.Frequency.HALF_YEARLY,
        "unit_of_measure": "%",
        "higher_is_better": True,
        "measurements": [
            (D(2026, 4, 15), "Våren 2026", "88", "Brister i handdesinfektion före handskar."),
            (D(2026, 10, 15), "Hösten 2026", "93", ""),
        ],
    },
    {
        "unit": "UF-ENS",
        "name": "Anmälningar om kränkande behandling som utretts inom två veckor",
        "description": "Andel anmälningar till rektor och huvudman där utredningen var klar "
        "inom två veckor.",
        "frequency": QualityControl.Frequency.TERTIAL,
        "unit_of_measure": "%",
        "higher_is_better": True,
        "measurements": [
            (D(2026, 4, 30), "Tertial 1 2026", "90", ""),
            (D(2026, 8, 31), "Tertial 2 2026", "100", ""),
        ],
    },
    {
        "unit": "KFF-BIB",
        "name": "Brister vid tillgänglighetskontroll av bibliotekens lokaler",
        "description": "Årlig genomgång av entréer, hissar, skyltning och hörslingor med "
        "checklista.",
        "frequency": QualityControl.Frequency.YEARLY,
        "unit_of_measure": "antal",
        "higher_is_better": False,
        "measurements": [(D(2025, 11, 20), "2025", "3", "Hörslinga i hörsalen ur funktion.")],
    },
]

DEVIATIONS = [
    {
        "unit": "SF-AO-KEV",
        "occurred_on": D(2026, 2, 14),
        "title": "Kvällsläkemedel gavs med flera timmars försening",
        "description": "Vid två tillfällen under en helg gavs kvällsläkemedel flera timmar "
        "för sent på en avdelning. Signeringslistan följdes inte vid personalbyte.",
        "severity": Deviation.Severity.HIGH,
        "status": Deviation.Status.INVESTIGATING,
        "reporter": "admin",
        # Lifted into the unit's plan under the goal it threatens.
        "lift": {
            "goal": "SN-HK-1",
            "title": "Säkra läkemedelshanteringen vid personalbyte",
            "responsible": "Enhetschef och ansvarig sjuksköterska",
        },
    },
    {
        "unit": "UF-ENS",
        "occurred_on": D(2026, 3, 5),
        "title": "Frånvaromeddelanden till vårdnadshavare skickades inte",
        "description": "Under en vecka fick vårdnadshavare i en klass inget meddelande om "
        "ogiltig frånvaro, eftersom klasslistan inte uppdaterats efter en klassändring.",
        "severity": Deviation.Severity.MEDIUM,
        "status": Deviation.Status.REMEDIED,
        "reporter": "enhet",
    },
    {
        "unit": "SF-AO-HT",
        "occurred_on": D(2026, 5, 20),
        "title": "Ett planerat lunchbesök uteblev",
        "description": "En brukare fick inte sitt lunchbesök efter en schemaändring i "
        "planeringsverktyget. Brukaren och anhöriga kontaktades samma dag.",
        "severity": Deviation.Severity.HIGH,
        "status": Deviation.Status.CLOSED,
        "reporter": "admin",
    },
    {
        "unit": "KFF-BIB",
        "occurred_on": D(2026, 9, 2),
        "title": "Hissen till barnavdelningen ur funktion i tre dagar",
        "description": "Besökare med rullstol eller barnvagn kunde inte nå barnavdelningen. "
        "Skylt och hänvisning till personal sattes upp.",
        "severity": Deviation.Severity.MEDIUM,
        "status": Deviation.Status.REGISTERED,
        "reporter": "admin",
    },
]

MOVE = {
    "indicator": "MHN-SU-1-1",
    "unit": "MHK-LIV",
    "on": D(2026, 6, 15),
    "reason": "Indikatorn kontrollerar att den lagstadgade kontrollplanen följs. Utfallet är "
    "högt och stabilt och påverkar inte nämndens måluppfyllelse, så den förvaltas i "
    "kvalitetsledningssystemet.",
    "measurements": [
        (D(2026, 8, 31), "Januari–augusti 2026", "68", "Andel av årets planerade kontroller."),
    ],
}


def _measurements(control, rows) -> None:
    for measured_on, period, value, comment in rows:
        upsert(
            QualityMeasurement,
            {"control": control, "measured_on": measured_on},
            {"period_label": period, "value": Decimal(value), "comment": comment},
        )


def load_quality_demo() -> None:
    """Controls, measurements, deviations, one lift and one move; a rerun changes nothing."""
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=_unit_codes())}
    people = get_user_model().objects.filter(username__in=["admin", "enhet"])
    users = {u.username: u for u in people}
    admin = users["admin"]
    with transaction.atomic():
        for row in CONTROLS:
            control = upsert(
                QualityControl,
                {"org_unit": units[row["unit"]], "name": row["name"]},
                {
                    "description": row["description"],
                    "frequency": row["frequency"],
                    "unit_of_measure": row["unit_of_measure"],
                    "higher_is_better": row["higher_is_better"],
                },
            )
            _measurements(control, row["measurements"])
        for row in DEVIATIONS:
            lift = row.get("lift")
            values = {
                "occurred_on": row["occurred_on"],
                "description": row["description"],
                "severity": row["severity"],
                "status": row["status"],
                "reported_by": users[row["reporter"]],
            }
            if lift:
                values["harms_goal_fulfilment"] = True
            deviation = upsert(
                Deviation, {"org_unit": units[row["unit"]], "title": row["title"]}, values
            )
            if lift and deviation.activity_id is None:
                services.deviation_lift_to_plan(
                    deviation=deviation,
                    direction_goal=DirectionGoal.objects.get(code=lift["goal"]),
                    acting_user=admin,
                    plan_year=PlanYear.objects.get(year=2026),
                    title=lift["title"],
                    responsible=lift["responsible"],
                )
        indicator = Indicator.objects.select_related("direction_goal__committee").get(
            code=MOVE["indicator"]
        )
        if not IndicatorMove.objects.filter(indicator=indicator).exists():
            services.indicator_move_to_quality(
                indicator=indicator,
                acting_user=admin,
                reason=MOVE["reason"],
                org_unit=units[MOVE["unit"]],
                on=MOVE["on"],
            )
        control = QualityControl.objects.get(source_indicator=indicator)
        _measurements(control, MOVE["measurements"])


def _unit_codes() -> set[str]:
    return {r["unit"] for r in CONTROLS + DEVIATIONS} | {MOVE["unit"]}


def reset_quality_demo() -> None:
    """Wipe the quality system's rows and their history (seed_demo --reset)."""
    with transaction.atomic():
        for model in (QualityMeasurement, IndicatorMove, Deviation, QualityControl):
            model.objects.all().delete()
            model.history.model.objects.all().delete()
