"""make bench: how long the demo's reports take, and what of it is not WeasyPrint.

For the committee report (Utbildningsnämnden) and the municipality report of the demo's
Verksamhetsberättelse 2025 it prints: pages, total seconds (gather + template + WeasyPrint),
peak memory, the seconds WeasyPrint alone takes on the same final HTML, and the overhead
of gathering and templating as a share of WeasyPrint's own time (target: at most 15 %).
The results are also written as JSON to bench/results/ (ignored by git).

The demo is seeded into a temporary SQLite database, so the dev database is left alone.
Usage: DEBUG=1 .venv/bin/python bench/reports.py [--runs N] [--year 2025] [--occasion NAME]
"""

import argparse
import datetime
import gc
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
TARGET_OVERHEAD = 0.15


def setup_django(database_dir: str) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DATABASE_URL"] = f"sqlite:///{database_dir}/bench.sqlite3"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danderyd_styrning.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from demo.loader import load_demo

    call_command("migrate", verbosity=0, interactive=False)
    load_demo()


def measure(*, kind: str, occasion, org_unit, runs: int) -> dict:
    from reporting.render import gather, html_to_pdf, render_report

    render_report(kind=kind, occasion=occasion, org_unit=org_unit)  # warm-up: fonts, templates
    totals, inside, alone, gathers = [], [], [], []
    rendered = None
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        gather(kind=kind, occasion=occasion, org_unit=org_unit)
        gathers.append(time.perf_counter() - started)
        rendered = render_report(kind=kind, occasion=occasion, org_unit=org_unit)
        totals.append(rendered.seconds)
        inside.append(rendered.weasyprint_seconds)
        gc.collect()
        started = time.perf_counter()
        html_to_pdf(rendered.html)
        alone.append(time.perf_counter() - started)
    # Peak memory in a run of its own: tracemalloc slows Python down, so it is not timed.
    tracemalloc.start()
    render_report(kind=kind, occasion=occasion, org_unit=org_unit)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Best of the runs (as timeit does): the least disturbed by the machine's other work.
    total = min(totals)
    weasy_alone = min(alone)
    overhead = total - weasy_alone
    return {
        "kind": kind,
        "title": rendered.title,
        "draft": rendered.draft,
        "pages": rendered.pages,
        "runs": runs,
        "total_seconds": round(total, 4),
        "gather_seconds": round(min(gathers), 4),
        "weasyprint_in_render_seconds": round(min(inside), 4),
        "total_seconds_median": round(statistics.median(totals), 4),
        "weasyprint_alone_seconds": round(weasy_alone, 4),
        "overhead_seconds": round(overhead, 4),
        "overhead_ratio": round(overhead / weasy_alone, 4),
        "seconds_per_page": round(total / rendered.pages, 4),
        "peak_python_memory_mb": round(peak / 1024 / 1024, 1),
        "html_kb": round(len(rendered.html.encode()) / 1024, 1),
        "pdf_kb": round(len(rendered.pdf) / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per report (best of)")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--occasion", default="Verksamhetsberättelse")
    parser.add_argument("--committee", default="UN", help="the committee's code")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="styr-bench-") as database_dir:
        print("Läser in demodata i en tillfällig SQLite-databas …", flush=True)
        setup_django(database_dir)
        import weasyprint

        from goals.models import OrgUnit, ReportingOccasion

        occasion = ReportingOccasion.objects.select_related("plan_year").get(
            plan_year__year=args.year, name=args.occasion
        )
        committee = OrgUnit.objects.get(code=args.committee)
        root = OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY)
        cases = [
            measure(kind="committee", occasion=occasion, org_unit=committee, runs=args.runs),
            measure(kind="municipality", occasion=occasion, org_unit=root, runs=args.runs),
        ]

    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    header = (
        f"{'Rapport':<48} {'sidor':>5} {'totalt s':>9} {'WeasyPrint s':>13} "
        f"{'overhead':>9} {'topp MB':>8}"
    )
    print(header)
    print("-" * len(header))
    for case in cases:
        flag = "" if case["overhead_ratio"] <= TARGET_OVERHEAD else "  ÖVER MÅLET"
        print(
            f"{case['title'][:48]:<48} {case['pages']:>5} {case['total_seconds']:>9.2f} "
            f"{case['weasyprint_alone_seconds']:>13.2f} {case['overhead_ratio']:>8.1%} "
            f"{case['peak_python_memory_mb']:>8.1f}{flag}"
        )
    print()
    print(
        "overhead = (totalt − WeasyPrint ensam på samma HTML) / WeasyPrint ensam; "
        f"mål ≤ {TARGET_OVERHEAD:.0%}. Topp MB: Pythons allokeringar under en rendering "
        f"(tracemalloc); processens högsta RSS: {max_rss_mb:.0f} MB."
    )

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"reports-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "when": datetime.datetime.now().isoformat(timespec="seconds"),
                "python": platform.python_version(),
                "weasyprint": weasyprint.__version__,
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "occasion": f"{args.occasion} {args.year}",
                "target_overhead_ratio": TARGET_OVERHEAD,
                "max_rss_mb": round(max_rss_mb, 1),
                "reports": cases,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"Resultat: {out.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
