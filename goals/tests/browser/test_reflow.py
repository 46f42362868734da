"""Every page reflows on a phone (WCAG 2.1 1.4.10): no sideways scrolling at 390 or 320 CSS px.

Each persona logs in once (one browser context each) and walks the site from the start page:
every link in the menu and on the start page, and from there one page of every kind of URL it
reaches (the chain, plans, goals, indicators, follow-ups, reviews, documents, assignments,
quality pages, reports, the import form…). Each page is measured at 390 px, then the viewport
is narrowed to 320 px and measured again; a page wider than the viewport fails the test with
the element that sticks out furthest.
"""

from urllib.parse import urlsplit

import pytest

from . import conftest
from .conftest import PERSONAS, login, watch_console

pytestmark = pytest.mark.browser

WIDTHS = (390, 320)
HEIGHT = 800
# Not pages: downloads, JSON, the admin (its own stylesheet, tested in test_admin.py).
SKIP_URL_NAMES = {
    "logout",
    "healthz",
    "data_export",
    "report_download",
    "report_status",
    "governance:document_file",
}
MAX_PAGES = 80

# The document's width and, when it is wider than the viewport, the element reaching furthest
# right that is not clipped by an ancestor (the deepest one of those reaching that far).
MEASURE = """() => {
  const root = document.documentElement;
  const viewport = root.clientWidth;
  const result = {viewport, width: root.scrollWidth, culprit: null};
  if (root.scrollWidth <= viewport) return result;
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  let best = null, bestRight = viewport + 0.5, bestDepth = -1;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right < bestRight - 0.5) continue;
    if (clipped(el)) continue;
    let depth = 0;
    for (let a = el; a; a = a.parentElement) depth++;
    if (r.right > bestRight + 0.5 || depth > bestDepth) {
      best = el; bestRight = Math.max(bestRight, r.right); bestDepth = depth;
    }
  }
  if (best) {
    const cls = best.className && typeof best.className === 'string'
      ? '.' + best.className.trim().split(/\\s+/).join('.') : '';
    const r = best.getBoundingClientRect();
    result.culprit = best.tagName.toLowerCase() + (best.id ? '#' + best.id : '') + cls
      + ` (left ${Math.round(r.left)}, width ${Math.round(r.width)} px): `
      + JSON.stringify((best.innerText || best.value || '').trim().slice(0, 60));
  }
  return result;
}"""

LINKS = """() => [...document.querySelectorAll('a[href]')]
  .filter(a => !a.closest('.skip-link'))
  .map(a => a.href)"""


def _url_name(path: str) -> str | None:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _walk(page, base: str):
    """Yield (path, url name) for the start page, then breadth first one page per URL name
    (a link's first appearance wins), the menu's links first."""
    seen_names: set[str] = set()
    queue = ["/"]
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.pop(0)
        name = _url_name(urlsplit(path).path)
        if name is None or name in seen_names:
            continue
        seen_names.add(name)
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        response = page.goto(base + path)
        visited += 1
        yield path, name, response.status
        for href in page.evaluate(LINKS):
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != base or parts.path.startswith(
                ("/admin/", "/static/", "/media/")
            ):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            target_name = _url_name(parts.path)
            if target_name and target_name not in seen_names and target_name not in SKIP_URL_NAMES:
                queue.append(target)


@pytest.fixture(scope="module")
def widths_seen():
    """Widest page at 390 px per persona, printed at the end of the module (pytest -s)."""
    seen: dict[str, tuple[int, str, int]] = {}
    yield seen
    for persona, (width, path, pages) in seen.items():
        print(f"\nwidest page at 390 px for {persona}: {width} px ({path}; {pages} pages)")


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_reflows_at_phone_widths(demo, live_server, browser, persona, widths_seen):
    context = browser.new_context(locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch_console(page)
    try:
        login(page, live_server.url, persona)
        too_wide, not_ok, kinds = [], [], []
        widest = (0, "")
        for path, name, status in _walk(page, live_server.url):
            kinds.append(name)
            if status != 200:
                not_ok.append(f"{path} answered {status}")
            for width in WIDTHS:
                if width != WIDTHS[0]:
                    page.set_viewport_size({"width": width, "height": HEIGHT})
                measured = page.evaluate(MEASURE)
                if width == WIDTHS[0] and measured["width"] > widest[0]:
                    widest = (measured["width"], path)
                if measured["width"] > measured["viewport"]:
                    too_wide.append(
                        f"{path} at {width} px is {measured['width']} px wide; "
                        f"widest: {measured['culprit']}"
                    )
        widths_seen[persona] = (*widest, len(kinds))
    finally:
        context.close()
    # The walk must reach the main pages, or a broken menu would pass silently.
    for expected in ("start", "chain", "plans", "followup", "reports", "quality:overview"):
        assert expected in kinds, f"{persona} never reached {expected}: {kinds}"
    assert not not_ok, "\n".join(not_ok)
    assert not too_wide, f"{len(too_wide)} page width(s) wider than the viewport:\n" + "\n".join(
        too_wide
    )


@pytest.fixture
def wide_and_narrow(browser):
    """One context for the small-things tests; pages are resized, not reopened."""
    context = browser.new_context(locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch_console(page)
    yield page
    context.close()


def test_the_menu_folds_on_phones_and_the_header_stays_small(demo, live_server, wide_and_narrow):
    page = wide_and_narrow
    login(page, live_server.url, "admin")
    menu = page.get_by_role("navigation", name="Huvudmeny")
    plans = menu.get_by_role("link", name="Planer")
    toggle = menu.locator("summary", has_text="Meny")

    page.set_viewport_size({"width": 1366, "height": HEIGHT})
    assert plans.is_visible() and not toggle.is_visible()

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.goto(f"{live_server.url}/")
        assert not plans.is_visible(), f"the menu is not folded at {width} px"
        header = page.locator("header.topbar").bounding_box()
        assert header["height"] <= 180, f"the header is {header['height']} px high at {width} px"
        # Every phase pill is whole on the screen: they wrap, never cut off.
        for pill in page.locator(".cycle__steps li").all():
            box = pill.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (pill.inner_text(), box)
        toggle.click()
        assert plans.is_visible(), f"Meny does not open the menu at {width} px"
        plans.click()
        page.wait_for_url("**/planer/")


# Text nodes in tables: the parts that must stay on one line (dates always, codes on wide
# screens) and how many lines each one takes.
UNBROKEN = r"""(pattern) => {
  const re = new RegExp(pattern, 'g');
  const found = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest('table') || !node.parentElement.checkVisibility()) continue;
    for (const m of node.data.matchAll(re)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      found.push([m[0], lines.size]);
    }
  }
  return found;
}"""
DATE = r"\d{4}-\d{2}-\d{2}"
CODE = r"\b[A-ZÅÄÖ]{1,6}(?:-[A-ZÅÄÖ0-9]{1,6}){2,}\b"


def _small_things_paths() -> list[str]:
    from django.urls import reverse

    from goals.models import OperationalPlan, ReportingOccasion, StrategicArea

    area = StrategicArea.objects.order_by("number").first()
    plan = OperationalPlan.objects.filter(org_unit__code="UF-ENS").order_by("-plan_year__year")[0]
    tertial = ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")
    return [
        reverse("governance:document_list"),
        reverse("governance:documents_review"),
        reverse("governance:assignment_list"),
        reverse("quality:overview"),
        reverse("chain_area", args=[area.pk]),
        plan.get_absolute_url(),
        reverse("followup_edit", args=[tertial.pk, "UN"]),
    ]


def test_dates_and_codes_do_not_break_in_tables(demo, live_server, wide_and_narrow):
    page = wide_and_narrow
    login(page, live_server.url, "admin")
    broken, dates_seen, codes_seen = [], 0, 0
    for path in _small_things_paths():
        page.set_viewport_size({"width": 1366, "height": HEIGHT})
        page.goto(f"{live_server.url}{path}")
        for width, patterns in ((1366, (DATE, CODE)), (390, (DATE,)), (320, (DATE,))):
            page.set_viewport_size({"width": width, "height": HEIGHT})
            for pattern in patterns:
                for text, lines in page.evaluate(UNBROKEN, pattern):
                    dates_seen += pattern == DATE
                    codes_seen += pattern == CODE
                    if lines > 1:
                        broken.append(f"{path} at {width} px: {text} on {lines} lines")
    assert dates_seen > 20 and codes_seen > 10, (dates_seen, codes_seen)
    assert not broken, "\n".join(sorted(set(broken)))


def test_checkboxes_keep_their_size_and_the_unit_list_reads_as_a_tree(
    demo, live_server, wide_and_narrow
):
    page = wide_and_narrow
    login(page, live_server.url, "namnd")
    page.goto(f"{live_server.url}/planer/namnd/UN/mal/ny/")
    boxes = page.locator("main input[type=checkbox]")
    assert boxes.count() > 5
    for width in (1366, *WIDTHS):
        page.set_viewport_size({"width": width, "height": HEIGHT})
        sizes = boxes.evaluate_all(
            "els => els.map(e => [e.labels[0]?.innerText.slice(0, 40),"
            " e.getBoundingClientRect().width, e.getBoundingClientRect().height])"
        )
        small = [s for s in sizes if s[1] < 13 or s[2] < 13]
        assert not small, f"checkboxes shrunk at {width} px: {small}"

    # The unit list: no "– – –" read out, and a unit head's one unit is already chosen.
    page.goto(f"{live_server.url}/kvalitet/avvikelse/ny/")
    options = page.locator("#id_org_unit option").all_inner_texts()
    assert not [o for o in options if "–" in o], options
    assert page.locator("#id_org_unit optgroup").count() >= 1
    page.context.clear_cookies()
    login(page, live_server.url, "enhet")
    page.goto(f"{live_server.url}/kvalitet/avvikelse/ny/")
    chosen = page.locator("#id_org_unit").evaluate("s => s.options[s.selectedIndex].text")
    assert chosen.strip() == "Enebybergs skola"


def test_a_csp_violation_is_a_console_error_that_fails_the_test(demo, live_server, page):
    """The net under every browser test: an inline style refused by the CSP is caught."""
    page.goto(f"{live_server.url}/accounts/login/")
    with page.expect_console_message(lambda m: m.type == "error"):
        page.evaluate("document.body.setAttribute('style', 'color: red')")
    caught = list(conftest._console_errors)
    conftest._console_errors.clear()  # caught on purpose: this test must not fail for it
    assert any("Content Security Policy" in e and "/accounts/login/" in e for e in caught), caught
