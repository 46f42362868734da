"""Excel and CSV: round trip, row errors in Swedish, nothing written on error, scope, limits."""

import io

import openpyxl
import pytest
import tablib
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from goals.models import (
    Activity,
    DirectionGoal,
    Indicator,
    Measurement,
    Membership,
    OperationalPlan,
    OrgUnit,
    Submission,
    Target,
)
from goals.resources import RESOURCES
from goals.services import org_tree_lock

pytestmark = pytest.mark.django_db

IMPORT_ORDER = ["organisation", "mal", "indikatorer", "utfall", "planer", "aktiviteter"]


def snapshot() -> dict:
    """Everything the import formats carry, by natural keys."""
    return {
        "units": sorted(
            OrgUnit.objects.values_list(
                "code", "name", "kind", "parent__code", "own_operation", "kolada_id"
            )
        ),
        "goals": sorted(
            (
                g.code,
                g.committee.code,
                g.strategic_area.number,
                g.title,
                g.description,
                tuple(sorted(g.overarching_goals.values_list("number", flat=True))),
                tuple(sorted(g.strategies.values_list("number", flat=True))),
                g.valid_from,
                g.valid_to,
                g.archived,
            )
            for g in DirectionGoal.objects.select_related("committee", "strategic_area")
        ),
        "indicators": sorted(
            Indicator.objects.values_list(
                "code",
                "direction_goal__code",
                "name",
                "unit_of_measure",
                "higher_is_better",
                "baseline_year",
                "baseline_value",
                "kolada_kpi",
                "source",
                "owner__username",
            )
        ),
        "targets": sorted(Target.objects.values_list("indicator__code", "year", "value")),
        "measurements": sorted(
            Measurement.objects.values_list(
                "indicator__code", "occasion__plan_year__year", "occasion__name", "value", "comment"
            )
        ),
        "plans": sorted(
            OperationalPlan.objects.values_list(
                "org_unit__code", "plan_year__year", "basic_mission"
            )
        ),
        "activities": sorted(
            Activity.objects.values_list(
                "plan__org_unit__code",
                "plan__plan_year__year",
                "direction_goal__code",
                "title",
                "description",
                "responsible",
                "starts_on",
                "ends_on",
                "status",
            )
        ),
    }


def export_all(user, fmt="xlsx") -> dict[str, bytes]:
    files = {}
    for key in IMPORT_ORDER:
        dataset = RESOURCES[key](user=user).export()
        files[key] = dataset.export(fmt)
    return files


def wipe_everything_the_formats_carry():
    from internal_control.demo import reset_internal_control_demo
    from quality.demo import reset_quality_demo

    # Their rows protect units, years and indicators; the chain's formats do not carry them.
    reset_internal_control_demo()
    reset_quality_demo()
    Submission.objects.all().delete()
    Activity.objects.all().delete()
    OperationalPlan.objects.all().delete()
    Measurement.objects.all().delete()
    Target.objects.all().delete()
    Indicator.objects.all().delete()
    DirectionGoal.objects.all().delete()
    with org_tree_lock():
        for level in sorted(set(OrgUnit.objects.values_list("level", flat=True)), reverse=True):
            OrgUnit.objects.filter(level=level).delete()


@pytest.fixture
def admin_user():
    return get_user_model().objects.get(username="admin")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_export_wipe_import_gives_the_same_data(admin_user, fmt):
    before = snapshot()
    memberships = list(Membership.objects.values_list("user_id", "org_unit__code", "role"))
    files = export_all(admin_user, fmt)
    wipe_everything_the_formats_carry()
    assert not OrgUnit.objects.exists() and not DirectionGoal.objects.exists()
    for key in IMPORT_ORDER:
        dataset = tablib.Dataset().load(files[key], format=fmt)
        result = RESOURCES[key](user=admin_user).import_data(
            dataset, dry_run=False, raise_errors=False, rollback_on_validation_errors=True
        )
        assert not result.has_errors() and not result.has_validation_errors(), (
            key,
            [r.error_dict for r in result.invalid_rows][:3],
            [(n, [str(e.error) for e in errs]) for n, errs in result.row_errors()][:3],
        )
    # Memberships are not part of the formats (accounts live in the identity system).
    Membership.objects.bulk_create(
        Membership(user_id=u, org_unit=OrgUnit.objects.get(code=c), role=r)
        for u, c, r in memberships
    )
    assert snapshot() == before


def test_importing_an_unchanged_export_changes_nothing(admin_user):
    for key in IMPORT_ORDER:
        dataset = tablib.Dataset().load(
            RESOURCES[key](user=admin_user).export().export("csv"), format="csv"
        )
        result = RESOURCES[key](user=admin_user).import_data(dataset, dry_run=False)
        assert result.totals["new"] == result.totals["update"] == 0, key


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("fil.csv", text.encode("utf-8"), content_type="text/csv")


GOAL_HEADER = (
    "kod,nämnd,strategiområde,inriktningsmål,beskrivning,övergripande mål,strategier,"
    "gäller från,gäller till,arkiverat\n"
)


def test_preview_names_row_column_and_reason_and_writes_nothing(client_for):
    client = client_for("namnd")
    csv = GOAL_HEADER + (
        "UN-NY-1,UN,1,Ett nytt mål,,3,1,2026,2027,nej\n"
        "UN-NY-2,XX,1,Fel nämnd,,3,1,2026,2027,nej\n"
        "UN-NY-3,UN,1,Fel år,,3,1,tjugosex,2027,nej\n"
        "UN-NY-1,UN,1,Samma kod igen,,3,1,2026,2027,nej\n"
    )
    response = client.post(reverse("data_import"), {"kind": "mal", "file": _csv(csv)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rad 2, nämnd: Okänd nämnd: XX" in html
    assert "Rad 3, gäller från: ”tjugosex” är inte ett årtal" in html
    assert "Rad 4, hela raden: Raden finns redan som rad 1" in html
    assert "Bekräfta och importera" not in html
    assert not DirectionGoal.objects.filter(code__startswith="UN-NY").exists()
    # Even a forged confirm writes nothing: the whole file is refused.
    token = client.session["import_upload"]["token"]
    client.post(reverse("data_import"), {"action": "confirm", "token": token})
    assert not DirectionGoal.objects.filter(code__startswith="UN-NY").exists()


def test_a_wrong_column_is_named_and_nothing_is_read(client_for):
    csv = "kod,nämnd,färg\nUN-NY-1,UN,röd\n"
    response = client_for("namnd").post(reverse("data_import"), {"kind": "mal", "file": _csv(csv)})
    assert response.status_code == 400
    assert "Okänd kolumn ”färg”" in response.content.decode()


def test_a_non_numeric_value_is_refused_in_swedish(client_for):
    csv = "indikator,år,tillfälle,utfall,kommentar,källa\nUN-HK-1-1,2026,Delårsrapport,abc,,\n"
    response = client_for("namnd").post(
        reverse("data_import"), {"kind": "utfall", "file": _csv(csv)}
    )
    assert "Rad 1, utfall: ”abc” är inte ett tal" in response.content.decode()


def test_preview_then_confirm_writes_everything_in_one_go(client_for):
    client = client_for("namnd")
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    csv = GOAL_HEADER + (
        f'UN-HK-1,UN,1,Ny titel från Excel,,3,"1, 2",{goal.valid_from},{goal.valid_to},nej\n'
        "UN-NY-1,UN,2,Ett nytt mål,,2,2,2026,2027,nej\n"
    )
    preview = client.post(reverse("data_import"), {"kind": "mal", "file": _csv(csv)})
    html = preview.content.decode()
    assert "Ändras" in html and "Ny" in html and "Bekräfta och importera" in html
    goal.refresh_from_db()
    assert goal.title != "Ny titel från Excel"  # nothing before confirming
    token = client.session["import_upload"]["token"]
    done = client.post(reverse("data_import"), {"action": "confirm", "token": token})
    assert done.status_code == 302
    goal.refresh_from_db()
    assert goal.title == "Ny titel från Excel" and goal.version == 2
    assert DirectionGoal.objects.get(code="UN-NY-1").committee.code == "UN"
    assert goal.history.first().history_user.username == "namnd"


def test_rows_outside_the_users_subtree_are_refused(client_for):
    csv = GOAL_HEADER + "SN-NY-1,SN,1,Annan nämnd,,3,1,2026,2027,nej\n"
    response = client_for("namnd").post(reverse("data_import"), {"kind": "mal", "file": _csv(csv)})
    assert "Socialnämnden ligger utanför det du får ändra" in response.content.decode()
    assert not DirectionGoal.objects.filter(code="SN-NY-1").exists()


def test_export_is_limited_to_the_users_subtree(client_for):
    response = client_for("namnd").get(reverse("data_export", args=["mal", "csv"]))
    text = response.content.decode("utf-8-sig")
    rows = list(tablib.Dataset().load(text, format="csv").dict)
    assert rows and {r["nämnd"] for r in rows} == {"UN"}


def test_export_neutralises_formulas_and_import_restores_them(client_for, admin_user):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    goal.title = '=HYPERLINK("http://example.com","klicka")'
    goal.description = "+46 8 000 00 00"
    goal.save()
    xlsx = client_for("admin").get(reverse("data_export", args=["mal", "xlsx"])).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "UN-HK-1")
    title = row[headers.index("inriktningsmål")]
    assert title.startswith("'=") and row[headers.index("beskrivning")].startswith("'+")
    csv = (
        client_for("admin")
        .get(reverse("data_export", args=["mal", "csv"]))
        .content.decode("utf-8-sig")
    )
    assert "'=HYPERLINK" in csv
    dataset = tablib.Dataset().load(csv, format="csv")
    result = RESOURCES["mal"](user=admin_user).import_data(dataset, dry_run=False)
    assert not result.has_errors() and result.totals["update"] == 0  # restored exactly


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("data.txt", b"kod\n", "bara .xlsx och .csv"),
        ("stor.csv", b"x" * (2 * 1024 * 1024 + 1), "största tillåtna"),
        ("trasig.xlsx", b"not a zip", "kunde inte läsas"),
    ],
)
def test_file_type_size_and_broken_files_get_a_clear_message(client_for, name, content, message):
    response = client_for("namnd").post(
        reverse("data_import"), {"kind": "mal", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_row_limit(client_for, settings, monkeypatch):
    from goals.views import imports as import_views

    monkeypatch.setattr(import_views, "MAX_ROWS", 2)
    csv = (
        GOAL_HEADER
        + "A,UN,1,a,,,,2026,2026,nej\nB,UN,1,b,,,,2026,2026,nej\nC,UN,1,c,,,,2026,2026,nej\n"
    )
    response = client_for("namnd").post(reverse("data_import"), {"kind": "mal", "file": _csv(csv)})
    assert "högst 2 åt gången" in response.content.decode()


def test_readers_cannot_import_or_export(client_for):
    assert client_for("politiker").get(reverse("data_import")).status_code == 403
    assert client_for("klk").get(reverse("data_export", args=["mal", "csv"])).status_code == 403
