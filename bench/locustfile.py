"""make loadtest: the deadline day against gunicorn, with locust.

Run by bench/loadtest.sh, which copies the large municipality, prepares it
(bench/loadtest_prepare.py: users, addresses as JSON in LOADTEST_URLS) and starts gunicorn and
two report workers. The journeys do what people do in the deadline weeks, with think times:

- a unit head and committee staff open their follow-up, fill in every field of the form
  (outcomes, assessments with forecast and justification, activities, analysis and, for a
  committee, the economy figures), save, now and then answer a comment and hand in;
- committee staff edit a goal and an indicator's target for the year, and now and then import
  their goals (export, change a description, preview, confirm);
- kommunledningskontoret comments, returns or approves, and publishes units' follow-ups;
- four users edit the same committee follow-up and the same goal at once (the conflicts).

Every journey checks its own result: the saved value is on the page when it is opened again,
the state has moved; a 200 with the wrong result is a failure. A save is either kept (a
redirect) or refused as stale (409); anything else fails. Each kept save is written to the
JSONL file LOADTEST_SAVES, which bench/lostupdates.py compares with the database and its
history after the run.

At the end the figures per request are printed and written to LOADTEST_LOCUST_JSON (or
bench/results/); a request's category is its name's: "inloggning…", "… (POST)" (a save) or a
page. Every request's time goes to LOADTEST_REQUESTS, so that bench/loadtest_summary.py can
count those made while the publication burst ran apart.
"""

import csv
import datetime
import io
import json
import os
import platform
import random
import re
import sys
import time
import uuid
from decimal import Decimal, InvalidOperation
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from formparse import post_form, unescape  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
URLS = json.loads(os.environ.get("LOADTEST_URLS", "{}"))
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_INPUT = re.compile(r'name="token" value="([^"]+)"')
# Think times: reading a page before typing, and typing a form before saving it.
READ = (2, 6)
TYPE = (4, 12)
_saves = None
_requests = []  # (end time, ms, category) of every request, for the burst's window


def record(entry: dict) -> None:
    """A kept save, for bench/lostupdates.py."""
    global _saves
    if _saves is None:
        path = os.environ.get("LOADTEST_SAVES")
        if not path:
            return
        _saves = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run
    entry["at"] = time.time()
    _saves.write(json.dumps(entry, ensure_ascii=False) + "\n")
    _saves.flush()


def category(name: str) -> str:
    if name.startswith("inloggning"):
        return "inloggning"
    return "spara" if name.endswith("(POST)") else "sida"


def number(text: str):
    try:
        return Decimal(text.replace("\xa0", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None


def same(a: str, b: str) -> bool:
    """A field's value as sent and as shown again (numbers as numbers, line ends as in HTML)."""
    a, b = a.replace("\r\n", "\n").strip(), b.replace("\r\n", "\n").strip()
    if a == b:
        return True
    x, y = number(a), number(b)
    return x is not None and x == y


def swedish(value: float, places: int = 1) -> str:
    return f"{value:.{places}f}".replace(".", ",")


class Persona(HttpUser):
    abstract = True
    wait_time = between(2, 8)
    usernames: list[str] = []

    def on_start(self):
        self.username = self.pick_username()
        self.marker_n = 0
        with self.client.get("/accounts/login/", name="inloggning", catch_response=True) as page:
            match = CSRF_INPUT.search(page.text)
            if page.status_code != 200 or not match:
                page.failure(f"inloggningssidan: {page.status_code}")
                return
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": match.group(1),
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="inloggning (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{self.username} kom inte in: {response.status_code}")

    def pick_username(self) -> str:
        return random.choice(self.usernames)

    def think(self, span=READ):
        time.sleep(random.uniform(*span))  # gevent's sleep under locust

    def marker(self) -> str:
        self.marker_n += 1
        return f"LT {self.username} {uuid.uuid4().hex[:8]}"

    def get(self, url: str, name: str) -> str | None:
        """A page as its text; a redirect to the login page or an error is a failure."""
        with self.client.get(url, name=name, catch_response=True) as response:
            if "/accounts/login/" in response.url:
                response.failure("utloggad")
                return None
            if not 200 <= response.status_code < 400:
                response.failure(str(response.status_code))
                return None
            return response.text

    def open(self, key: str, name: str):
        self.get(URLS[key], name)

    def post(self, url, data, name, *, files=None, refusable=False):
        """POST without following the redirect: 302 kept, 409 refused as stale (when allowed)."""
        with self.client.post(
            url,
            data=data,
            files=files,
            name=name,
            allow_redirects=False,
            catch_response=True,
            headers={"Referer": self.host + url},
        ) as response:
            if response.status_code == 302 and "/accounts/login/" not in response.headers.get(
                "Location", ""
            ):
                return "kept", response
            if response.status_code == 409 and refusable:
                response.success()  # refused as stale: the answer the save should get
                # Stale (someone saved first), or locked meanwhile (handed in, approved,
                # published, commented): both keep what was typed on the page.
                locked = "Det du skrev har inte sparats" in response.text
                why = "409, låst medan du skrev" if locked else "409, avvisad som inaktuell"
                events.request.fire(
                    request_type="409",
                    name=name.replace("(POST)", f"({why})"),
                    response_time=0,
                    response_length=0,
                    exception=None,
                    context={},
                )
                return "refused", response
            response.failure(f"{response.status_code}: {response.text[:200]!r}")
            return "failed", response

    def fail(self, name: str, why: str) -> None:
        """A check after a save that did not hold: a failure of its own, counted as an error."""
        events.request.fire(
            request_type="KONTROLL",
            name=name,
            response_time=0,
            response_length=0,
            exception=AssertionError(why),
            context={},
        )

    # --- the follow-up form ----------------------------------------------------------------

    def fill_followup(self, form: dict, marker: str) -> tuple[list, dict]:
        """Every field of the follow-up form filled as a careful writer would."""
        values, changed = [], {}
        options = form["options"]
        seen = set()
        for name, value in form["fields"]:
            if name in seen:
                continue
            seen.add(name)
            new = value
            kind = form["types"].get(name)
            if name == "analysis":
                new = f"Analys {marker}"
            elif name in ("budget_frame_tkr", "outcome_tkr", "forecast_tkr"):
                new = swedish(random.uniform(1000, 99000))
            elif re.fullmatch(r"ind-\d+-value", name):
                new = swedish(random.uniform(1, 100), 2)
            elif re.fullmatch(r"(ind|mal|akt)-\d+-(comment|justification)", name):
                new = f"{name.split('-')[-1].capitalize()} {marker}"
            elif re.fullmatch(r"svar-\d+-answer", name):
                new = f"Svar {marker}"
            elif kind == "select" and not value:
                choices = [o for o in options.get(name, []) if o]
                new = random.choice(choices) if choices else value
            if name.startswith(("csrfmiddlewaretoken", "version", "action", "q")):
                new = value
            values.append((name, new))
            if new != value:
                changed[name] = new
        return values, changed

    def write_followup(self, url: str, label: str, *, hand_in: bool, committee: bool) -> None:
        page = self.get(url, f"{label}: öppna")
        if page is None:
            return
        form = post_form(page, field="analysis")
        if form is None:
            return  # handed in or approved: nothing to write until it is returned
        self.think(TYPE)
        values, changed = self.fill_followup(form, self.marker())
        base = int(dict(form["fields"]).get("version") or 0)
        answers = [n for n in changed if n.startswith("svar-")]
        if hand_in:
            action = "submit"
            if committee:
                values.append(("lamna_in_anda", "1"))
        elif answers:
            action = "svar-" + answers[0].split("-")[1]  # "Spara svar" on the first comment
        else:
            action = "save"
        values = [(n, v) for n, v in values if n != "action"] + [("action", action)]
        what = "lämna in" if hand_in else ("svara" if answers else "spara")
        name = f"{label}: {what} (POST)"
        outcome, _response = self.post(url, values, name, refusable=True)
        if outcome != "kept":
            return
        again = self.get(url, f"{label}: öppna igen")
        if again is None:
            return
        record(
            {
                "kind": "followup",
                "url": url,
                "user": self.username,
                "base_version": base,
                "action": action,
                "fields": changed,
            }
        )
        reloaded = post_form(again, field="analysis")
        if hand_in:
            if reloaded is not None:
                self.fail(f"{label}: kontroll efter inlämning", "uppföljningen är inte inlämnad")
            return
        if reloaded is None:
            return  # handed in by the other tab of the same person: checked by lostupdates
        shown = dict(reloaded["fields"])
        if int(shown.get("version") or 0) != base + 1:
            return  # someone saved after us: bench/lostupdates.py checks the order
        # An answer whose comment the reviewer resolved meanwhile is kept, but its field is
        # gone from the form (bench/lostupdates.py checks the stored answer).
        wrong = [
            n
            for n, v in changed.items()
            if not same(v, shown.get(n, "")) and not (n.startswith("svar-") and n not in shown)
        ]
        if wrong:
            self.fail(f"{label}: kontroll efter sparande", f"annat värde i {wrong[:3]}")

    # --- goals and targets -----------------------------------------------------------------

    def edit_goal(self, pk: int, label: str = "mål") -> None:
        url = f"/planer/mal/{pk}/andra/"
        page = self.get(url, f"{label}: öppna formuläret")
        form = page and post_form(page, field="version")
        if not form:
            if page is not None:
                self.fail(f"{label}: formulär", "inget formulär")
            return
        self.think(TYPE)
        fields = dict(form["fields"])
        base = int(fields.get("version") or 0)
        text = f"Beskrivning {self.marker()}"
        values = [(n, text if n == "description" else v) for n, v in form["fields"]]
        outcome, _ = self.post(url, values, f"{label}: spara (POST)", refusable=True)
        if outcome != "kept":
            return
        record(
            {
                "kind": "goal",
                "pk": pk,
                "user": self.username,
                "base_version": base,
                "fields": {"description": text},
            }
        )
        again = self.get(url, f"{label}: öppna formuläret igen")
        shown = dict(post_form(again, field="version")["fields"]) if again else {}
        fresh = shown and int(shown.get("version") or 0) == base + 1
        if fresh and not same(text, shown.get("description", "")):
            self.fail(f"{label}: kontroll efter sparande", "beskrivningen är inte sparad")

    def edit_target(self, pk: int) -> None:
        url = f"/planer/indikator/{pk}/andra/"
        page = self.get(url, "indikator och målvärden: öppna formuläret")
        form = page and post_form(page, field="version")
        if not form:
            return
        fields = dict(form["fields"])
        year = str(datetime.date.today().year)
        row = next(
            (
                n.rsplit("-", 1)[0]
                for n, v in form["fields"]
                if re.fullmatch(r"malvarden-\d+-year", n) and v == year
            ),
            None,
        )
        if row is None:
            return
        self.think(TYPE)
        value = swedish(random.uniform(1, 100), 2)
        values = [(n, value if n == f"{row}-value" else v) for n, v in form["fields"]]
        base = int(fields.get("version") or 0)
        outcome, _ = self.post(url, values, "indikator och målvärden: spara (POST)", refusable=True)
        if outcome != "kept":
            return
        record(
            {
                "kind": "target",
                "pk": pk,
                "year": int(year),
                "user": self.username,
                "base_version": base,
                "fields": {"value": value},
            }
        )
        again = self.get(url, "indikator och målvärden: öppna formuläret igen")
        shown = dict(post_form(again, field="version")["fields"]) if again else {}
        fresh = shown and int(shown.get("version") or 0) == base + 1
        if fresh and not same(value, shown.get(f"{row}-value", "")):
            self.fail("målvärde: kontroll efter sparande", "målvärdet är inte sparat")


class UnitHead(Persona):
    """A unit head on the deadline day: the unit's follow-up, written, answered, handed in."""

    weight = 4

    def pick_username(self):
        self.me = random.choice(sorted(URLS["heads"].items()))
        return self.me[0]

    @task(6)
    def followup(self):
        info = self.me[1]
        self.write_followup(
            info["followup"], "uppföljning, enhet", hand_in=random.random() < 0.25, committee=False
        )

    @task(2)
    def plan(self):
        self.get(self.me[1]["plan"], "enhetens plan")

    @task(1)
    def start_page(self):
        self.open("start", "startsida")


class CommitteeStaff(Persona):
    """Committee staff: the committee's follow-up, goals, targets, now and then an import."""

    weight = 3

    def pick_username(self):
        self.me = random.choice(sorted(URLS["staff"].items()))
        return self.me[0]

    @task(5)
    def followup(self):
        self.write_followup(
            self.me[1]["followup"],
            "uppföljning, nämnd",
            hand_in=random.random() < 0.2,
            committee=True,
        )

    @task(2)
    def goal(self):
        self.edit_goal(random.choice(self.me[1]["goals"]))

    @task(2)
    def target(self):
        self.edit_target(random.choice(self.me[1]["indicators"]))

    @task(1)
    def import_goals(self):
        """Export the committee's goals, change one description, preview, confirm, check."""
        with self.client.get("/export/mal.csv", name="export mål (csv)", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(str(r.status_code))
                return
            text = r.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        header, body = rows[0], [row for row in rows[1:] if row]
        mine = [row for row in body if row[header.index("kod")].startswith(self.me[1]["code"])]
        if not mine:
            return
        self.think(TYPE)
        row = random.choice(mine)
        marker = f"Import {self.marker()}"
        row[header.index("beskrivning")] = marker
        out = io.StringIO()
        csv.writer(out).writerows([header, *body])
        page = self.get("/import/", "import: formuläret")
        token = page and CSRF_INPUT.search(page)
        if not token:
            return
        with self.client.post(
            "/import/",
            data={"csrfmiddlewaretoken": token.group(1), "kind": "mal", "action": "preview"},
            files={"file": ("mal.csv", out.getvalue().encode("utf-8"), "text/csv")},
            name="import: förhandsgranska (POST)",
            headers={"Referer": self.host + "/import/"},
            catch_response=True,
        ) as preview:
            if preview.status_code == 409:
                # A row of the committee's was saved by someone else since the export, in a
                # column the file changes too: refused, as a stale save is.
                preview.success()
                events.request.fire(
                    request_type="409",
                    name="import: förhandsgranska (409, ändrad sedan exporten)",
                    response_time=0,
                    response_length=0,
                    exception=None,
                    context={},
                )
                return
            found = TOKEN_INPUT.search(preview.text)
            if preview.status_code != 200 or not found:
                preview.failure(f"ingen förhandsgranskning: {preview.status_code}")
                return
        self.think(READ)
        outcome, response = self.post(
            "/import/",
            {"csrfmiddlewaretoken": token.group(1), "action": "confirm", "token": found.group(1)},
            "import: bekräfta (POST)",
            refusable=True,  # 409: a row changed between the preview and the confirmation
        )
        if outcome != "kept":
            return
        done = self.get("/import/", "import: formuläret")
        if done is None or "är importerad" not in done:
            self.fail("import: kontroll", "ingen bekräftelse av importen")
            return
        record(
            {
                "kind": "import_goal",
                "code": row[header.index("kod")],
                "user": self.username,
                "base_version": None,
                "fields": {"description": marker},
            }
        )

    @task(1)
    def plan(self):
        self.get(self.me[1]["plan"], "nämndens plan")

    @task(1)
    def chain(self):
        self.get(URLS["chain"] + "?namnd=" + self.me[1]["code"], "styrkedjan, nämnd")


class Reviewer(Persona):
    """Kommunledningskontoret: comments, returns or approves, publishes units' follow-ups."""

    weight = 2

    def pick_username(self):
        return random.choice(URLS["reviewers"])

    @task(6)
    def review(self):
        # Half the time one of the load test's own follow-ups, so that they come back.
        own = [v["submission"] for v in [*URLS["staff"].values(), *URLS["heads"].values()]]
        own = [pk for pk in own if pk]
        pk = random.choice(own if random.random() < 0.5 else URLS["review"])
        url = f"/granskning/{pk}/"
        page = self.get(url, "granskning av en uppföljning")
        if page is None:
            return
        csrf = CSRF_INPUT.search(page).group(1)
        if 'value="approve"' in page and random.random() < 0.5:
            # Handed in and good enough: what is still open is marked resolved, then approved
            # (an open comment stops an approval).
            self.think(TYPE)
            for comment in re.findall(r'action="/uppfoljning/kommentar/(\d+)/"', page):
                data = {"csrfmiddlewaretoken": csrf, "action": "resolve", "next": url}
                name = "granskning: markera kommentar som löst (POST)"
                if self.post(f"/uppfoljning/kommentar/{comment}/", data, name)[0] != "kept":
                    return
            self.move(url, pk, csrf, "approve")
        elif 'value="approve"' in page:  # handed in: a comment, and back it goes
            self.think(TYPE)
            text = f"Kommentar {self.marker()}"
            data = {"csrfmiddlewaretoken": csrf, "action": "comment", "text": text}
            if self.post(url, data, "granskning: kommentera (POST)", refusable=True)[0] != "kept":
                return
            again = self.get(url, "granskning av en uppföljning")
            if again is not None and text not in unescape(again):
                self.fail("granskning: kontroll av kommentar", "kommentaren syns inte")
                return
            record({"kind": "comment", "submission": pk, "user": self.username, "text": text})
            self.think(READ)
            self.move(url, pk, csrf, "return", reason=f"Motivering {self.marker()}")
        elif 'value="publish"' in page and pk in URLS["review_units"]:
            # Approved: a unit's follow-up is published (committees publish in the burst).
            self.think(READ)
            data = {"csrfmiddlewaretoken": csrf, "action": "publish", "bekraftat": "1"}
            if self.post(url, data, "granskning: publicera (POST)", refusable=True)[0] != "kept":
                return
            again = self.get(url, "granskning av en uppföljning")
            if again is not None and 'value="publish"' in again:
                self.fail("granskning: kontroll efter publicering", "inte publicerad")
                return
            record({"kind": "move", "submission": pk, "user": self.username, "action": "publish"})

    def move(self, url: str, pk: int, csrf: str, action: str, reason: str = "") -> None:
        """Return or approve; the state must have moved (no "Godkänn" any more)."""
        data = {"csrfmiddlewaretoken": csrf, "action": action, "reason": reason}
        name = f"granskning: {'skicka tillbaka' if action == 'return' else 'godkänn'} (POST)"
        if self.post(url, data, name, refusable=True)[0] != "kept":
            return
        again = self.get(url, "granskning av en uppföljning")
        if again is not None and 'value="approve"' in again:
            self.fail(f"granskning: kontroll efter {action}", "tillståndet flyttades inte")
            return
        record({"kind": "move", "submission": pk, "user": self.username, "action": action})

    @task(2)
    def overview(self):
        self.open("review_page", "granskning")

    @task(1)
    def reports(self):
        self.open("reports", "rapportbiblioteket")


class ConflictEditor(Persona):
    """Four people on one committee's follow-up and one goal at once: saves kept or refused."""

    fixed_count = 4
    wait_time = between(1, 3)

    def pick_username(self):
        return URLS["conflict"]["user"]

    @task(2)
    def followup(self):
        self.write_followup(
            URLS["conflict"]["followup"], "konflikt: uppföljning", hand_in=False, committee=True
        )

    @task(1)
    def goal(self):
        self.edit_goal(URLS["conflict"]["goal"], label="konflikt: mål")


@events.request.add_listener
def _timed(request_type, name, response_time, exception, **_kwargs):
    if request_type in ("GET", "POST"):
        _requests.append((time.time(), response_time, category(name), exception is None))


def _percentile(times: list[float], q: float):
    if not times:
        return None
    times = sorted(times)
    return round(times[min(len(times) - 1, int(q * len(times)))], 1)


@events.quitting.add_listener
def report(environment, **_kwargs):
    stats = environment.stats
    rows = []
    print()
    header = f"{'Anrop':<48} {'antal':>6} {'fel':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    print(header)
    print("-" * len(header))
    by_category = {}
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        row = {
            "name": entry.name,
            "method": entry.method,
            "category": category(entry.name) if entry.method in ("GET", "POST") else entry.method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "max_ms": round(entry.max_response_time or 0, 1),
            "rps": round(entry.total_rps, 2),
        }
        rows.append(row)
        print(
            f"{entry.name[:48]:<48} {row['requests']:>6} {row['failures']:>5} "
            f"{row['p50_ms']:>8.0f} {row['p95_ms']:>8.0f} {row['max_ms']:>8.0f}"
        )
    for _at, ms, cat, ok in _requests:
        bucket = by_category.setdefault(cat, {"times": [], "failures": 0})
        bucket["times"].append(ms)
        bucket["failures"] += 0 if ok else 1
    categories = {
        cat: {
            "requests": len(b["times"]),
            "failures": b["failures"],
            "p50_ms": _percentile(b["times"], 0.5),
            "p95_ms": _percentile(b["times"], 0.95),
        }
        for cat, b in by_category.items()
    }
    checks = sum(r["failures"] for r in rows if r["method"] == "KONTROLL")
    refused = sum(r["requests"] for r in rows if r["method"] == "409")
    total = stats.total
    for error in stats.errors.values():
        print(f"FEL: {error.method} {error.name}: {error.error} ({error.occurrences} gånger)")
    result = {
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "users": environment.parsed_options.num_users if environment.parsed_options else None,
        "run_time": environment.parsed_options.run_time if environment.parsed_options else None,
        "setup": os.environ.get("LOADTEST_SETUP", ""),
        "requests": total.num_requests,
        "failures": total.num_failures,
        "failed_checks": checks,
        "refused_as_stale": refused,
        "rps": round(total.total_rps, 2),
        "categories": categories,
        "requests_by_name": rows,
        "errors": [
            {"name": e.name, "method": e.method, "error": str(e.error), "count": e.occurrences}
            for e in stats.errors.values()
        ],
    }
    timings = os.environ.get("LOADTEST_REQUESTS")
    if timings:
        # Every request's end, milliseconds and category: bench/loadtest_summary.py splits them
        # by the burst's window, which may end after locust has stopped.
        with open(timings, "w", encoding="utf-8") as handle:
            for at, ms, cat, ok in _requests:
                handle.write(f"{at:.3f},{ms:.1f},{cat},{int(ok)}\n")
    out = os.environ.get("LOADTEST_LOCUST_JSON")
    if out:
        out = Path(out)
    else:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"locust-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"Locusts siffror: {out}")
    if total.num_failures or not total.num_requests:
        environment.process_exit_code = 1
