"""The main pages make as many queries for a large municipality as for a small one.

The large synthetic municipality (demo.large.load_large) is built at two small sizes, each
in a savepoint that is rolled back; the pages that `make bench` times are opened as the
large data's personas and their SQL queries counted. Timing is left to `make bench`.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.large import load_large
from goals.models import DirectionGoal, OperationalPlan, OrgUnit, PlanYear, Submission

pytestmark = pytest.mark.django_db

MAX_QUERIES = 25
SMALL = {
    "committees": 2,
    "units": 4,
    "direction_goals": 6,
    "indicators": 12,
    "activities": 24,
    "years": 2,
}
BIGGER = {
    "committees": 4,
    "units": 16,
    "direction_goals": 28,
    "indicators": 84,
    "activities": 240,
    "years": 3,
}


class _Quiet:
    def write(self, text):
        pass


def page_urls() -> dict:
    committee = OrgUnit.objects.get(code="ST-N01")
    draft = (
        Submission.objects.filter(org_unit=committee, state=Submission.State.DRAFT)
        .select_related("occasion")
        .get()
    )
    plan = OperationalPlan.objects.get(
        org_unit__code="ST-N01-E001", plan_year=PlanYear.objects.get(is_current=True)
    )
    return {
        "chain": ("stor-klk", reverse("chain")),
        "committee_plan": ("stor-namnd", reverse("plan_committee", args=[committee.code])),
        "unit_plan": ("stor-enhet", plan.get_absolute_url()),
        "followup": (
            "stor-namnd",
            reverse("followup_edit", args=[draft.occasion_id, committee.code]),
        ),
        "review": ("stor-klk", reverse("review")),
        "reports": ("stor-klk", reverse("reports")),
        "search": ("stor-klk", reverse("search") + "?q=n%C3%A4mnd"),
        "overview": ("stor-klk", reverse("overview")),
        "overview_area": ("stor-klk", reverse("overview") + "?omrade=1"),
        "overview_committee": ("stor-namnd", reverse("overview") + f"?namnd={committee.code}"),
        # Intern kontroll: matrix, plan, results at the follow-up's occasion, the overview.
        "ic_overview": ("stor-klk", reverse("ic_overview")),
        "ic_committee": (
            "stor-namnd",
            reverse("ic_committee", args=[committee.code, draft.occasion.plan_year.year]),
        ),
        "ic_plan": (
            "stor-namnd",
            reverse("ic_plan", args=[committee.code, draft.occasion.plan_year.year]),
        ),
        "ic_results": (
            "stor-namnd",
            reverse("ic_results", args=[committee.code, draft.occasion_id]),
        ),
        "overview_goal": (
            "stor-klk",
            reverse("overview")
            + f"?namnd={committee.code}&mal="
            + str(DirectionGoal.objects.filter(committee=committee).order_by("code")[0].pk),
        ),
    }


def query_counts(sizes: dict) -> tuple[dict, dict]:
    """Build the large municipality at `sizes`, count each page's queries, roll back."""
    savepoint = transaction.savepoint()
    try:
        load_large(**sizes, stdout=_Quiet())
        counts, pages = {}, {}
        User = get_user_model()
        for name, (username, url) in page_urls().items():
            client = Client()
            client.force_login(User.objects.get(username=username))
            assert client.get(url).status_code == 200, url  # a first visit may set things up
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[name] = len(queries)
            pages[name] = response.content.decode()
        return counts, pages
    finally:
        transaction.savepoint_rollback(savepoint)


def test_large_municipality_is_valid_and_loaded_once():
    savepoint = transaction.savepoint()
    try:
        first = load_large(**SMALL, stdout=_Quiet())
        assert first["committees"] == 2 and first["units"] == 4
        assert first["activities"] == 24
        assert DirectionGoal.objects.filter(code__startswith="ST-").count() == 6
        # Every activity serves a goal of its unit's committee, valid in the plan's year.
        for goal in DirectionGoal.objects.filter(code__startswith="ST-"):
            goal.full_clean()
        plan = OperationalPlan.objects.filter(org_unit__code="ST-N02-E001").first()
        for activity in plan.activities.all():
            activity.full_clean()
        assert OrgUnit.objects.get(code="ST-N02-E001").committee.code == "ST-N02"
        states = set(
            Submission.objects.filter(org_unit__code__startswith="ST-").values_list(
                "state", flat=True
            )
        )
        assert {"published", "draft", "submitted"} <= states
        assert load_large(**SMALL, stdout=_Quiet())["skipped"] is True
    finally:
        transaction.savepoint_rollback(savepoint)


def test_main_pages_make_the_same_number_of_queries_at_two_sizes():
    small, small_pages = query_counts(SMALL)
    bigger, bigger_pages = query_counts(BIGGER)
    # The bigger municipality really is on the pages it should be on.
    assert "Storstadens nämnd 04" in bigger_pages["review"]
    assert "Storstadens nämnd 04" not in small_pages["review"]
    assert "Storstadens nämnd 04" in bigger_pages["overview"]
    assert "Storstadens nämnd 04" in bigger_pages["ic_overview"]
    assert bigger == small
    too_many = {name: n for name, n in bigger.items() if n > MAX_QUERIES}
    assert not too_many, f"more than {MAX_QUERIES} queries: {too_many}"
