"""make bench: the main pages' SQL queries and server time, at demo and at large scale.

For the main pages (the chain, a committee's plan editor, a unit's plan, a committee's follow-up
form at the open occasion, the review overview, the report library, a search and the
måluppfyllelse overview) it prints the number of SQL queries with the Danderyd demo and with
the large synthetic municipality (`demo.large.load_large`: 30 committees, 1 000 units, 20 000
activities) — they must be equal and at most 25 — and the median and p95 server time over
--runs requests at large scale, beside the floor: a view that only answers "ok" through
the same middleware. Target at large scale: p95 ≤ 250 ms. JSON goes to bench/results/
(ignored by git).

The demo is seeded into a temporary SQLite database. The large municipality takes a while
to seed, so it is kept in bench/.cache/ (ignored by git), keyed by a hash of demo/large.py
and the migrations; with BENCH_DATABASE_URL (PostgreSQL) it is seeded there once instead.
Requests go through Django's test client with DEBUG off, as a logged-in persona.

Usage: .venv/bin/python bench/pages.py [--runs 30] [--pages overview,overview_goal,search]
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
CACHE = BASE_DIR / "bench" / ".cache"
MAX_QUERIES = 25
TARGET_P95_MS = 250.0
# The open occasion whose follow-up form is measured (the demo's and the large data's year).
OCCASION_YEAR, OCCASION_NAME = 2026, "Delårsrapport"
# Personas per scale: (chain reader and reviewer, committee editor, committee code,
# unit editor, unit code).
PERSONAS = {
    "demo": {"reviewer": "klk", "committee_editor": "namnd", "committee": "UN"},
    "large": {"reviewer": "stor-klk", "committee_editor": "stor-namnd", "committee": "ST-N01"},
}
PERSONAS["demo"].update(unit_editor="enhet", unit="UF-ENS")
PERSONAS["large"].update(unit_editor="stor-enhet", unit="ST-N01-E001")
PAGES = [
    ("chain", "Styrkedjan /styrkedja/"),
    ("committee_plan", "Nämndens plan /planer/namnd/…/"),
    ("unit_plan", "Enhetens plan /styrkedja/plan/…/"),
    ("followup", "Uppföljning, nämnd /uppfoljning/…/"),
    ("review", "Granskning /granskning/"),
    ("reports", "Rapportbiblioteket /rapporter/"),
    ("search", "Sök /sok/?q=nämnd"),
    ("overview", "Måluppfyllelse /oversikt/"),
    ("overview_area", "Måluppfyllelse, område /oversikt/?omrade=1"),
    ("overview_committee", "Måluppfyllelse, nämnd /oversikt/?namnd=…"),
    ("overview_goal", "Måluppfyllelse, mål /oversikt/?…&mal=…"),
    ("ic_overview", "Intern kontroll /internkontroll/"),
    ("ic_committee", "Riskanalys och matris /internkontroll/…/år/"),
    ("ic_plan", "Internkontrollplan /internkontroll/…/plan/"),
    ("ic_results", "Kontrollresultat /internkontroll/…/uppfoljning/…/"),
]


def large_cache_key() -> str:
    digest = hashlib.sha256()
    files = [BASE_DIR / "demo" / "large.py", BASE_DIR / "goals" / "demo.py"]
    files += sorted((BASE_DIR / "goals" / "migrations").glob("*.py"))
    files += sorted((BASE_DIR / "reporting" / "migrations").glob("*.py"))
    files += sorted(BASE_DIR.glob("fixtures/*.json"))
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DATABASE_URL"] = database_url
    # Production-like: DEBUG off (no query log, cached templates), no HTTPS redirect.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danderyd_styrning.settings")
    import django

    django.setup()
    # The floor: the project's own URLs plus a view that only answers "ok".
    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import include, path

    floor = types.ModuleType("bench_floor_urls")
    floor.urlpatterns = [
        path("bench-ok/", lambda request: HttpResponse("ok"), name="bench_ok"),
        path("", include(settings.ROOT_URLCONF)),
    ]
    sys.modules["bench_floor_urls"] = floor
    settings.ROOT_URLCONF = "bench_floor_urls"


def seed(scale: str) -> None:
    from django.core.management import call_command

    from goals.models import OrgUnit

    call_command("migrate", verbosity=0, interactive=False)
    if not OrgUnit.objects.exists():
        from demo.loader import load_demo

        load_demo()
    if scale == "large":
        from demo.large import load_large

        load_large(stdout=sys.stderr)
    else:
        start_demo_followup()


def start_demo_followup() -> None:
    """The demo committee's follow-up at the open occasion as a saved draft, like the large
    data's: the form is measured with a submission in both."""
    from django.contrib.auth import get_user_model

    from goals import cycle
    from goals.models import OrgUnit, ReportingOccasion

    p = PERSONAS["demo"]
    occasion = ReportingOccasion.objects.get(plan_year__year=OCCASION_YEAR, name=OCCASION_NAME)
    unit = OrgUnit.objects.get(code=p["committee"])
    submission = cycle.submission_get_or_create(occasion=occasion, org_unit=unit)
    if submission.version == 1:
        cycle.followup_save(
            submission=submission,
            user=get_user_model().objects.get(username=p["committee_editor"]),
            base_version=submission.version,
            data=cycle.FollowUpInput(analysis="Utkast för mätningen."),
        )


def page_urls(scale: str) -> dict:
    from django.urls import reverse

    from goals.models import OperationalPlan, OrgUnit, PlanYear, ReportingOccasion

    p = PERSONAS[scale]
    current = PlanYear.objects.get(is_current=True)
    occasion = ReportingOccasion.objects.get(plan_year__year=OCCASION_YEAR, name=OCCASION_NAME)
    plan = OperationalPlan.objects.get(org_unit__code=p["unit"], plan_year=current)
    committee = OrgUnit.objects.get(code=p["committee"])
    return {
        "chain": (p["reviewer"], reverse("chain")),
        "committee_plan": (p["committee_editor"], reverse("plan_committee", args=[committee.code])),
        "unit_plan": (p["unit_editor"], plan.get_absolute_url()),
        "followup": (
            p["committee_editor"],
            reverse("followup_edit", args=[occasion.pk, committee.code]),
        ),
        "review": (p["reviewer"], reverse("review")),
        "reports": (p["reviewer"], reverse("reports")),
        # A word in every kind's names at both scales, with Swedish letters.
        "search": (p["reviewer"], reverse("search") + "?q=n%C3%A4mnd"),
        "overview": (p["reviewer"], reverse("overview")),
        "overview_area": (p["reviewer"], reverse("overview") + "?omrade=1"),
        "overview_committee": (
            p["committee_editor"],
            reverse("overview") + f"?namnd={p['committee']}",
        ),
        # The deepest level: a goal of the committee at the default occasion, with its
        # indicators' trends, the units' assessments and activities.
        "overview_goal": (
            p["reviewer"],
            reverse("overview") + f"?namnd={p['committee']}&mal={overview_goal(committee).pk}",
        ),
        "ic_overview": (p["reviewer"], reverse("ic_overview")),
        "ic_committee": (
            p["committee_editor"],
            reverse("ic_committee", args=[committee.code, current.year]),
        ),
        "ic_plan": (p["committee_editor"], reverse("ic_plan", args=[committee.code, current.year])),
        "ic_results": (
            p["committee_editor"],
            reverse("ic_results", args=[committee.code, occasion.pk]),
        ),
        "floor": (p["reviewer"], "/bench-ok/"),
    }


def overview_goal(committee):
    """The committee's first goal on the overview at its default occasion."""
    from goals.permissions import reads_everything
    from goals.selectors.overview import overview, overview_occasions

    occasions, default = overview_occasions()
    data = overview(access=reads_everything(), occasion=default, occasions=occasions)
    return next(g.goal for g in data.goals if g.committee.pk == committee.pk)


def measure(scale: str, runs: int, only: set[str] | None = None) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {}
    results = {}
    for name, (username, url) in page_urls(scale).items():
        if only and name not in only and name != "floor":
            continue
        if username not in clients:
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            clients[username] = client
        client = clients[username]
        first = client.get(url)  # warm-up: templates, a draft the page makes on first visit
        if first.status_code != 200:
            raise SystemExit(f"{scale}: {url} svarade {first.status_code} för {username}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        row = {
            "url": url,
            "user": username,
            "queries": len(queries),
            "bytes": len(response.content),
        }
        if runs:
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            row.update(
                runs=runs,
                median_ms=round(statistics.median(times), 1),
                p95_ms=round(times[max(0, int(round(0.95 * runs)) - 1)], 1),
                max_ms=round(times[-1], 1),
            )
        results[name] = row
    return results


def run_phase(scale: str, database_url: str, runs: int, only: set[str] | None = None) -> dict:
    """One scale in a process of its own (Django is set up once per database)."""
    started = time.monotonic()
    setup_django(database_url)
    seed(scale)
    from django.db import connection

    seeded = time.monotonic() - started
    return {
        "scale": scale,
        "vendor": connection.vendor,
        "seed_seconds": round(seeded, 1),
        "pages": measure(scale, runs, only),
    }


def child(scale: str, database_url: str, runs: int, only: set[str] | None = None) -> dict:
    command = [sys.executable, __file__, "--phase", scale, "--database-url", database_url]
    command += ["--runs", str(runs)]
    if only:
        command += ["--pages", ",".join(sorted(only))]
    done = subprocess.run(command, capture_output=True, text=True, cwd=BASE_DIR)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"Mätningen i skala {scale} misslyckades ({done.returncode}).")
    return json.loads(done.stdout.strip().splitlines()[-1])


def demo_database_url(database_dir: str) -> str:
    """A fresh database for the demo, of the same kind as the large one's (queries compare)."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{database_dir}/demo.sqlite3"
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_demo"
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()
    return url.rsplit("/", 1)[0] + "/" + name


def large_database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        return url
    CACHE.mkdir(parents=True, exist_ok=True)
    key = large_cache_key()
    for stale in CACHE.glob("large-*.sqlite3"):
        if stale.name != f"large-{key}.sqlite3":
            stale.unlink()
    return f"sqlite:///{CACHE / f'large-{key}.sqlite3'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page (large)")
    parser.add_argument("--phase", choices=["demo", "large"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument(
        "--pages",
        help="only these pages, comma-separated (e.g. overview,overview_goal,search); "
        "names: " + ", ".join(name for name, _title in PAGES),
    )
    args = parser.parse_args()
    only = {name.strip() for name in args.pages.split(",")} if args.pages else None
    unknown = (only or set()) - {name for name, _title in PAGES}
    if unknown:
        parser.error(f"okända sidor: {', '.join(sorted(unknown))}")
    if args.phase:
        print(json.dumps(run_phase(args.phase, args.database_url, args.runs, only)))
        return 0

    with tempfile.TemporaryDirectory(prefix="styr-bench-") as database_dir:
        demo_url = demo_database_url(database_dir)
        print(f"Demo: läser in Danderyds demodata i {demo_url} …", flush=True)
        demo = child("demo", demo_url, runs=0, only=only)
    print("Stor skala: läser in (eller återanvänder) den stora kommunen …", flush=True)
    large = child("large", large_database_url(), runs=args.runs, only=only)

    print()
    header = (
        f"{'Sida':<38} {'frågor demo':>11} {'frågor stor':>11} {'mål':>5} "
        f"{'median ms':>9} {'p95 ms':>8} {'mål ms':>7}"
    )
    print(header)
    print("-" * len(header))
    failures = []
    rows = []
    shown = [(name, title) for name, title in PAGES if not only or name in only]
    for name, title in [*shown, ("floor", "Golv: vy som svarar ”ok”")]:
        d, lg = demo["pages"][name], large["pages"][name]
        ok_queries = d["queries"] == lg["queries"] and lg["queries"] <= MAX_QUERIES
        ok_time = lg["p95_ms"] <= TARGET_P95_MS
        flags = []
        if name != "floor" and not ok_queries:
            flags.append("FRÅGOR")
        if name != "floor" and not ok_time:
            flags.append("TID")
        failures += [f"{name}: {f}" for f in flags]
        print(
            f"{title[:38]:<38} {d['queries']:>11} {lg['queries']:>11} {'≤' + str(MAX_QUERIES):>5} "
            f"{lg['median_ms']:>9.1f} {lg['p95_ms']:>8.1f} {'≤' + str(int(TARGET_P95_MS)):>7}"
            f"{'  ' + ' '.join(flags) if flags else ''}"
        )
        rows.append(
            {
                "page": name,
                "title": title,
                "demo": d,
                "large": lg,
                "queries_equal": d["queries"] == lg["queries"],
                "within_targets": not flags,
            }
        )
    print()
    print(
        f"Frågor: lika många i demo och stor skala och högst {MAX_QUERIES}. Tid: serverns tid "
        f"genom hela middleware-kedjan (Djangos testklient, DEBUG av) över {args.runs} anrop "
        f"i stor skala ({large['vendor']}); mål p95 ≤ {TARGET_P95_MS:.0f} ms."
    )

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"pages-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "when": datetime.datetime.now().isoformat(timespec="seconds"),
                "python": platform.python_version(),
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "large_database": large["vendor"],
                "large_seed_seconds": large["seed_seconds"],
                "runs": args.runs,
                "targets": {"max_queries": MAX_QUERIES, "p95_ms": TARGET_P95_MS},
                "pages": rows,
                "failures": failures,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"Resultat: {out.relative_to(BASE_DIR)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
