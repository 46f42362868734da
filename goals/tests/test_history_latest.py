"""The follow-up page shows the newest saves of its history, each compared with the save
before it, so that its cost does not grow with every draft saved; all on request."""

import pytest
from django.urls import reverse

from goals import cycle, selectors
from goals.models import OrgUnit, ReportingOccasion

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved_often(users):
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")
    submission = cycle.submission_get_or_create(
        occasion=occasion, org_unit=OrgUnit.objects.get(code="UN")
    )
    for n in range(1, 21):
        submission.analysis = f"Analysen, utkast {n}."
        submission.version += 1
        submission._history_user = users["namnd"]
        submission.save()
    return submission


def _rows(entries):
    return [
        (e.when, e.who, e.action, [(c.field, c.old, c.new) for c in e.changes]) for e in entries
    ]


def test_the_newest_saves_are_the_same_as_in_the_whole_history(saved_often):
    everything = selectors.history_entries(saved_often)
    newest = selectors.history_entries(saved_often, latest=5)
    assert newest.truncated and not everything.truncated
    assert _rows(newest) == _rows(everything[:5])
    assert newest[0].changes[0].new == "Analysen, utkast 20."
    assert newest[-1].changes[0].old == "Analysen, utkast 15."


def test_a_short_history_is_whole(saved_often):
    whole = selectors.history_entries(saved_often, latest=100)
    assert not whole.truncated
    assert _rows(whole) == _rows(selectors.history_entries(saved_often))


def test_the_page_shows_fifteen_and_a_link_to_all(client_for, saved_often):
    url = reverse("followup_edit", args=[saved_often.occasion_id, "UN"])
    client = client_for("namnd")
    page = client.get(url)
    assert len(page.context["history"]) == 15
    html = page.content.decode()
    assert "Visar de 15 senaste sparningarna." in html
    assert '<a href="?historik=alla#historik-rubrik">Visa hela historiken</a>' in html
    everything = client.get(url + "?historik=alla")
    assert len(everything.context["history"]) > 20
    assert "Visa hela historiken" not in everything.content.decode()
