"""Every import kind × every persona × create, update, and moves across the subtree's edge.

An import may change only rows that lie in the importer's subtree, before and after the
change. A refused import writes nothing: a checksum of every table is equal before and after
its preview and its confirmation. A new import kind without rows here fails the test.
"""

import hashlib

import pytest
import tablib
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from goals.models import (
    Activity,
    DirectionGoal,
    Indicator,
    Measurement,
    OperationalPlan,
    OrgUnit,
    ReportingOccasion,
    Target,
)
from goals.resources import RESOURCES

pytestmark = pytest.mark.django_db

EDITORS = ["admin", "namnd", "enhet"]
NOT_EDITORS = ["klk", "politiker", "outsider"]
CASES = ["create_own", "update_own", "update_outside", "move_own_outside", "move_outside_inside"]

# Tables that change on every request whatever the import does.
NOT_DATA = {"sessions.Session", "axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"}


def checksum() -> str:
    """Every row of every table the project writes, in a fixed order."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.label in NOT_DATA:
            continue
        digest.update(model._meta.label.encode())
        for row in model.objects.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _occasion():
    """An occasion of the open year whose follow-ups nobody has published."""
    return ReportingOccasion.objects.get(plan_year__year=2026, name="Delårsrapport")


def _exported(kind: str, queryset) -> tablib.Dataset:
    return RESOURCES[kind]().export(queryset=queryset)


def _row(kind: str, queryset, **changes) -> tuple[list, dict]:
    dataset = _exported(kind, queryset)
    assert len(dataset) == 1, (kind, queryset)
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    row.update(changes)
    return dataset.headers, row


def _new(kind: str, **values) -> tuple[list, dict]:
    headers = [f.column_name for f in RESOURCES[kind]().get_import_fields()]
    return headers, {h: values.get(h, "") for h in headers}


# --- what each case writes, per kind and persona ------------------------------------------
# Each builder returns (headers, row, check) where check() is true once the row is written.


def org(persona, case):
    own_parent = {"admin": "UF", "namnd": "UF", "enhet": "UF-ENS"}[persona]
    own_unit = {"admin": "UF-KEV", "namnd": "UF-KEV", "enhet": "UF-ENS"}[persona]
    units = OrgUnit.objects
    if case == "create_own":
        headers, row = _new(
            "organisation", kod="NY-1", namn="Ny enhet", typ="Enhet", överordnad=own_parent
        )
        row["egen verksamhet"] = "ja"
        return headers, row, lambda: units.filter(code="NY-1", parent__code=own_parent).exists()
    if case == "update_own":
        headers, row = _row("organisation", units.filter(code=own_unit), namn="Nytt namn")
        return headers, row, lambda: units.get(code=own_unit).name == "Nytt namn"
    if case == "update_outside":
        headers, row = _row("organisation", units.filter(code="SF-AO-KEV"), namn="Nytt namn")
        return headers, row, lambda: units.get(code="SF-AO-KEV").name == "Nytt namn"
    if case == "move_own_outside":
        headers, row = _row("organisation", units.filter(code=own_unit), överordnad="SF-AO")
        return headers, row, lambda: units.get(code=own_unit).parent.code == "SF-AO"
    headers, row = _row("organisation", units.filter(code="SF-AO-KEV"), överordnad=own_parent)
    return headers, row, lambda: units.get(code="SF-AO-KEV").parent.code == own_parent


def goal(persona, case):
    goals = DirectionGoal.objects
    if case == "create_own":
        headers, row = _new(
            "mal",
            kod="UN-NY-9",
            nämnd="UN",
            strategiområde=2,
            inriktningsmål="Ett nytt mål",
            **{"övergripande mål": "2", "gäller från": 2026, "gäller till": 2027},
        )
        row["arkiverat"] = "nej"
        return headers, row, lambda: goals.filter(code="UN-NY-9").exists()
    if case == "update_own":
        headers, row = _row("mal", goals.filter(code="UN-HK-1"), inriktningsmål="Ny titel")
        return headers, row, lambda: goals.get(code="UN-HK-1").title == "Ny titel"
    if case == "update_outside":
        headers, row = _row("mal", goals.filter(code="SN-SV-1"), inriktningsmål="Ny titel")
        return headers, row, lambda: goals.get(code="SN-SV-1").title == "Ny titel"
    if case == "move_own_outside":
        headers, row = _row("mal", goals.filter(code="UN-HK-1"), nämnd="SN")
        return headers, row, lambda: goals.get(code="UN-HK-1").committee.code == "SN"
    headers, row = _row("mal", goals.filter(code="SN-SV-1"), nämnd="UN")
    return headers, row, lambda: goals.get(code="SN-SV-1").committee.code == "UN"


def indicator(persona, case):
    indicators = Indicator.objects
    if case == "create_own":
        headers, row = _new(
            "indikatorer",
            kod="UN-HK-1-9",
            inriktningsmål="UN-HK-1",
            namn="Ny indikator",
            målvärden="2026=5",
        )
        row["högre är bättre"] = "ja"
        return headers, row, lambda: indicators.filter(code="UN-HK-1-9").exists()
    if case == "update_own":
        headers, row = _row("indikatorer", indicators.filter(code="UN-HK-1-1"), namn="Nytt namn")
        return headers, row, lambda: indicators.get(code="UN-HK-1-1").name == "Nytt namn"
    if case == "update_outside":
        headers, row = _row("indikatorer", indicators.filter(code="SN-HK-1-1"), namn="Nytt namn")
        return headers, row, lambda: indicators.get(code="SN-HK-1-1").name == "Nytt namn"
    if case == "move_own_outside":
        headers, row = _row(
            "indikatorer", indicators.filter(code="UN-HK-1-1"), inriktningsmål="SN-HK-1"
        )
        return (
            headers,
            row,
            lambda: indicators.get(code="UN-HK-1-1").direction_goal.code == ("SN-HK-1"),
        )
    headers, row = _row(
        "indikatorer", indicators.filter(code="SN-HK-1-1"), inriktningsmål="UN-HK-1"
    )
    return headers, row, lambda: indicators.get(code="SN-HK-1-1").direction_goal.code == "UN-HK-1"


def measurement(persona, case):
    occasion = _occasion()
    for code in ("UN-HK-1-1", "SN-HK-1-1"):
        Measurement.objects.get_or_create(
            indicator=Indicator.objects.get(code=code), occasion=occasion, defaults={"value": 1}
        )

    def stored(code):
        return Measurement.objects.filter(indicator__code=code, occasion=occasion)

    if case == "create_own":
        headers, row = _new(
            "utfall", indikator="UN-HK-1-2", år=2026, tillfälle=occasion.name, utfall="7"
        )
        return headers, row, lambda: stored("UN-HK-1-2").exists()
    code = "UN-HK-1-1" if case == "update_own" else "SN-HK-1-1"
    headers, row = _row("utfall", stored(code), utfall="42")
    return headers, row, lambda: stored(code).get().value == 42


def plan(persona, case):
    plans = OperationalPlan.objects
    if case == "create_own":
        unit = {"admin": "UF-KEV", "namnd": "UF-KEV", "enhet": "UF-ENS"}[persona]
        year = 2026 if unit == "UF-KEV" else 2024
        headers, row = _new("planer", enhet=unit, år=year, grunduppdrag="Nytt grunduppdrag")
        return (
            headers,
            row,
            lambda: plans.filter(org_unit__code=unit, plan_year__year=year).exists(),
        )
    code = "UF-ENS" if case == "update_own" else "SF-AO-KEV"
    queryset = plans.filter(org_unit__code=code, plan_year__year=2026)
    headers, row = _row("planer", queryset, grunduppdrag="Nytt grunduppdrag")
    return headers, row, lambda: queryset.get().basic_mission == "Nytt grunduppdrag"


def activity(persona, case):
    def stored(code, title):
        return Activity.objects.filter(
            plan__org_unit__code=code, plan__plan_year__year=2026, title=title
        )

    own = ("UF-ENS", "Trygghetsvandringar med elevrådet")
    outside = ("SF-AO-KEV", "Måltidsmiljön ses över tillsammans med de boende")
    if case == "create_own":
        headers, row = _new(
            "aktiviteter", enhet="UF-ENS", år=2026, inriktningsmål="UN-HK-1", aktivitet="Ny"
        )
        row["status"] = "Ej påbörjad"
        return headers, row, lambda: stored("UF-ENS", "Ny").exists()
    if case in ("update_own", "update_outside"):
        key = own if case == "update_own" else outside
        headers, row = _row("aktiviteter", stored(*key), beskrivning="Ny beskrivning")
        return headers, row, lambda: stored(*key).get().description == "Ny beskrivning"
    # The unit is part of the key: a "move" can only point the activity at another goal.
    key, goal_code = (own, "SN-HK-1") if case == "move_own_outside" else (outside, "UN-HK-1")
    headers, row = _row("aktiviteter", stored(*key), inriktningsmål=goal_code)
    return headers, row, lambda: stored(*key).get().direction_goal.code == goal_code


def risk(persona, case):
    from internal_control.models import Risk

    def stored(code, title):
        return Risk.objects.filter(committee__code=code, plan_year__year=2026, title=title)

    if case == "create_own":
        headers, row = _new(
            "risker", nämnd="UN", år=2026, risk="Ny risk", sannolikhet=2, konsekvens=3
        )
        row["beslut"] = "Accepteras"
        return headers, row, lambda: stored("UN", "Ny risk").exists()
    code = "UN" if case == "update_own" else "SN"
    title = Risk.objects.filter(committee__code=code, plan_year__year=2026).first().title
    headers, row = _row("risker", stored(code, title), beskrivning="Ny beskrivning")
    return headers, row, lambda: stored(code, title).get().description == "Ny beskrivning"


def control(persona, case):
    """Controls of 2025, whose plans the demo leaves unadopted (an adopted plan is locked)."""
    from internal_control.models import Control, ControlPlan, Risk

    occasion = ReportingOccasion.objects.get(plan_year__year=2025, name="Tertialrapport 1")

    def risk_of(code):
        return Risk.objects.filter(
            committee__code=code, plan_year__year=2025, decision="control_plan"
        ).first()

    def stored(code, what):
        return Control.objects.filter(
            plan__committee__code=code, plan__plan_year__year=2025, what=what
        )

    if case == "create_own":
        headers, row = _new(
            "kontrollmoment",
            nämnd="UN",
            år=2025,
            risk=risk_of("UN").title,
            kontrollmoment="Nytt kontrollmoment",
            frekvens="En gång per år",
        )
        row["rapporteras vid"] = "Tertialrapport 1"
        return headers, row, lambda: stored("UN", "Nytt kontrollmoment").exists()
    code = "UN" if case == "update_own" else "SN"
    found = risk_of(code)
    plan = ControlPlan.objects.create(committee=found.committee, plan_year=found.plan_year)
    Control.objects.create(plan=plan, risk=found, what="Stickprov", occasion=occasion)
    headers, row = _row("kontrollmoment", stored(code, "Stickprov"), metod="Ny metod")
    return headers, row, lambda: stored(code, "Stickprov").get().method == "Ny metod"


# Kinds whose natural key holds the owner: the row cannot be moved, only another made.
OWNER_IN_KEY = {
    "utfall": "indikator",
    "planer": "enhet",
    "risker": "nämnd",
    "kontrollmoment": "nämnd",
}

BUILDERS = {
    "organisation": org,
    "mal": goal,
    "indikatorer": indicator,
    "utfall": measurement,
    "planer": plan,
    "aktiviteter": activity,
    "risker": risk,
    "kontrollmoment": control,
}

OK, REFUSED = "ok", "refused"

#: kind → persona → case → expected outcome. Written out, so a change of rule shows here.
EXPECTED = {
    "organisation": {
        "admin": dict.fromkeys(CASES, OK),
        "namnd": {
            "create_own": OK,
            "update_own": OK,
            "update_outside": REFUSED,
            "move_own_outside": REFUSED,
            "move_outside_inside": REFUSED,
        },
        "enhet": {
            # A unit (typ Enhet) has no units under it: the model's rule.
            "create_own": REFUSED,
            # Enebybergs skola is enhet's own top: its row names a parent above it.
            "update_own": REFUSED,
            "update_outside": REFUSED,
            "move_own_outside": REFUSED,
            "move_outside_inside": REFUSED,
        },
    },
    "mal": {
        "admin": dict.fromkeys(CASES, OK),
        "namnd": {
            "create_own": OK,
            "update_own": OK,
            "update_outside": REFUSED,
            "move_own_outside": REFUSED,
            "move_outside_inside": REFUSED,
        },
        # A unit head plans under the committee's goals but does not change them.
        "enhet": dict.fromkeys(CASES, REFUSED),
    },
    "indikatorer": {
        "admin": dict.fromkeys(CASES, OK),
        "namnd": {
            "create_own": OK,
            "update_own": OK,
            "update_outside": REFUSED,
            "move_own_outside": REFUSED,
            "move_outside_inside": REFUSED,
        },
        "enhet": dict.fromkeys(CASES, REFUSED),
    },
    "utfall": {
        "admin": {"create_own": OK, "update_own": OK, "update_outside": OK},
        "namnd": {"create_own": OK, "update_own": OK, "update_outside": REFUSED},
        "enhet": dict.fromkeys(CASES[:3], REFUSED),
    },
    "planer": {
        "admin": {"create_own": OK, "update_own": OK, "update_outside": OK},
        "namnd": {"create_own": OK, "update_own": OK, "update_outside": REFUSED},
        "enhet": {"create_own": OK, "update_own": OK, "update_outside": REFUSED},
    },
    # A committee's risks and controls are changed by its editors; a unit head has none.
    **{
        kind: {
            "admin": {"create_own": OK, "update_own": OK, "update_outside": OK},
            "namnd": {"create_own": OK, "update_own": OK, "update_outside": REFUSED},
            "enhet": dict.fromkeys(CASES[:3], REFUSED),
        }
        for kind in ("risker", "kontrollmoment")
    },
    "aktiviteter": {
        # Whoever may change everything still cannot tie an activity to another
        # committee's goal: the model's rule, not an access rule.
        "admin": {
            "create_own": OK,
            "update_own": OK,
            "update_outside": OK,
            "move_own_outside": REFUSED,
            "move_outside_inside": REFUSED,
        },
        "namnd": {
            "create_own": OK,
            "update_own": OK,
            "update_outside": REFUSED,
            "move_own_outside": REFUSED,
            "move_outside_inside": REFUSED,
        },
        "enhet": {
            "create_own": OK,
            "update_own": OK,
            "update_outside": REFUSED,
            "move_own_outside": REFUSED,
            "move_outside_inside": REFUSED,
        },
    },
}


def test_every_import_kind_has_its_rows_in_the_matrix():
    assert set(EXPECTED) == set(RESOURCES) == set(BUILDERS)
    for kind, by_persona in EXPECTED.items():
        assert set(by_persona) == set(EDITORS), kind
        for persona, cases in by_persona.items():
            wanted = set(CASES) - (
                {"move_own_outside", "move_outside_inside"} if kind in (OWNER_IN_KEY) else set()
            )
            assert set(cases) == wanted, (kind, persona)


@pytest.mark.parametrize("kind", sorted(OWNER_IN_KEY))
def test_kinds_without_move_cases_hold_their_owner_in_the_key(kind):
    resource = RESOURCES[kind]()
    assert OWNER_IN_KEY[kind] in resource.key_columns()


def _csv(headers, row) -> SimpleUploadedFile:
    dataset = tablib.Dataset(headers=headers)
    dataset.append([row.get(h, "") for h in headers])
    return SimpleUploadedFile("rader.csv", dataset.export("csv").encode(), "text/csv")


MATRIX = [
    (kind, persona, case, outcome)
    for kind, by_persona in EXPECTED.items()
    for persona, cases in by_persona.items()
    for case, outcome in cases.items()
]


@pytest.mark.parametrize(("kind", "persona", "case", "outcome"), MATRIX)
def test_import_write_matrix(client_for, kind, persona, case, outcome):
    headers, row, written = BUILDERS[kind](persona, case)
    client = client_for(persona)
    before = checksum()
    preview = client.post(reverse("data_import"), {"kind": kind, "file": _csv(headers, row)})
    assert preview.status_code == 200, preview.content.decode()[:2000]
    html = preview.content.decode()
    token = client.session["import_upload"]["token"]
    done = client.post(reverse("data_import"), {"action": "confirm", "token": token}, follow=True)
    page = done.content.decode()
    if outcome == OK:
        assert "är importerad" in page, html
        assert written()
    else:
        assert "Fel" in html and "Rad 1" in html
        assert "Importen stoppades" in page and "Inget har sparats" in page
        assert not written()
        assert checksum() == before


@pytest.mark.parametrize("persona", NOT_EDITORS)
@pytest.mark.parametrize("kind", sorted(RESOURCES))
def test_readers_and_outsiders_cannot_import_any_kind(client_for, kind, persona):
    headers, row, written = BUILDERS[kind]("namnd", "update_own")
    client = client_for(persona)
    before = checksum()
    response = client.post(reverse("data_import"), {"kind": kind, "file": _csv(headers, row)})
    assert response.status_code == 403
    assert not written()
    assert checksum() == before


def test_a_row_outside_is_refused_by_what_the_user_wrote_and_nothing_stored_is_shown(client_for):
    """The reproduction: Socialnämnden's unit given Utbildningsförvaltningen as its parent."""
    headers, row, written = org("namnd", "move_outside_inside")
    client = client_for("namnd")
    html = client.post(
        reverse("data_import"), {"kind": "organisation", "file": _csv(headers, row)}
    ).content.decode()
    assert "SF-AO-KEV finns inte bland det du får ändra." in html
    assert "Socialförvaltningen" not in html and "Äldreomsorgsavdelningen" not in html
    assert not written()


def test_an_import_never_deletes_a_target_of_a_published_year(client_for):
    """The demo's Verksamhetsberättelse 2025 is published: its targets stay."""
    indicator_ = Indicator.objects.get(code="UN-HK-1-1")
    years = dict(Target.objects.filter(indicator=indicator_).values_list("year", "value"))
    assert 2025 in years and 2026 in years
    only_2026 = f"2026={years[2026]}".replace(".", ",")
    headers, row = _row("indikatorer", Indicator.objects.filter(pk=indicator_.pk))
    row["målvärden"] = only_2026
    client = client_for("namnd")
    html = client.post(
        reverse("data_import"), {"kind": "indikatorer", "file": _csv(headers, row)}
    ).content.decode()
    assert "Målvärdet för 2025 kan inte tas bort" in html
    token = client.session["import_upload"]["token"]
    client.post(reverse("data_import"), {"action": "confirm", "token": token})
    assert dict(Target.objects.filter(indicator=indicator_).values_list("year", "value")) == years


# --- holes found by a review of the rule above ---------------------------------------------


def _preview(client, kind, headers, row) -> str:
    return client.post(
        reverse("data_import"), {"kind": kind, "file": _csv(headers, row)}
    ).content.decode()


@pytest.mark.parametrize(("persona", "code"), [("enhet", "UF-ENS"), ("namnd", "UF")])
def test_no_editor_takes_a_unit_out_of_the_tree(client_for, persona, code):
    """A unit without a parent is a municipality: seeing everything from it is not theirs."""
    headers, row = _row(
        "organisation", OrgUnit.objects.filter(code=code), typ="Kommun", överordnad=""
    )
    client = client_for(persona)
    before = checksum()
    html = _preview(client, "organisation", headers, row)
    assert "måste ligga inom det du får ändra" in html
    client.post(reverse("data_import"), {"action": "confirm", "token": _token(client)})
    assert OrgUnit.objects.get(code=code).parent is not None
    assert checksum() == before


def _token(client) -> str:
    return client.session["import_upload"]["token"]


@pytest.mark.parametrize("kind", ["utfall", "indikatorer", "aktiviteter", "mal", "planer"])
def test_an_unchanged_row_outside_is_refused_not_confirmed(client_for, kind):
    """Otherwise the preview's "Oförändrad" would confirm a guess at another committee's data."""
    querysets = {
        "utfall": Measurement.objects.filter(indicator__code="SN-HA-1-1").order_by("pk")[:1],
        "indikatorer": Indicator.objects.filter(code="SN-HA-1-1"),
        "aktiviteter": Activity.objects.filter(
            plan__org_unit__code="SF-AO-KEV", plan__plan_year__year=2026
        )[:1],
        "mal": DirectionGoal.objects.filter(code="SN-SV-1"),
        "planer": OperationalPlan.objects.filter(org_unit__code="SF-AO-KEV", plan_year__year=2026),
    }
    queryset = querysets[kind]
    if kind in ("aktiviteter", "utfall"):
        queryset = queryset.model.objects.filter(pk=queryset[0].pk)
    assert queryset.exists()
    headers, row = _row(kind, queryset)
    html = _preview(client_for("namnd"), kind, headers, row)
    assert "finns inte bland det du får ändra" in html
    assert "Oförändrad</td>" not in html and ">Oförändrad<" not in html


def test_a_refused_row_outside_tells_nothing_of_its_targets(client_for):
    headers, row = _row("indikatorer", Indicator.objects.filter(code="SN-HA-1-1"), målvärden="")
    html = _preview(client_for("namnd"), "indikatorer", headers, row)
    assert "finns inte bland det du får ändra" in html
    assert "Målvärdet för" not in html


def test_a_file_without_targets_leaves_the_targets_alone(client_for):
    indicator = Indicator.objects.get(code="UN-HK-1-1")
    targets = dict(Target.objects.filter(indicator=indicator).values_list("year", "value"))
    headers, row = _row("indikatorer", Indicator.objects.filter(pk=indicator.pk), namn="Nytt")
    headers = [h for h in headers if h != "målvärden"]
    client = client_for("namnd")
    _preview(client, "indikatorer", headers, row)
    done = client.post(
        reverse("data_import"), {"action": "confirm", "token": _token(client)}, follow=True
    )
    assert "är importerad" in done.content.decode()
    assert Indicator.objects.get(pk=indicator.pk).name == "Nytt"
    assert dict(Target.objects.filter(indicator=indicator).values_list("year", "value")) == targets


def test_a_goals_years_cannot_strand_its_targets_and_activities(client_for):
    headers, row = _row(
        "mal",
        DirectionGoal.objects.filter(code="UN-HK-1"),
        **{"gäller från": 2027, "gäller till": 2027},
    )
    html = _preview(client_for("namnd"), "mal", headers, row)
    assert "som skulle hamna utanför 2027–2027" in html
    assert DirectionGoal.objects.get(code="UN-HK-1").valid_to != 2027


def test_the_responsible_person_has_a_role_in_the_committee(client_for, users):
    indicator = Indicator.objects.get(code="UN-HK-1-1")
    headers, row = _row("indikatorer", Indicator.objects.filter(pk=indicator.pk), ansvarig="klk")
    html = _preview(client_for("namnd"), "indikatorer", headers, row)
    assert "Välj en ansvarig med en roll i nämnden" in html
    headers, row = _row("indikatorer", Indicator.objects.filter(pk=indicator.pk), ansvarig="enhet")
    html = _preview(client_for("namnd"), "indikatorer", headers, row)
    assert "Välj en ansvarig" not in html


def test_a_unit_with_units_under_it_cannot_become_a_unit(client_for):
    headers, row = _row("organisation", OrgUnit.objects.filter(code="UF-GRS"), typ="Enhet")
    html = _preview(client_for("namnd"), "organisation", headers, row)
    assert "har underliggande enheter och kan inte vara av typen Enhet" in html
