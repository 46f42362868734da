"""Illustrative governing documents and assignments for the Danderyd demo, idempotent.

The three laws are real (title, SFS number, date of the Riksdag's decision, link to the
Riksdag's statute book). The municipal documents and the assignments are invented examples
of what a Swedish municipality decides, not Danderyd's actual decisions.
"""

import datetime

from django.db import transaction

from goals.demo import upsert
from goals.models import DirectionGoal, OrgUnit, Submission

from .models import Assignment, AssignmentStatus, GoverningDocument

SFS = "https://www.riksdagen.se/sv/dokument-och-lagar/dokument/svensk-forfattningssamling/"
# The municipality publishes its governing documents on its website.
MUNICIPAL_SITE = "https://www.danderyd.se/"

D = datetime.date.fromisoformat

DOCUMENTS = [
    {
        "title": "Skollagen (2010:800)",
        "kind": GoverningDocument.Kind.LAW,
        "level": GoverningDocument.Level.STATE,
        "decided_by": "Riksdagen",
        "decided_on": D("2010-06-23"),
        "next_review_on": None,
        "link": SFS + "skollag-2010800_sfs-2010-800/",
        "owner": "UN",
        "units": ["UN", "UF"],
        "goals": ["UN-HK-1", "UN-HK-2", "UN-SV-1"],
    },
    {
        # Socialtjänstlagen (2001:453) was replaced by a new act (2025:400) from 1 July 2025;
        # LSS is in force and rests on the same committee's mission.
        "title": "Lag (1993:387) om stöd och service till vissa funktionshindrade",
        "kind": GoverningDocument.Kind.LAW,
        "level": GoverningDocument.Level.STATE,
        "decided_by": "Riksdagen",
        "decided_on": D("1993-05-27"),
        "next_review_on": None,
        "link": SFS + "lag-1993387-om-stod-och-service-till-vissa_sfs-1993-387/",
        "owner": "SN",
        "units": ["SN", "SF"],
        "goals": ["SN-HK-1", "SN-HA-1"],
    },
    {
        "title": "Kommunallagen (2017:725)",
        "kind": GoverningDocument.Kind.LAW,
        "level": GoverningDocument.Level.STATE,
        "decided_by": "Riksdagen",
        "decided_on": D("2017-06-21"),
        "next_review_on": None,
        "link": SFS + "kommunallag-2017725_sfs-2017-725/",
        "owner": "DK",
        "units": ["KS", "UN", "SN", "KFN", "MHN", "BN", "FN"],
        "goals": ["KS-HE-1"],
    },
    {
        "title": "Delegationsordning för utbildningsnämnden",
        "kind": GoverningDocument.Kind.DELEGATION,
        "level": GoverningDocument.Level.MUNICIPAL,
        "decided_by": "Utbildningsnämnden",
        "decided_on": D("2025-02-10"),
        "next_review_on": D("2026-12-31"),
        "link": MUNICIPAL_SITE,
        "owner": "UN",
        "units": ["UN", "UF"],
        "goals": [],
    },
    {
        "title": "Policy för informationssäkerhet",
        "kind": GoverningDocument.Kind.POLICY,
        "level": GoverningDocument.Level.MUNICIPAL,
        "decided_by": "Kommunfullmäktige",
        "decided_on": D("2021-04-12"),
        # Past its review date: shown as Försenad on Att revidera.
        "next_review_on": D("2025-04-30"),
        "link": MUNICIPAL_SITE,
        "owner": "KS",
        "units": ["KS", "KLK", "UN", "SN"],
        "goals": [],
    },
    {
        "title": "Riktlinje för biståndsbedömning inom äldreomsorgen",
        "kind": GoverningDocument.Kind.GUIDELINE,
        "level": GoverningDocument.Level.MUNICIPAL,
        "decided_by": "Socialnämnden",
        "decided_on": D("2024-03-20"),
        "next_review_on": D("2027-03-31"),
        "link": MUNICIPAL_SITE,
        "owner": "SN",
        "units": ["SF-AO", "SF-AO-BIS"],
        "goals": ["SN-HK-1", "SN-SV-1"],
    },
    {
        "title": "Taxa för prövning och tillsyn inom miljöbalkens område",
        "kind": GoverningDocument.Kind.TARIFF,
        "level": GoverningDocument.Level.MUNICIPAL,
        "decided_by": "Kommunfullmäktige",
        "decided_on": D("2024-11-18"),
        "next_review_on": D("2027-11-30"),
        "link": MUNICIPAL_SITE,
        "owner": "MHN",
        "units": ["MHN", "MHK-MIL"],
        "goals": ["MHN-HK-1"],
    },
]

ASSIGNMENTS = [
    {
        "text": "Ta fram en handlingsplan för välfärdsteknik i hemtjänsten och på "
        "särskilda boenden, med kostnader och en tidplan för införandet.",
        "given_by": "DK",
        "given_on": D("2025-11-24"),
        "deadline": D("2026-10-31"),
        "receiving_unit": "SN",
        "goal": "SN-HK-1",
        "closed_on": None,
        "statuses": [
            (
                2026,
                "Delårsrapport",
                "SN",
                AssignmentStatus.Status.ONGOING,
                "Ett förslag till handlingsplan är klart och remitteras till "
                "pensionärsrådet i september.",
            )
        ],
    },
    {
        "text": "Utred förutsättningarna för solceller på kommunens egna fastigheter och "
        "redovisa en plan för utbyggnad.",
        "given_by": "DK",
        "given_on": D("2025-06-16"),
        "deadline": D("2026-03-31"),
        "receiving_unit": "FN",
        "goal": "FN-HE-1",
        "closed_on": None,
        "statuses": [
            (
                2026,
                "Tertialrapport 1",
                "FN",
                AssignmentStatus.Status.DELAYED,
                "Upphandlingen av konsultstöd överprövades; utredningen redovisas i stället "
                "till nämnden i oktober.",
            )
        ],
    },
    {
        "text": "Redovisa hur den ogiltiga frånvaron i grundskolan ska minska, med "
        "åtgärder per skola.",
        "given_by": "UN",
        "given_on": D("2026-02-12"),
        "deadline": D("2026-12-15"),
        "receiving_unit": "UF",
        "goal": "UN-HK-2",
        "closed_on": None,
        "statuses": [],
    },
    {
        "text": "Ta fram en biblioteksplan för 2025–2028.",
        "given_by": "DK",
        "given_on": D("2024-04-15"),
        "deadline": D("2025-03-31"),
        "receiving_unit": "KFN",
        "goal": "KFN-HA-1",
        "closed_on": D("2025-03-17"),
        "statuses": [],
    },
]


def load_governance_demo() -> None:
    """Create or restore the demo's documents and assignments; a rerun writes nothing."""
    with transaction.atomic():
        units = {u.code: u for u in OrgUnit.objects.all()}
        goals = {g.code: g for g in DirectionGoal.objects.all()}
        for row in DOCUMENTS:
            upsert(
                GoverningDocument,
                {"title": row["title"]},
                {
                    "kind": row["kind"],
                    "level": row["level"],
                    "decided_by": row["decided_by"],
                    "decided_on": row["decided_on"],
                    "next_review_on": row["next_review_on"],
                    "link": row["link"],
                    "owning_unit": units[row["owner"]],
                },
                m2m={
                    "units": [units[c] for c in row["units"]],
                    "direction_goals": [goals[c] for c in row["goals"] if c in goals],
                },
            )
        for row in ASSIGNMENTS:
            assignment = upsert(
                Assignment,
                {"text": row["text"]},
                {
                    "given_by": units[row["given_by"]],
                    "given_on": row["given_on"],
                    "deadline": row["deadline"],
                    "receiving_unit": units[row["receiving_unit"]],
                    "direction_goal": goals.get(row["goal"]),
                    "closed_on": row["closed_on"],
                },
            )
            for year, occasion, code, status, comment in row["statuses"]:
                submission = Submission.objects.filter(
                    occasion__plan_year__year=year, occasion__name=occasion, org_unit__code=code
                ).first()
                if submission is None or submission.state == Submission.State.PUBLISHED:
                    continue  # published follow-up is final, also for the demo
                upsert(
                    AssignmentStatus,
                    {"assignment": assignment, "submission": submission},
                    {"status": status, "comment": comment},
                )
