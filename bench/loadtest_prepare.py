"""make loadtest: the deadline day in a fresh copy of the large municipality, and its addresses.

Run by bench/loadtest.sh on the run's own copy of the database (a PostgreSQL template copy, so
that every run starts from the same deadline day). It adds the load test's users
(demo.large.ensure_load_users), sets the burst's occasion up, empties the report queue and
prints, as one line of JSON, what the locust journeys need: every user's follow-up, goals and
indicators, the reviewers' submissions, the shared follow-up and goal the conflict journey
edits, and the pages the readers open.

The burst (bench/burst.py) publishes every committee of the current year's first
Tertialrapport: here each of those follow-ups is set to approved, as the generator sets states
(a benchmark fixture: the published snapshot and the reports are made by the publish itself).
"""

import json
import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danderyd_styrning.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from demo.large import ensure_load_users  # noqa: E402
from goals.models import (  # noqa: E402
    DirectionGoal,
    Indicator,
    Membership,
    OperationalPlan,
    OrgUnit,
    PlanYear,
    PublishedFollowUp,
    ReportingOccasion,
    Submission,
)
from reporting.models import GeneratedReport, ReportPart, ReportPartUse  # noqa: E402

CONFLICT_COMMITTEE = "ST-N01"  # its follow-up and first goal: the conflict journey's, shared


def prepare_burst(year: PlanYear) -> ReportingOccasion:
    occasion = ReportingOccasion.objects.get(
        plan_year=year, kind=ReportingOccasion.Kind.TERTIAL_REPORT
    )
    committees = Submission.objects.filter(occasion=occasion, org_unit__kind=OrgUnit.Kind.COMMITTEE)
    with transaction.atomic():
        # A committee that never started (the demo's Utbildningsnämnden) would keep the
        # municipality report from being ordered: every committee gets its follow-up.
        missing = OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE).exclude(
            submissions__occasion=occasion
        )
        Submission.objects.bulk_create(
            Submission(occasion=occasion, org_unit=unit, analysis="Syntetisk analys.")
            for unit in missing
        )
        PublishedFollowUp.objects.filter(submission__in=committees).delete()
        committees.update(state=Submission.State.APPROVED)
        # A cold queue: no report and no task left from the seed (it orders the demo's).
        tables = [
            m._meta.db_table for m in (ReportPartUse, ReportPart, GeneratedReport, DBTaskResult)
        ]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
    return occasion


def main() -> None:
    users = ensure_load_users()
    year = PlanYear.objects.get(is_current=True)
    burst = prepare_burst(year)
    occasion = (
        ReportingOccasion.objects.filter(
            plan_year=year, submissions__org_unit__code__startswith="ST-"
        )
        .exclude(pk=burst.pk)
        .filter(submissions__state=Submission.State.DRAFT)
        .order_by("-period_end")
        .first()
    )
    memberships = {
        m.user.username: m.org_unit
        for m in Membership.objects.filter(user__username__in=users).select_related(
            "user", "org_unit"
        )
    }

    def followup(unit: OrgUnit) -> str:
        return reverse("followup_edit", args=[occasion.pk, unit.code])

    goals_of = {}
    for goal in DirectionGoal.objects.filter(committee__code__startswith="ST-", archived=False):
        goals_of.setdefault(goal.committee_id, []).append(goal.pk)
    indicators_of = {}
    for pk, committee_id in Indicator.objects.filter(
        direction_goal__committee__code__startswith="ST-", direction_goal__archived=False
    ).values_list("pk", "direction_goal__committee_id"):
        indicators_of.setdefault(committee_id, []).append(pk)
    submission_of = dict(
        Submission.objects.filter(occasion=occasion).values_list("org_unit_id", "pk")
    )
    staff, heads, reviewers = {}, {}, []
    for name, unit in sorted(memberships.items()):
        if name.startswith("stor-klk-"):
            reviewers.append(name)
        elif name.startswith("stor-namnd-"):
            staff[name] = {
                "code": unit.code,
                "followup": followup(unit),
                "submission": submission_of.get(unit.pk),
                "plan": reverse("plan_committee", args=[unit.code]),
                "goals": sorted(goals_of.get(unit.pk, []))[:5],
                "indicators": sorted(indicators_of.get(unit.pk, []))[:5],
            }
        elif name.startswith("stor-enhet-"):
            plan = OperationalPlan.objects.get(org_unit=unit, plan_year=year)
            heads[name] = {
                "code": unit.code,
                "followup": followup(unit),
                "submission": submission_of.get(unit.pk),
                "plan": plan.get_absolute_url(),
            }
    conflict = OrgUnit.objects.get(code=CONFLICT_COMMITTEE)
    conflict_user = next(n for n, u in memberships.items() if u == conflict)
    staff.pop(conflict_user)
    # What the reviewers work through: the large municipality's follow-ups of the occasion
    # (never the conflict journey's, which stays a draft).
    review = (
        Submission.objects.filter(occasion=occasion, org_unit__code__startswith="ST-")
        .exclude(org_unit=conflict)
        .order_by("pk")
    )
    handed_in = Submission.objects.filter(
        occasion=occasion, state=Submission.State.SUBMITTED, org_unit__kind="committee"
    ).first()
    committee = OrgUnit.objects.get(code="ST-N02")
    print(
        json.dumps(
            {
                "occasion": occasion.pk,
                "burst_occasion": burst.pk,
                "staff": staff,
                "heads": heads,
                "reviewers": reviewers,
                "review": list(review.values_list("pk", flat=True)),
                "review_units": list(
                    review.filter(org_unit__kind=OrgUnit.Kind.UNIT).values_list("pk", flat=True)
                ),
                "conflict": {
                    "user": conflict_user,
                    "followup": followup(conflict),
                    "goal": sorted(goals_of[conflict.pk])[0],
                },
                "start": reverse("start"),
                "chain": reverse("chain"),
                "chain_committee": reverse("chain") + "?namnd=" + committee.code,
                "review_page": reverse("review"),
                "review_submission": reverse("review_submission", args=[handed_in.pk]),
                "reports": reverse("reports"),
            }
        )
    )


if __name__ == "__main__":
    main()
