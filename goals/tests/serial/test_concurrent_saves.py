"""Two people save the same goal at the same moment: exactly one wins, nothing is lost."""

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from goals import services
from goals.forms import DirectionGoalForm
from goals.models import DirectionGoal


def _form_data(goal, title):
    return {
        "version": str(goal.version),
        "strategic_area": str(goal.strategic_area_id),
        "code": goal.code,
        "title": title,
        "description": goal.description,
        "valid_from": str(goal.valid_from),
        "valid_to": str(goal.valid_to),
        "overarching_goals": [str(g.pk) for g in goal.overarching_goals.all()],
        "strategies": [str(s.pk) for s in goal.strategies.all()],
    }


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_from_the_same_version(demo, monkeypatch):
    goal = DirectionGoal.objects.select_related("committee").get(code="UN-HK-1")
    user = get_user_model().objects.get(username="namnd")
    base_version = goal.version
    original_save = DirectionGoal.save

    def slow_save(self, *args, **kwargs):
        # Widen the window between the version check and the write: without the row
        # lock, both writers would pass the check and the first title would be lost.
        time.sleep(0.3)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(DirectionGoal, "save", slow_save)
    start = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def edit(title):
        try:
            fresh = DirectionGoal.objects.select_related("committee").get(pk=goal.pk)
            form = DirectionGoalForm(
                _form_data(fresh, title), instance=fresh, committee=fresh.committee
            )
            assert form.is_valid(), form.errors
            start.wait(timeout=10)
            services.save_versioned(form=form, user=user)
            outcome[title] = "saved"
        except services.StaleEdit:
            outcome[title] = "refused"
        except Exception as exc:  # pragma: no cover - reported below
            outcome[title] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(t,)) for t in ("Titel A", "Titel B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcome.values()) == ["refused", "saved"], outcome
    winner = next(t for t, result in outcome.items() if result == "saved")
    goal.refresh_from_db()
    assert goal.title == winner
    assert goal.version == base_version + 1
    titles = list(goal.history.filter(version=base_version + 1).values_list("title", flat=True))
    assert titles and set(titles) == {winner}
