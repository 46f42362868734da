"""The admin as the system administrator sees it: the organisation as a tree, no console
errors (the strict CSP refuses inline styles and scripts), and Swedish throughout."""

import re
from collections import Counter

import pytest

from .conftest import login

pytestmark = pytest.mark.browser

# Words of the English names the third-party apps bring (django-axes, django-tasks-db, django-rq)
# and of Django's own admin; none of them may stand in a heading on the Swedish admin index.
ENGLISH = re.compile(
    r"\b(access|attempts?|logs?|failures?|expirations?|tasks?|results?|database|backend|"
    r"queues?|jobs?|axes|users?|groups?|authentication|authorization|history|entries)\b",
    re.IGNORECASE,
)
# The left edge of an element's first piece of text.
TEXT_START = """element => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let node = walker.nextNode();
    while (node && !node.data.trim()) node = walker.nextNode();
    const range = document.createRange();
    range.selectNodeContents(node);
    return range.getBoundingClientRect().left;
}"""


def collect_console_errors(page):
    """Every console error and uncaught exception of the page, with the address it came from.
    A CSP refusal ("Refused to apply inline style…") is a console error in Chromium."""
    errors = []

    def on_console(message):
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return errors


def report(errors):
    """One line per page and kind of error, with its count: a tree of 46 rows refused one
    inline style each would otherwise fill the screen."""
    counts = Counter(errors)
    return f"{len(errors)} console error(s):\n" + "\n".join(
        f"{n} x {error[:220]}" for error, n in counts.items()
    )


def open_ok(page, url):
    response = page.goto(url)
    assert response.status == 200, f"{url}: {response.status}"


def index_links(page):
    """The changelist of every model on the admin index, in the index's order."""
    hrefs = page.locator("#content-main .module th[scope=row] a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(hrefs) > 20, hrefs  # goals, quality, governance, auth, axes, tasks
    return hrefs


def test_admin_pages_have_no_console_errors(demo, live_server, page):
    errors = collect_console_errors(page)
    login(page, live_server.url, "admin")
    open_ok(page, f"{live_server.url}/admin/")
    changelists = index_links(page)
    change_forms = []
    for href in changelists:
        open_ok(page, f"{live_server.url}{href}")
        first = page.locator("#result_list tbody tr th a, #result_list tbody tr td a").first
        if first.count():
            change_forms.append(first.get_attribute("href"))
    assert len(change_forms) > 15, change_forms
    # Every model's first row and its history, and the pages with their own widgets: the
    # tree's parent field, the filter_horizontal lists, the autocomplete of memberships, an
    # add form with inlines, the import and export of the organisation.
    histories = [href.replace("/change/", "/history/") for href in change_forms]
    own_widgets = [
        "/admin/goals/orgunit/add/",
        "/admin/goals/membership/add/",
        "/admin/goals/orgunit/import/",
        "/admin/goals/orgunit/export/",
    ]
    for href in [*change_forms, *histories, *own_widgets]:
        open_ok(page, f"{live_server.url}{href}")
    # A goal's earlier version, where it could be reverted to, and a delete confirmation.
    open_ok(page, live_server.url + next(h for h in histories if "/directiongoal/" in h))
    version = page.locator("#change-history tbody a").first.get_attribute("href")
    assert "/history/" in version, version
    open_ok(page, live_server.url + version)
    strategy = next(h for h in change_forms if "/strategy/" in h)
    open_ok(page, live_server.url + strategy.replace("/change/", "/delete/"))
    assert not errors, report(errors)


def test_organisation_list_shows_the_tree(demo, live_server, page):
    errors = collect_console_errors(page)
    login(page, live_server.url, "admin")
    open_ok(page, f"{live_server.url}/admin/goals/orgunit/")
    rows = page.locator("#result_list tbody tr")
    names = [name.strip() for name in rows.locator("th").all_inner_texts()]
    # Tree order: a unit follows the committee it belongs to.
    assert names.index("Danderyds kommun") < names.index("Utbildningsnämnden")
    assert names.index("Utbildningsnämnden") < names.index("Enebybergs skola")

    def left(name):
        """Where the name's text begins, however the indentation is made."""
        return rows.get_by_role("link", name=name, exact=True).evaluate(TEXT_START)

    municipality, committee, school = (
        left(n) for n in ("Danderyds kommun", "Utbildningsnämnden", "Enebybergs skola")
    )
    assert committee > municipality + 10, (municipality, committee)
    assert school > committee + 20, (committee, school)  # three levels further down
    # The count under the list names the units in the plural.
    assert re.search(r"\b\d+ organisationsenheter\b", page.locator(".paginator").inner_text())
    assert not errors, report(errors)


def test_admin_index_is_swedish(demo, live_server, page):
    login(page, live_server.url, "admin")
    open_ok(page, f"{live_server.url}/admin/")
    apps = page.locator("#content-main .module caption").all_inner_texts()
    models = page.locator("#content-main .module th[scope=row]").all_inner_texts()
    assert len(apps) >= 6 and len(models) > 20, (apps, models)
    english = [text for text in [*apps, *models] if ENGLISH.search(text)]
    assert not english, f"English on the admin index: {english}"
    # Every changelist's title speaks Swedish too ("Välj inloggningsförsök att ändra").
    for href in index_links(page):
        open_ok(page, f"{live_server.url}{href}")
        title = page.locator("#content h1").inner_text()
        assert not ENGLISH.search(title), f"{href}: {title}"


def test_select_all_on_the_export_page_clears_and_ticks_every_field(demo, live_server, page):
    """The package's inline onchange is refused by the CSP; the box must still work."""
    login(page, live_server.url, "admin")
    open_ok(page, f"{live_server.url}/admin/goals/orgunit/export/")
    fields = page.locator(".selectable-field-export-row input[type=checkbox]")
    assert fields.count() > 3
    page.locator(".select-toggle").uncheck()
    assert not any(box.is_checked() for box in fields.all())
    page.locator(".select-toggle").check()
    assert all(box.is_checked() for box in fields.all())
