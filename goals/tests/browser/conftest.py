"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

These tests use ``live_server``, which needs transactional database semantics and flushes
the database after every test. The rest of the suite relies on the demo being loaded once
per session, so the browser tests are marked ``browser``, left out of the default run
(``-m "not browser"`` in pytest.ini) and run in a pytest process of their own:

    .venv/bin/pytest -m browser goals/tests/browser

No browser is ever downloaded: Chromium comes from Debian (``make chromium``), and axe-core
comes from the axe.min.js shipped inside the axe-playwright-python wheel.
"""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "demo"
SERIOUS_IMPACTS = {"serious", "critical"}
PERSONAS = ["admin", "klk", "namnd", "enhet", "politiker"]

# Console errors (and uncaught script errors) of the running test's pages: any of them fails
# the test, a CSP violation included. Every page a browser test opens is watched.
_console_errors: list[str] = []


def watch_console(page) -> None:
    """Record the page's console errors and uncaught exceptions for the running test."""

    def on_console(message):
        if message.type == "error":
            _console_errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: _console_errors.append(f"{page.url}: {error}"))


def expect_console_error(fragment: str) -> None:
    """A console error the test provokes on purpose, such as Chromium's note that a page
    answered 409: it must be there, and it is taken off the watch; every other error fails."""
    found = [e for e in _console_errors if fragment in e]
    assert found, f"expected a console error with {fragment!r}, got {_console_errors}"
    for error in found:
        _console_errors.remove(error)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Everything under goals/tests/browser is a browser test, even if a file forgets its
    ``pytestmark``; tryfirst so that ``-m`` deselection sees the marker."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    _console_errors.clear()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a test that passed when one of its pages wrote an error to the console."""
    result = yield
    if _console_errors:
        errors = list(_console_errors)
        _console_errors.clear()
        raise AssertionError(
            f"{len(errors)} console error(s) in the browser:\n" + "\n".join(errors)
        )
    return result


@pytest.fixture
def demo(live_server, transactional_db):
    """The Danderyd demo inside the transactional test (the previous test's flush empties
    the database). load_demo() is idempotent; it only runs when the data is missing."""
    from demo.loader import load_demo
    from goals.models import Vision

    if not Vision.objects.exists():
        load_demo()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium).")
    # Playwright's sync API keeps an asyncio loop running on the main thread, so Django's
    # ORM would refuse to run there (SynchronousOnlyOperation) in the `demo` fixture. Only
    # while the browser runs: set at import time it would leak into the default run's
    # subprocesses (`check --deploy` fails with async.E001).
    with pytest.MonkeyPatch.context() as mp, sync_playwright() as pw:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch_console(page)
    yield page
    context.close()


def login(page, live_server_url, username, password=DEMO_PASSWORD):
    """Log in through the real login form and wait for the redirect away from it."""
    page.goto(f"{live_server_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()
    if "/accounts/login/" in page.url:
        raise AssertionError(f"Login as {username!r} failed; still on {page.url}")


_axe = Axe()


def assert_no_serious_axe_violations(page):
    """Run axe-core on the page; fail listing every serious or critical violation."""
    results = _axe.run(page)
    serious = [v for v in results.response["violations"] if v.get("impact") in SERIOUS_IMPACTS]
    if not serious:
        return
    lines = [f"{len(serious)} serious/critical axe violation(s) on {page.url}:"]
    for violation in serious:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    {target}    {node.get('html', '')[:200]}")
    raise AssertionError("\n".join(lines))
