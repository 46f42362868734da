"""In a browser, at a desktop and a phone width: an import that crosses the subtree's edge is
refused on its row and writes nothing, and a published follow-up shows what was published."""

import pytest

from .conftest import assert_no_serious_axe_violations, login

pytestmark = pytest.mark.browser

WIDTHS = [pytest.param(1366, id="1366px"), pytest.param(390, id="390px")]

OUTSIDE_ROW = (
    "kod,namn,typ,överordnad,egen verksamhet,kolada-id\n"
    "SF-AO-KEV,Kevinge äldreboende,Enhet,UF,ja,\n"
)


def _console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


@pytest.mark.parametrize("width", WIDTHS)
def test_an_import_moving_another_committees_unit_is_refused_on_its_row(
    demo, live_server, page, width, tmp_path
):
    from goals.models import OrgUnit

    page.set_viewport_size({"width": width, "height": 900})
    errors = _console_errors(page)
    login(page, live_server.url, "namnd")
    page.goto(f"{live_server.url}/import/")
    page.select_option("#id_kind", "organisation")
    upload = tmp_path / "organisation.csv"
    upload.write_text(OUTSIDE_ROW, encoding="utf-8")
    page.set_input_files("input[type=file]", str(upload))
    with page.expect_navigation():
        page.get_by_role("button", name="Förhandsgranska").click()
    row = page.locator("#rad-1")
    assert "SF-AO-KEV finns inte bland det du får ändra." in row.inner_text()
    assert_no_serious_axe_violations(page)
    confirm = page.get_by_role("button", name="Bekräfta och importera")
    if confirm.count():
        with page.expect_navigation():
            confirm.click()
        assert "Inget har sparats" in page.content()
    assert OrgUnit.objects.get(code="SF-AO-KEV").parent.code == "SF-AO"
    assert errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_published_follow_up_shows_the_published_target(demo, live_server, page, width):
    from goals.models import Indicator, ReportingOccasion, Target

    page.set_viewport_size({"width": width, "height": 900})
    errors = _console_errors(page)
    annual = ReportingOccasion.objects.get(plan_year__year=2025, name="Verksamhetsberättelse")
    indicator = Indicator.objects.filter(direction_goal__committee__code="UN").order_by("code")[0]
    Target.objects.filter(indicator=indicator, year=2025).update(value=987654)
    Indicator.objects.filter(pk=indicator.pk).update(name="Ett namn satt efteråt")
    login(page, live_server.url, "politiker")
    page.goto(f"{live_server.url}/uppfoljning/{annual.pk}/UN/")
    text = page.locator("main").inner_text()
    assert "Publicerad" in text
    assert "987" not in text and "Ett namn satt efteråt" not in text
    assert indicator.name in text
    assert_no_serious_axe_violations(page)
    assert errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_refused_review_reason_comes_back_in_its_field(demo, live_server, page, width):
    from goals.models import ReportingOccasion, Submission

    page.set_viewport_size({"width": width, "height": 900})
    errors = _console_errors(page)
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Delårsrapport")
    submission = Submission.objects.get(occasion=occasion, org_unit__code="SN")
    login(page, live_server.url, "klk")
    page.goto(f"{live_server.url}/granskning/{submission.pk}/")
    typed = "Motivering " + "å" * 20_000
    page.fill("#motivering", typed)
    with page.expect_navigation():
        page.get_by_role("button", name="Skicka tillbaka till nämnden").click()
    field = page.locator("#motivering")
    assert field.input_value() == typed
    assert field.get_attribute("aria-invalid") == "true"
    assert "får plats" in page.locator("#motivering_fel").inner_text()
    assert_no_serious_axe_violations(page)
    submission.refresh_from_db()
    assert submission.state == Submission.State.SUBMITTED
    assert errors == []
