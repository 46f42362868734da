"""The municipality report in parts on real workers, against one WeasyPrint run of the whole.

On the large synthetic municipality (demo.large.load_large, under the Danderyd demo) in a
PostgreSQL database of its own, it measures:

  (a) the whole municipality report as one HTML document, one WeasyPrint run (a process of
      its own, so that its peak memory is its own);
  (b) the report in parts with --workers real worker processes (`manage.py db_worker`):
      wall time from the order to the finished PDF, nothing cached;
  (c) the same after one committee's follow-up changed: wall time, and what was printed;
  (d) the peak memory (VmHWM) of every worker.

Targets: (b) ≤ 0.6 × (a); (c) ≤ 15 % of (b); (d) ≤ 1 GiB per worker. A table is printed and
JSON written to bench/results/ (ignored by git).

WeasyPrint subsets the embedded fonts of every document it writes; with fontTools (when the
HarfBuzz-Subset library is missing) that costs about 0.4 s per document, paid once per part.
The table says which one ran. Debian's libharfbuzz-subset0 (HarfBuzz ≥ 4.1) removes it.

Seeding the large data takes minutes, so the database is kept between runs, named by the
scale (drop it with --reseed). Usage:

    DEBUG=1 .venv/bin/python bench/report_parts.py                  # the large municipality
    DEBUG=1 .venv/bin/python bench/report_parts.py --scale small    # a quick run
    DEBUG=1 .venv/bin/python bench/report_parts.py --committees 10 --activities 5000 …
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
TARGET_PARTED = 0.6  # (b) ≤ 0.6 × (a)
TARGET_RERENDER = 0.15  # (c) ≤ 15 % of (b)
TARGET_WORKER_MB = 1024  # (d) ≤ 1 GiB per worker

SCALES = {
    "large": {
        "committees": 30,
        "units": 1000,
        "direction_goals": 600,
        "indicators": 3000,
        "activities": 20000,
        "years": 5,
    },
    "medium": {
        "committees": 12,
        "units": 300,
        "direction_goals": 200,
        "indicators": 1000,
        "activities": 6000,
        "years": 3,
    },
    "small": {
        "committees": 6,
        "units": 60,
        "direction_goals": 48,
        "indicators": 200,
        "activities": 1200,
        "years": 2,
    },
}


def database_name(scale: dict) -> str:
    """One database per scale and version of demo/large.py: reused while both are equal."""
    key = json.dumps(scale, sort_keys=True).encode() + (BASE_DIR / "demo" / "large.py").read_bytes()
    return f"styr_bench_parts_{hashlib.sha256(key).hexdigest()[:10]}"


def ensure_database(name: str, *, reseed: bool) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{POSTGRES}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        if reseed:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def setup_django(name: str, media: Path) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DATABASE_URL"] = f"{POSTGRES}/{name}"
    os.environ["MEDIA_ROOT"] = str(media)
    os.environ["REPORT_TASKS_BACKEND"] = "database"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danderyd_styrning.settings")
    import django

    django.setup()


def seed(scale: dict) -> float:
    """Migrate, and load the demo and the large municipality unless the database has them."""
    from django.core.management import call_command

    from goals.models import OrgUnit

    call_command("migrate", verbosity=0, interactive=False)
    if OrgUnit.objects.filter(code="ST-N01").exists():
        return 0.0
    from demo.large import load_large
    from demo.loader import load_demo

    started = time.perf_counter()
    print("Läser in demodata och den stora kommunen (tar några minuter) …", flush=True)
    if not OrgUnit.objects.exists():
        load_demo()
    load_large(**scale, stdout=sys.stdout)
    return time.perf_counter() - started


def find_occasion(year: int | None, name: str):
    from django.utils import timezone

    from goals.models import ReportingOccasion

    found = ReportingOccasion.objects.select_related("plan_year").filter(name=name)
    if year:
        found = found.filter(plan_year__year=year)
    else:  # the latest that has opened: its follow-ups are filled in
        found = found.filter(opens_on__lte=timezone.localdate())
    occasion = found.order_by("-plan_year__year").first()
    if occasion is None:
        raise SystemExit(f"Inget rapporteringstillfälle {name} {year or ''}.")
    return occasion


# --- (a) one document ------------------------------------------------------------------------


def single_document(occasion_id: int) -> dict:
    """Runs in a process of its own (--single): the whole report, one WeasyPrint run."""
    from goals.models import OrgUnit, ReportingOccasion
    from reporting.render import gather, html_to_pdf, render_html

    occasion = ReportingOccasion.objects.select_related("plan_year").get(pk=occasion_id)
    root = OrgUnit.objects.filter(kind=OrgUnit.Kind.MUNICIPALITY).order_by("tree_id").first()
    started = time.perf_counter()
    data = gather(kind="municipality", occasion=occasion, org_unit=root)
    gathered = time.perf_counter()
    html = render_html(kind="municipality", data=data, generated_at=datetime.datetime.now())
    templated = time.perf_counter()
    # Printed as the library prints it and as the parts are (tagged, PDF/UA-1 and PDF/A-2u,
    # reporting.pdfua), so that (a) and (b) do the same work.
    pdf, pages = html_to_pdf(html)
    finished = time.perf_counter()
    return {
        "pages": pages,
        "committees": len(data["committees"]),
        "gather_seconds": round(gathered - started, 2),
        "template_seconds": round(templated - gathered, 2),
        "weasyprint_seconds": round(finished - templated, 2),
        "total_seconds": round(finished - started, 2),
        "html_mb": round(len(html.encode()) / 1e6, 1),
        "pdf_mb": round(len(pdf) / 1e6, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpu_seconds": round(cpu_seconds(), 1),
        "load_average": round(os.getloadavg()[0], 1),
    }


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_single(args, occasion) -> dict:
    command = [sys.executable, __file__, "--single", str(occasion.pk), *scale_arguments(args)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ)
    if done.returncode:
        raise SystemExit(f"Ett dokument misslyckades:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def scale_arguments(args) -> list[str]:
    return [f"--{key.replace('_', '-')}={getattr(args, key)}" for key in SCALES["large"]] + [
        "--scale",
        args.scale,
    ]


# --- (b), (c) parts on workers ------------------------------------------------------------------


class Workers:
    """`manage.py db_worker` processes over the bench database."""

    def __init__(self, count: int, log_dir: Path):
        self.processes = []
        for number in range(count):
            log = open(log_dir / f"worker-{number + 1}.log", "w")  # noqa: SIM115
            self.processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        str(BASE_DIR / "manage.py"),
                        "db_worker",
                        "--no-reload",
                        "--no-startup-delay",
                        "--interval",
                        "0.1",
                        "--worker-id",
                        f"bench-parts-{os.getpid()}-{number + 1}",
                    ],
                    cwd=BASE_DIR,
                    env=os.environ.copy(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    def peak_mb(self) -> list[float]:
        """VmHWM of every worker: the most resident memory it ever had."""
        peaks = []
        for process in self.processes:
            status = Path(f"/proc/{process.pid}/status").read_text()
            line = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
            peaks.append(round(int(line.split()[1]) / 1024, 1))
        return peaks

    def cpu_seconds(self) -> float:
        """User and system CPU time of all workers so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for process in self.processes:
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def alive(self) -> bool:
        return all(process.poll() is None for process in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def clear_reports() -> None:
    """A cold start: no report, no part, no task (the bench database's own rows only)."""
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from reporting.models import GeneratedReport, ReportPart, ReportPartUse

    tables = [m._meta.db_table for m in (ReportPartUse, ReportPart, GeneratedReport, DBTaskResult)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}")


def order_and_wait(occasion, user, workers: Workers, timeout: float) -> dict:
    from django.utils import timezone

    from reporting import services
    from reporting.models import GeneratedReport, ReportPart

    since = timezone.now()
    cpu_before = workers.cpu_seconds()
    started = time.perf_counter()
    report = services.request_report(
        kind="municipality", occasion=occasion, org_unit=None, user=user
    )
    ordered = time.perf_counter()
    while True:
        report.refresh_from_db()
        if report.status in (GeneratedReport.Status.DONE, GeneratedReport.Status.FAILED):
            break
        if time.perf_counter() - started > timeout or not workers.alive():
            raise SystemExit(f"Rapporten blev inte klar ({report.status}); se loggarna.")
        time.sleep(0.05)
    wall = time.perf_counter() - started
    if report.status != GeneratedReport.Status.DONE:
        raise SystemExit(f"Rapporten misslyckades: {report.error}")
    printed = ReportPart.objects.filter(rendered_at__gte=since)
    plan = report.parts_plan or {}
    timings = plan.get("timings", {})
    moments = {
        "claimed": report.started_at,
        "planned": _moment(plan.get("planned_at")),
        "joining": _moment(timings.get("join_started_at")),
        "finished": report.finished_at,
    }
    steps = {}
    previous = since
    for step, moment in moments.items():
        if moment is not None and previous is not None:
            steps[f"until_{step}_seconds"] = round((moment - previous).total_seconds(), 2)
        previous = moment or previous
    return {
        "worker_cpu_seconds": round(workers.cpu_seconds() - cpu_before, 1),
        "load_average": round(os.getloadavg()[0], 1),
        "steps": steps,
        "join": {k: v for k, v in timings.items() if not k.endswith("_at")},
        "report": report.pk,
        "version": report.version,
        "pages": report.pages,
        "published": report.published,
        "wall_seconds": round(wall, 2),
        "order_seconds": round(ordered - started, 2),
        "weasyprint_seconds": report.weasyprint_seconds,
        "parts_printed": {
            kind: printed.filter(kind=kind).count() for kind in ("committee", "appendix", "front")
        },
        "part_pages_printed": sum(p.pages or 0 for p in printed),
        "pdf_mb": round(report.size / 1e6, 1),
    }


def _moment(text):
    return datetime.datetime.fromisoformat(text) if text else None


def change_one_committee(occasion) -> str:
    """One committee's follow-up changes: a new analysis text."""
    from goals.models import Submission

    submission = (
        Submission.objects.filter(occasion=occasion, org_unit__code__startswith="ST-")
        .select_related("org_unit")
        .order_by("org_unit__code")
        .first()
    ) or Submission.objects.filter(occasion=occasion).select_related("org_unit").first()
    if submission is None:
        raise SystemExit("Ingen nämnd har en uppföljning för tillfället: inget att ändra.")
    Submission.objects.filter(pk=submission.pk).update(
        analysis=f"{submission.analysis}\nÄndrad {datetime.datetime.now().isoformat()}."
    )
    return submission.org_unit.name


# --- main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="large")
    for key in SCALES["large"]:
        parser.add_argument(f"--{key.replace('_', '-')}", type=int, default=None)
    parser.add_argument("--year", type=int, default=None, help="default: the latest opened")
    parser.add_argument("--occasion", default="Verksamhetsberättelse")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per report")
    parser.add_argument("--skip-single", action="store_true", help="do not measure (a)")
    parser.add_argument("--reseed", action="store_true", help="drop and seed the database")
    parser.add_argument("--single", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    scale = {
        key: getattr(args, key) if getattr(args, key) is not None else SCALES[args.scale][key]
        for key in SCALES["large"]
    }
    for key, value in scale.items():
        setattr(args, key, value)
    name = database_name(scale)

    if args.single is not None:  # (a), in a process of its own
        setup_django(name, Path(tempfile.gettempdir()) / "styr-bench-parts-media")
        print(json.dumps(single_document(args.single)))
        return 0

    ensure_database(name, reseed=args.reseed)
    work = Path(tempfile.mkdtemp(prefix="styr-bench-parts-"))
    media = work / "media"
    setup_django(name, media)
    seeded = seed(scale)
    import weasyprint
    from django.contrib.auth import get_user_model

    occasion = find_occasion(args.year, args.occasion)
    user = get_user_model().objects.get(username="admin")
    print(
        f"Databas {name}; {occasion.name} {occasion.plan_year.year}; "
        f"HarfBuzz-Subset: {'ja' if harfbuzz_subset() else 'nej (fontTools)'}.",
        flush=True,
    )

    single = None
    if not args.skip_single:
        print("(a) hela rapporten som ett dokument …", flush=True)
        single = run_single(args, occasion)

    clear_reports()
    workers = Workers(args.workers, work)
    try:
        time.sleep(3)  # the workers' Django start-up is not the report's time
        print(f"(b) i delar på {args.workers} arbetare …", flush=True)
        parted = order_and_wait(occasion, user, workers, args.timeout)
        changed = change_one_committee(occasion)
        print(f"(c) efter en ändring i {changed} …", flush=True)
        again = order_and_wait(occasion, user, workers, args.timeout)
        again["changed_committee"] = changed
        peaks = workers.peak_mb()
    finally:
        workers.stop()

    rows = []
    if single:
        limit = TARGET_PARTED * single["total_seconds"]
        rows.append(("(a) ett dokument, en WeasyPrint-körning", single["total_seconds"], "", ""))
        rows.append(
            (
                f"(b) i delar, {args.workers} arbetare",
                parted["wall_seconds"],
                f"≤ {limit:.1f} s (0,6 × a)",
                parted["wall_seconds"] <= limit,
            )
        )
    else:
        rows.append((f"(b) i delar, {args.workers} arbetare", parted["wall_seconds"], "", ""))
    limit = TARGET_RERENDER * parted["wall_seconds"]
    rows.append(
        (
            "(c) efter en nämnds ändring",
            again["wall_seconds"],
            f"≤ {limit:.1f} s (15 % av b)",
            again["wall_seconds"] <= limit,
        )
    )
    for number, peak in enumerate(peaks, start=1):
        rows.append(
            (f"(d) arbetare {number}, VmHWM (MB)", peak, f"≤ {TARGET_WORKER_MB} MB", peak <= 1024)
        )
    print()
    print(f"{'Mätning':<44} {'värde':>9}  {'mål':<24} uppfyllt")
    print("-" * 88)
    for label, value, target, met in rows:
        flag = "" if met == "" else ("ja" if met else "NEJ")
        print(f"{label:<44} {value:>9.1f}  {target:<24} {flag}")
    print()
    pages = single["pages"] if single else parted["pages"]
    print(
        f"{pages} sidor, {len_committees(single)} nämnder. (b) skrev ut "
        f"{parted['parts_printed']}; (c) skrev ut {again['parts_printed']} "
        f"({again['part_pages_printed']} sidor)."
    )
    for label, run in (("(b)", parted), ("(c)", again)):
        print(
            f"{label}: arbetarnas CPU {run['worker_cpu_seconds']} s, belastning "
            f"{run['load_average']}; steg {run['steps']}; sammanfogning {run['join']}."
        )
    if single:
        print(
            f"(a): CPU {single['cpu_seconds']} s, belastning {single['load_average']}; "
            f"insamling {single['gather_seconds']} s, mall {single['template_seconds']} s, "
            f"WeasyPrint {single['weasyprint_seconds']} s, topp-RSS {single['peak_rss_mb']} MB."
        )

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"report-parts-{stamp}.json"
    result = {
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "harfbuzz_subset": harfbuzz_subset(),
        "database": name,
        "seed_seconds": round(seeded, 1),
        "scale": scale,
        "occasion": f"{occasion.name} {occasion.plan_year.year}",
        "workers": args.workers,
        "single_document": single,
        "parted": parted,
        "after_one_change": again,
        "worker_peak_mb": peaks,
        "targets": {
            "parted_vs_single": TARGET_PARTED,
            "rerender_vs_parted": TARGET_RERENDER,
            "worker_peak_mb": TARGET_WORKER_MB,
        },
    }
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"Resultat: {out.relative_to(BASE_DIR)}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def harfbuzz_subset() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (fast) rather than fontTools (slow)."""
    from weasyprint.text.ffi import harfbuzz_subset as library

    return library is not None


def len_committees(single: dict | None) -> str:
    return str(single["committees"]) if single else "?"


if __name__ == "__main__":
    sys.exit(main())
