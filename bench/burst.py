"""make loadtest: the publication burst, and lock waits while the load runs.

    python bench/burst.py --host URL --occasion ID --workers PID,PID --out FILE.json
        [--delay 60] [--spread 60] [--until EPOCH] [--timeout 1800]

After `--delay` seconds a reviewer (stor-klk-1) publishes every committee's follow-up of the
occasion through the web, as kommunledningskontoret does, spread over `--spread` seconds while
the locust users keep working. Each publish orders its committee's report; the last one orders
the municipality report (reporting.ordering). The burst is done when every committee report and
the municipality report of the occasion is done; measured: the seconds from the first publish,
and the CPU seconds the report workers used meanwhile. With w workers the target is
seconds <= 1.3 x CPU seconds / w (no worker idle while work waits).

All the time (until `--until`, the end of the locust run) pg_stat_activity is sampled once a
second for sessions of this database waiting for a lock.
"""

import argparse
import http.cookiejar
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danderyd_styrning.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402

from goals.models import OrgUnit, Submission  # noqa: E402
from reporting.models import GeneratedReport  # noqa: E402

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
Status = GeneratedReport.Status


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A logged-in reviewer over plain HTTP (urllib, a cookie jar)."""

    def __init__(self, host: str, username: str, password: str):
        self.host = host.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )
        page = self.get("/accounts/login/")
        self.post(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf(page)},
        )

    @staticmethod
    def csrf(page: str) -> str:
        return CSRF_INPUT.search(page).group(1)

    def get(self, path: str) -> str:
        with self.opener.open(self.host + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> int:
        request = urllib.request.Request(
            self.host + path,
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": self.host + path},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as answer:  # a redirect (302) arrives as one here
            return answer.code


def worker_cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


class LockWaits(threading.Thread):
    """Once a second: how many sessions of this database wait for a lock (pg_stat_activity)."""

    def __init__(self, until: float):
        super().__init__(daemon=True)
        self.until = until
        self.samples = 0
        self.waiting_samples = 0
        self.max_waiting = 0
        self.examples = []

    def run(self):
        if connection.vendor != "postgresql":
            return
        try:
            while time.time() < self.until:
                with connections["default"].cursor() as cursor:
                    cursor.execute(
                        "SELECT left(query, 160) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                    waiting = [row[0] for row in cursor.fetchall()]
                self.samples += 1
                if waiting:
                    self.waiting_samples += 1
                    self.max_waiting = max(self.max_waiting, len(waiting))
                    if len(self.examples) < 10:
                        self.examples.extend(waiting[: 10 - len(self.examples)])
                time.sleep(1)
        finally:
            connections["default"].close()

    def result(self) -> dict:
        return {
            "samples": self.samples,
            "samples_with_lock_waits": self.waiting_samples,
            "max_sessions_waiting": self.max_waiting,
            "examples": self.examples,
        }


class IdleWorkers(threading.Thread):
    """Twice a second while the burst runs: report tasks waiting while fewer tasks run than
    there are workers. The seconds of that are the burst's idle-worker time (target ~0): the
    property "no worker idle while work waits", apart from how much CPU the web leaves."""

    def __init__(self, workers: int):
        super().__init__(daemon=True)
        self.workers = workers
        self.stop = threading.Event()
        self.samples = 0
        self.idle_seconds = 0.0
        self.busy_seconds = 0.0

    def run(self):
        from django_tasks_db.models import DBTaskResult

        step = 0.5
        try:
            while not self.stop.wait(step):
                waiting = DBTaskResult.objects.ready().count()
                running = DBTaskResult.objects.running().count()
                self.samples += 1
                if waiting and running < self.workers:
                    self.idle_seconds += step * (self.workers - running)
                self.busy_seconds += step * min(running, self.workers)
        finally:
            connections["default"].close()

    def result(self) -> dict:
        return {
            "idle_worker_seconds_while_tasks_waited": round(self.idle_seconds, 1),
            "worker_seconds_busy": round(self.busy_seconds, 1),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--occasion", type=int, required=True)
    parser.add_argument("--workers", required=True, help="the report workers' process ids")
    parser.add_argument("--out", required=True)
    parser.add_argument("--delay", type=float, default=60)
    parser.add_argument("--spread", type=float, default=60)
    parser.add_argument("--until", type=float, default=0)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--user", default="stor-klk-1")
    parser.add_argument("--password", default=os.environ.get("LOADTEST_PASSWORD", "demo"))
    parser.add_argument("--committees", type=int, default=0, help="only this many (smoke runs)")
    args = parser.parse_args()
    pids = [int(p) for p in args.workers.split(",") if p]
    out = Path(args.out)
    waits = LockWaits(args.until or time.time() + args.delay + args.timeout)
    waits.start()
    time.sleep(args.delay)

    submissions = list(
        Submission.objects.filter(
            occasion_id=args.occasion,
            org_unit__kind=OrgUnit.Kind.COMMITTEE,
            state=Submission.State.APPROVED,
        )
        .select_related("org_unit")
        .order_by("org_unit__code")
    )
    if args.committees:
        submissions = submissions[: args.committees]
    browser = Browser(args.host, args.user, args.password)
    idle = IdleWorkers(len(pids))
    idle.start()
    cpu_before = worker_cpu_seconds(pids)
    started = time.time()
    step = args.spread / max(1, len(submissions))
    publish_ms = []  # each publish's answer time: it freezes the committee's follow-up

    def publish(n: int, submission: Submission) -> int:
        # Each at its own moment, whether or not the ones before have answered: a reviewer
        # does not wait for the server, several of them publish at once.
        time.sleep(max(0.0, started + n * step - time.time()))
        path = f"/granskning/{submission.pk}/"
        page = browser.get(path)
        data = {"csrfmiddlewaretoken": browser.csrf(page), "action": "publish", "bekraftat": "1"}
        sent = time.perf_counter()
        answer = browser.post(path, data)
        publish_ms.append((time.perf_counter() - sent) * 1000)
        return answer

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(publish, range(len(submissions)), submissions))
    last_publish = time.time()
    published_in = last_publish - started
    committees = {s.org_unit_id for s in submissions}
    whole_occasion = not args.committees
    expected = len(committees) + (1 if whole_occasion else 0)
    print(
        f"Publicerade {sum(1 for a in answers if a == 302)} av {len(submissions)} nämnder på "
        f"{published_in:.0f} s; väntar på {expected} rapporter …",
        flush=True,
    )
    finished, failed = None, []
    while time.time() - started < args.timeout:
        reports = GeneratedReport.objects.filter(occasion_id=args.occasion)
        done_committees = set(
            reports.filter(kind="committee", status=Status.DONE).values_list(
                "org_unit_id", flat=True
            )
        )
        municipality_done = reports.filter(kind="municipality", status=Status.DONE).exists()
        failed = list(reports.filter(status=Status.FAILED).values_list("pk", "error"))
        if failed:
            break
        if committees <= done_committees and (municipality_done or not whole_occasion):
            finished = time.time()
            break
        time.sleep(0.5)
    cpu = worker_cpu_seconds(pids) - cpu_before
    idle.stop.set()
    idle.join()
    seconds = round(finished - started, 1) if finished else None
    target = round(1.3 * cpu / len(pids), 1) if pids else None
    result = {
        "occasion": args.occasion,
        "committees": len(submissions),
        "published_ok": sum(1 for a in answers if a == 302),
        "publish_answers": answers,
        "published_in_seconds": round(published_in, 1),
        "reports_expected": expected,
        "workers": len(pids),
        "started_at": started,
        "finished_at": finished,
        "seconds": seconds,
        "seconds_after_last_publish": round(finished - last_publish, 1) if finished else None,
        "worker_cpu_seconds": round(cpu, 1),
        "target_seconds": target,
        "failed": [{"report": pk, "error": error[:300]} for pk, error in failed],
        **idle.result(),
        "publish_ms_median": round(sorted(publish_ms)[len(publish_ms) // 2])
        if publish_ms
        else None,
        "publish_ms_max": round(max(publish_ms)) if publish_ms else None,
    }
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(
        f"Publiceringsskuren: {expected} rapporter klara på {seconds} s; arbetarnas CPU "
        f"{cpu:.0f} s, mål ≤ 1,3 × {cpu:.0f} / {len(pids)} = {target} s; arbetare lediga "
        f"medan uppgifter väntade: {idle.result()['idle_worker_seconds_while_tasks_waited']} s.",
        flush=True,
    )
    waits.join()
    result["lock_waits"] = waits.result()
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0 if finished and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
