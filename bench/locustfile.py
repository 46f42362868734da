"""make loadtest: the staff's and the reviewers' journeys against gunicorn, with locust.

Run by bench/loadtest.sh (which seeds the large municipality and starts gunicorn); the
pages' URLs come from LOADTEST_URLS (JSON). Every response must be 2xx or 3xx; at the end
p50 and p95 per page are printed and written to bench/results/loadtest-*.json, and the run
fails when any request failed.
"""

import datetime
import json
import os
import platform
import random
import re
from pathlib import Path

from locust import HttpUser, between, events, task

RESULTS = Path(__file__).resolve().parent / "results"
URLS = json.loads(os.environ.get("LOADTEST_URLS", "{}"))
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Persona(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    usernames: list[str] = []

    def on_start(self):
        self.username = random.choice(self.usernames)
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

    def open(self, key: str, name: str):
        # A redirect to the login page would be a lost session: count it as a failure.
        with self.client.get(URLS[key], name=name, catch_response=True) as response:
            if "/accounts/login/" in response.url:
                response.failure("utloggad")
            elif not 200 <= response.status_code < 400:
                response.failure(str(response.status_code))


class CommitteeStaff(Persona):
    """Committee staff: start page, the committee's plan, the follow-up form, the chain."""

    weight = 2
    usernames = ["stor-namnd"]

    @task(2)
    def start_page(self):
        self.open("start", "startsida")

    @task(3)
    def plan(self):
        self.open("committee_plan", "nämndens plan")

    @task(3)
    def followup(self):
        self.open("committee_followup", "uppföljning, nämnd")

    @task(1)
    def chain(self):
        self.open("chain_committee", "styrkedjan, nämnd")


class UnitStaff(Persona):
    """A unit head: start page, the unit's plan, the unit's follow-up form."""

    weight = 2
    usernames = ["stor-enhet"]

    @task(2)
    def start_page(self):
        self.open("start", "startsida")

    @task(3)
    def plan(self):
        self.open("unit_plan", "enhetens plan")

    @task(3)
    def followup(self):
        self.open("unit_followup", "uppföljning, enhet")


class Reviewer(Persona):
    """Kommunledningskontoret: the review overview, one submission, the report library."""

    weight = 1
    usernames = ["stor-klk"]

    @task(3)
    def overview(self):
        self.open("review", "granskning")

    @task(3)
    def submission(self):
        self.open("review_submission", "granskning av en uppföljning")

    @task(2)
    def reports(self):
        self.open("reports", "rapportbiblioteket")

    @task(1)
    def chain(self):
        self.open("chain", "styrkedjan")


@events.quitting.add_listener
def report(environment, **_kwargs):
    stats = environment.stats
    rows = []
    print()
    header = f"{'Sida':<32} {'anrop':>6} {'fel':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    print(header)
    print("-" * len(header))
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        row = {
            "page": entry.name,
            "method": entry.method,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "max_ms": round(entry.max_response_time or 0, 1),
            "rps": round(entry.total_rps, 2),
        }
        rows.append(row)
        print(
            f"{entry.name[:32]:<32} {row['requests']:>6} {row['failures']:>5} "
            f"{row['p50_ms']:>8.0f} {row['p95_ms']:>8.0f} {row['max_ms']:>8.0f}"
        )
    total = stats.total
    print(
        f"Totalt {total.num_requests} anrop, {total.num_failures} fel, "
        f"{total.total_rps:.1f} anrop/s, p50 {total.get_response_time_percentile(0.5):.0f} ms, "
        f"p95 {total.get_response_time_percentile(0.95):.0f} ms."
    )
    for error in stats.errors.values():
        print(f"FEL: {error.method} {error.name}: {error.error} ({error.occurrences} gånger)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"loadtest-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "when": datetime.datetime.now().isoformat(timespec="seconds"),
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "users": environment.parsed_options.num_users
                if environment.parsed_options
                else None,
                "run_time": environment.parsed_options.run_time
                if environment.parsed_options
                else None,
                "setup": os.environ.get("LOADTEST_SETUP", ""),
                "requests": total.num_requests,
                "failures": total.num_failures,
                "rps": round(total.total_rps, 2),
                "p50_ms": total.get_response_time_percentile(0.5),
                "p95_ms": total.get_response_time_percentile(0.95),
                "pages": rows,
                "errors": [
                    {"name": e.name, "error": str(e.error), "count": e.occurrences}
                    for e in stats.errors.values()
                ],
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"Resultat: {out}")
    if total.num_failures or not total.num_requests:
        environment.process_exit_code = 1
