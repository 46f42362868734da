"""An import of an older export keeps what others saved since (no lost updates).

An export carries each row's version; an import of it compares, column by column, the file,
the row as it stood at that version (from the history) and the row as it is stored: what the
file leaves as it was keeps the stored value, what only the file changes is imported, and a
column both changed refuses the row, and with it the whole file.
"""

import re

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from goals.models import Activity, DirectionGoal, Indicator, Strategy

from .test_import_preview import _preview_table

pytestmark = pytest.mark.django_db


# --- what the users do -------------------------------------------------------------------------


def export(client, kind: str) -> tablib.Dataset:
    """The kind as the user downloads it (CSV)."""
    response = client.get(reverse("data_export", args=[kind, "csv"]))
    assert response.status_code == 200
    return tablib.Dataset().load(response.content.decode("utf-8-sig"), format="csv")


def changed(dataset: tablib.Dataset, key: dict, **cells) -> tablib.Dataset:
    """The file with `cells` changed in the one row whose columns hold `key`."""
    out = tablib.Dataset(headers=dataset.headers)
    found = 0
    for values in dataset:
        row = dict(zip(dataset.headers, values, strict=True))
        if all(row[column] == value for column, value in key.items()):
            assert set(cells) <= set(dataset.headers), cells
            row.update(cells)
            found += 1
        out.append([row[h] for h in dataset.headers])
    assert found == 1, (key, found)
    return out


def without_column(dataset: tablib.Dataset, column: str) -> tablib.Dataset:
    out = tablib.Dataset(headers=[h for h in dataset.headers if h != column])
    for values in dataset:
        row = dict(zip(dataset.headers, values, strict=True))
        out.append([row[h] for h in out.headers])
    return out


def preview(client, kind: str, dataset: tablib.Dataset, status: int = 200):
    """The preview; 409 when rows were changed by others since the export."""
    upload = SimpleUploadedFile(f"{kind}.csv", dataset.export("csv").encode("utf-8"))
    response = client.post(reverse("data_import"), {"kind": kind, "file": upload})
    assert response.status_code == status, response.content.decode()[:2000]
    return response


def confirm(client):
    token = client.session["import_upload"]["token"]
    return client.post(reverse("data_import"), {"action": "confirm", "token": token}, follow=True)


def _fields(form) -> dict:
    values = {form.add_prefix(name): form[name].value() for name in form.fields}
    return {name: "" if value is None else value for name, value in values.items()}


def web_edit(user, url: str, targets: dict | None = None, **changes):
    """Someone else saves the edit form as their browser would send it (`targets`: new values
    of the target rows by year, on the indicator form)."""
    client = Client()
    client.force_login(user)
    context = client.get(url).context
    data = _fields(context["form"])
    formset = context.get("formset")
    if formset is not None:
        data |= _fields(formset.management_form)
        for form in formset.forms:
            data |= _fields(form)
            year = form["year"].value()
            if targets and year is not None and int(year) in targets:
                data[form.add_prefix("value")] = targets[int(year)]
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def history_rows() -> int:
    return DirectionGoal.history.count() + Activity.history.count() + Indicator.history.count()


def who_and_when(obj) -> str:
    record = obj.history.order_by("-history_date", "-pk").first()
    when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")
    return f"{record.history_user.get_full_name()} {when}"


# --- goals --------------------------------------------------------------------------------------


@pytest.fixture
def goal():
    return DirectionGoal.objects.get(code="UN-HK-1")


@pytest.fixture
def other_goal(goal):
    return DirectionGoal.objects.filter(committee=goal.committee).exclude(pk=goal.pk).first()


def goal_edit_url(goal) -> str:
    return reverse("plan_goal_edit", args=[goal.pk])


def test_the_export_carries_each_rows_version_in_the_last_column(client_for, goal):
    dataset = export(client_for("namnd"), "mal")
    assert dataset.headers[-1] == "version"
    row = next(r for r in dataset.dict if r["kod"] == goal.code)
    assert row["version"] == str(goal.version)


def test_an_older_export_keeps_a_description_saved_since_and_applies_the_files_changes(
    client_for, users, goal, other_goal
):
    client = client_for("namnd")
    exported = export(client, "mal")
    web_edit(users["admin"], goal_edit_url(goal), description="Beskrivning från webben")
    file = changed(exported, {"kod": goal.code}, inriktningsmål="Titel från Excel")
    file = changed(file, {"kod": other_goal.code}, inriktningsmål="Annat mål, ny titel")

    assert "Bekräfta och importera" in preview(client, "mal", file).content.decode()
    done = confirm(client).content.decode()
    assert "är importerad" in done

    goal.refresh_from_db()
    other_goal.refresh_from_db()
    assert goal.description == "Beskrivning från webben"
    assert goal.title == "Titel från Excel"
    assert other_goal.title == "Annat mål, ny titel"
    assert goal.history.order_by("-history_date", "-pk").first().history_user == users["namnd"]


def test_the_preview_shows_only_what_the_file_changes(client_for, users, goal):
    client = client_for("namnd")
    exported = export(client, "mal")
    web_edit(users["admin"], goal_edit_url(goal), description="Beskrivning från webben")
    file = changed(exported, {"kod": goal.code}, inriktningsmål="Titel från Excel")
    html = preview(client, "mal", file).content.decode()
    number = [r["kod"] for r in file.dict].index(goal.code) + 1
    row = _preview_table(html).rows[f"rad-{number}"]
    # Neither the description (the file leaves it) nor the version is shown as changed.
    assert row["Händelse"]["text"].strip() == "Ändras: inriktningsmål"
    assert row["beskrivning"]["del"] == row["beskrivning"]["ins"] == ""


def test_links_saved_since_the_export_stay(client_for, users, goal):
    """Strategies are compared as sets with the history's links at the file's version."""
    client = client_for("namnd")
    exported = export(client, "mal")
    before = set(goal.strategies.values_list("pk", flat=True))
    added = Strategy.objects.exclude(pk__in=before).first()
    web_edit(users["admin"], goal_edit_url(goal), strategies=[str(p) for p in before | {added.pk}])
    file = changed(exported, {"kod": goal.code}, inriktningsmål="Titel från Excel")
    preview(client, "mal", file)
    assert "är importerad" in confirm(client).content.decode()
    goal.refresh_from_db()
    assert set(goal.strategies.values_list("pk", flat=True)) == before | {added.pk}
    assert goal.title == "Titel från Excel"


def test_a_column_both_changed_refuses_the_file_and_nothing_is_written(
    client_for, users, goal, other_goal
):
    client = client_for("namnd")
    exported = export(client, "mal")
    web_edit(users["admin"], goal_edit_url(goal), description="Beskrivning från webben")
    goal.refresh_from_db()
    stored = (goal.title, goal.description, goal.version)
    other_title = other_goal.title
    file = changed(exported, {"kod": goal.code}, beskrivning="Beskrivning från Excel")
    file = changed(file, {"kod": other_goal.code}, inriktningsmål="Annat mål, ny titel")
    history = history_rows()

    html = preview(client, "mal", file, status=409).content.decode()
    message = (
        f"Raden har ändrats av {who_and_when(goal)} efter att filen exporterades "
        "(beskrivning). Exportera på nytt och gör om ändringen."
    )
    number = [r["kod"] for r in file.dict].index(goal.code) + 1
    assert f"Rad {number}, hela raden: {message}" in html
    assert "Bekräfta och importera" not in html
    # Even a forged confirmation writes nothing.
    done = confirm(client).content.decode()
    assert "Importen stoppades" in done and "Inget har sparats" in done

    goal.refresh_from_db()
    other_goal.refresh_from_db()
    assert (goal.title, goal.description, goal.version) == stored
    assert other_goal.title == other_title
    assert history_rows() == history


def test_a_file_without_the_version_column_is_imported_as_before(client_for, users, goal):
    client = client_for("namnd")
    exported = without_column(export(client, "mal"), "version")
    old_description = goal.description
    web_edit(users["admin"], goal_edit_url(goal), description="Beskrivning från webben")
    file = changed(exported, {"kod": goal.code}, inriktningsmål="Titel från Excel")
    preview(client, "mal", file)
    assert "är importerad" in confirm(client).content.decode()
    goal.refresh_from_db()
    # Without a version the file's values are written, as a hand-made file's always were.
    assert (goal.title, goal.description) == ("Titel från Excel", old_description)


def test_a_change_between_preview_and_confirmation_refuses_the_confirmation(
    client_for, users, goal
):
    client = client_for("namnd")
    file = changed(export(client, "mal"), {"kod": goal.code}, beskrivning="Från Excel")
    html = preview(client, "mal", file).content.decode()
    assert "Bekräfta och importera" in html
    web_edit(users["admin"], goal_edit_url(goal), description="Beskrivning från webben")
    goal.refresh_from_db()
    stored = (goal.description, goal.version)
    history = history_rows()

    refused = confirm(client)
    assert refused.status_code == 409  # the form again, with why
    done = refused.content.decode()
    assert "Importen stoppades" in done and "Inget har sparats" in done
    assert f"Raden har ändrats av {who_and_when(goal)}" in done
    goal.refresh_from_db()
    assert (goal.description, goal.version) == stored
    assert history_rows() == history


@pytest.mark.parametrize(
    ("version", "message", "status"),
    [
        (lambda v: v + 1, "Filen har version", 409),
        (lambda v: 0, "okänd version 0", 409),
        (lambda v: "tre", "”tre” är ingen version", 200),  # a typing error, not a conflict
    ],
)
def test_a_version_the_history_cannot_explain_is_refused(
    client_for, goal, version, message, status
):
    client = client_for("namnd")
    file = changed(
        export(client, "mal"),
        {"kod": goal.code},
        inriktningsmål="Titel från Excel",
        version=str(version(goal.version)),
    )
    html = preview(client, "mal", file, status=status).content.decode()
    assert message in html
    assert "Bekräfta och importera" not in html
    goal.refresh_from_db()
    assert goal.title != "Titel från Excel"


def test_a_save_between_the_check_and_the_write_refuses_the_row(users, goal, monkeypatch):
    """Unchanged rows take no lock at the check; the row written is checked again, locked."""
    from goals.resources import DirectionGoalResource

    resource = DirectionGoalResource(user=users["namnd"])
    dataset = resource.export()
    check = DirectionGoalResource.merge_since_export

    def then_someone_saves(self, instance, row, *args, **kwargs):
        check(self, instance, row, *args, **kwargs)
        if instance.pk == goal.pk:
            DirectionGoal.objects.filter(pk=goal.pk).update(version=goal.version + 1)

    monkeypatch.setattr(DirectionGoalResource, "merge_since_export", then_someone_saves)
    file = changed(dataset, {"kod": goal.code}, beskrivning="Från Excel")
    result = resource.import_data(file, dry_run=False, raise_errors=False, use_transactions=True)
    assert result.has_errors() or result.has_validation_errors()
    assert resource.stale_rows == 1
    goal.refresh_from_db()
    assert goal.description != "Från Excel"


# --- activities: the same for another kind ------------------------------------------------------


@pytest.fixture
def activity():
    return Activity.objects.get(
        plan__org_unit__code="UF-ENS",
        plan__plan_year__year=2026,
        title="Trygghetsvandringar med elevrådet",
    )


def activity_key(activity) -> dict:
    return {"enhet": "UF-ENS", "år": "2026", "aktivitet": activity.title}


def test_an_older_activities_export_keeps_a_description_saved_since(client_for, users, activity):
    client = client_for("namnd")
    exported = export(client, "aktiviteter")
    status = "Genomförd" if activity.status != Activity.Status.DONE else "Senarelagd"
    url = reverse("plan_activity_edit", args=[activity.pk])
    web_edit(users["admin"], url, description="Beskrivning från webben")
    file = changed(exported, activity_key(activity), status=status)
    preview(client, "aktiviteter", file)
    assert "är importerad" in confirm(client).content.decode()
    activity.refresh_from_db()
    assert activity.description == "Beskrivning från webben"
    assert activity.get_status_display() == status


def test_an_activity_both_changed_is_refused(client_for, users, activity):
    client = client_for("namnd")
    exported = export(client, "aktiviteter")
    url = reverse("plan_activity_edit", args=[activity.pk])
    web_edit(users["admin"], url, description="Beskrivning från webben")
    activity.refresh_from_db()
    history = history_rows()
    file = changed(exported, activity_key(activity), beskrivning="Beskrivning från Excel")
    html = preview(client, "aktiviteter", file, status=409).content.decode()
    assert f"Raden har ändrats av {who_and_when(activity)}" in html
    assert "(beskrivning)" in html
    confirm(client)
    assert Activity.objects.get(pk=activity.pk).description == "Beskrivning från webben"
    assert history_rows() == history


# --- indicators: their targets are compared with the targets' own history -------------------


@pytest.fixture
def indicator():
    return Indicator.objects.get(code="UN-HK-1-1")


def indicator_edit_url(indicator) -> str:
    return reverse("plan_indicator_edit", args=[indicator.pk])


def targets(indicator) -> dict:
    return {t.year: t.value for t in indicator.targets.all()}


def test_targets_saved_since_the_export_stay(client_for, users, indicator):
    client = client_for("namnd")
    exported = export(client, "indikatorer")
    year = max(targets(indicator))
    web_edit(users["admin"], indicator_edit_url(indicator), targets={year: "77,5"})
    saved = targets(indicator)
    assert str(saved[year]) == "77.50"
    file = changed(exported, {"kod": indicator.code}, namn="Nytt namn från Excel")
    html = preview(client, "indikatorer", file).content.decode()
    assert "Bekräfta och importera" in html, re.findall(r"Rad \d+, [^<]*", html)
    assert "är importerad" in confirm(client).content.decode()
    indicator.refresh_from_db()
    assert indicator.name == "Nytt namn från Excel"
    assert targets(indicator) == saved


def test_targets_both_changed_are_refused(client_for, users, indicator):
    client = client_for("namnd")
    exported = export(client, "indikatorer")
    year = max(targets(indicator))
    web_edit(users["admin"], indicator_edit_url(indicator), targets={year: "77,5"})
    saved = targets(indicator)
    history = history_rows()
    row = next(r for r in exported.dict if r["kod"] == indicator.code)
    parts = [part.strip() for part in row["målvärden"].split(";")]
    in_file = "; ".join(f"{year}=12" if p.startswith(f"{year}=") else p for p in parts)
    assert in_file != row["målvärden"]
    file = changed(exported, {"kod": indicator.code}, målvärden=in_file)
    html = preview(client, "indikatorer", file, status=409).content.decode()
    assert "efter att filen exporterades (målvärden)" in html
    assert f"Raden har ändrats av {users['admin'].get_full_name()}" in html
    confirm(client)
    assert targets(indicator) == saved
    assert history_rows() == history
