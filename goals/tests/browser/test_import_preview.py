"""In a browser, at a desktop and a phone width: re-uploading an older export with one name
changed shows the changed cell as old → new and lists the target the file would remove,
axe clean and without console errors."""

import pytest

from .conftest import assert_no_serious_axe_violations, login

pytestmark = pytest.mark.browser

WIDTHS = [pytest.param(1366, id="1366px"), pytest.param(390, id="390px")]


def _older_export_with_a_new_name(tmp_path) -> str:
    """The committee's indicators as exported before its 2024 target for UN-HK-1-1 was
    entered, with one name changed in Excel."""
    import tablib

    from goals.models import Indicator, Target
    from goals.resources import RESOURCES

    indicators = Indicator.objects.filter(direction_goal__committee__code="UN")
    target = Target.objects.get(indicator__code="UN-HK-1-1", year=2024)
    target.delete()
    dataset = RESOURCES["indikatorer"]().export(queryset=indicators.order_by("code"))
    Target.objects.create(indicator=target.indicator, year=2024, value=target.value)
    rows = [dict(zip(dataset.headers, row, strict=True)) for row in dataset]
    for row in rows:
        if row["kod"] == "UN-HK-1-1":
            row["namn"] = "Andel behöriga elever"
    out = tablib.Dataset(headers=dataset.headers)
    for row in rows:
        out.append([row[h] for h in dataset.headers])
    path = tmp_path / "indikatorer-mars.xlsx"
    path.write_bytes(out.export("xlsx"))
    return str(path)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_preview_shows_old_and_new_and_the_targets_it_removes(
    demo, live_server, page, width, tmp_path
):
    page.set_viewport_size({"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server.url, "namnd")
    page.goto(f"{live_server.url}/import/")
    page.select_option("#id_kind", "indikatorer")
    page.set_input_files("input[type=file]", _older_export_with_a_new_name(tmp_path))
    with page.expect_navigation():
        page.get_by_role("button", name="Förhandsgranska").click()
    # The new name, and the targets cell without 2024: nothing else in the file changes.
    changed = page.locator("td.changed")
    assert [c.get_attribute("data-label") for c in changed.all()] == ["namn", "målvärden"]
    name = page.locator("td.changed[data-label=namn]")
    assert name.locator("del").text_content().startswith("tidigare:")
    assert name.locator("ins").text_content() == "nytt: Andel behöriga elever"
    removals = page.get_by_role("region", name="1 målvärde tas bort")
    assert "UN-HK-1-1" in removals.inner_text() and "2024" in removals.inner_text()
    assert_no_serious_axe_violations(page)
    assert errors == []
