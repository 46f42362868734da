"""make loadtest: every figure beside its target, and one JSON file in bench/results/.

    python bench/loadtest_summary.py --locust L.json --burst B.json --lost LOST.json --out OUT

Reads what bench/locustfile.py, bench/burst.py and bench/lostupdates.py wrote, measures what a
burst of 50 logins costs in password hashing (one PBKDF2 hash at Django's default work factor on
this machine, × 50, over the web workers that can hash at once), prints the table and writes it.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danderyd_styrning.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher  # noqa: E402

SAVE_P95_MS = 500
PAGE_P95_MS = 300
BURST_FACTOR = 1.3
LOGIN_BURST = 50
# Worker seconds left idle while report tasks waited, as a share of the burst's: the sampling
# (twice a second) and the hand-over between tasks leave a little.
IDLE_SHARE = 0.02


def pbkdf2_cost(workers: int) -> dict:
    """One login's hash at Django's default PBKDF2 iterations, and a burst of 50 logins."""
    hasher = PBKDF2PasswordHasher()
    salt = hasher.salt()
    times = []
    for _ in range(5):
        started = time.perf_counter()
        hasher.encode("demo-losenord", salt)
        times.append(time.perf_counter() - started)
    one = statistics.median(times)
    parallel = max(1, min(workers, os.cpu_count() or 1))
    return {
        "hasher": get_hasher("default").algorithm,
        "iterations": hasher.iterations,
        "one_hash_ms": round(one * 1000, 1),
        "burst_logins": LOGIN_BURST,
        "hashing_in_parallel": parallel,
        "burst_seconds": round(one * LOGIN_BURST / parallel, 1),
    }


def percentile(times: list[float], q: float):
    if not times:
        return None
    times = sorted(times)
    return round(times[min(len(times) - 1, int(q * len(times)))], 1)


def read_requests(path: str | None) -> list[tuple[float, float, str]]:
    if not path or not Path(path).exists():
        return []
    rows = []
    for line in Path(path).read_text().splitlines():
        at, ms, cat, _ok = line.split(",")
        rows.append((float(at), float(ms), cat))
    return rows


def split_at(rows, *, inside, names: tuple[str, str]) -> dict:
    """p95 and count of pages and saves, for the requests `inside(at)` says and the rest."""
    out = {}
    for cat in ("sida", "spara"):
        a = [ms for at, ms, c in rows if c == cat and inside(at)]
        b = [ms for at, ms, c in rows if c == cat and not inside(at)]
        out[cat] = {
            f"{names[0]}_p95_ms": percentile(a, 0.95),
            f"{names[0]}_requests": len(a),
            f"{names[1]}_p95_ms": percentile(b, 0.95),
            f"{names[1]}_requests": len(b),
        }
    return out


def burst_split(rows, burst: dict) -> dict:
    """p95 of pages and saves while the burst ran (first publish to last report, or to the end
    of the locust run), and outside it."""
    if not rows or not burst.get("started_at"):
        return {}
    start = burst["started_at"]
    end = burst.get("finished_at") or float("inf")
    return split_at(
        rows, inside=lambda at: start <= at <= end, names=("during_burst", "without_burst")
    )


def after_logins(rows) -> dict:
    """p95 of pages and saves once every user has logged in (the last login answered), and
    before: the 100 logins of the first seconds hash passwords on every web worker, and what
    queues behind them is the logins' cost, reported apart as the logins are."""
    logins = [at for at, _ms, cat in rows if cat == "inloggning"]
    if not logins:
        return {}
    last = max(logins)
    out = split_at(rows, inside=lambda at: at > last, names=("after_logins", "while_logging_in"))
    return {"last_login_at": last, **out}


def timeline(rows, burst: dict, step: int = 30) -> list[dict]:
    """Per `step` seconds of the run: requests and p95 of pages and saves, logins, burst."""
    if not rows:
        return []
    start = min(at for at, _ms, _cat in rows)
    buckets = {}
    for at, ms, cat in rows:
        buckets.setdefault(int((at - start) // step), []).append((at, ms, cat))
    out = []
    for n in sorted(buckets):
        got = buckets[n]
        b_start, b_end = start + n * step, start + (n + 1) * step
        burst_on = bool(burst.get("started_at")) and (
            burst["started_at"] < b_end and (burst.get("finished_at") or float("inf")) > b_start
        )
        out.append(
            {
                "from_s": n * step,
                "pages": len([1 for _a, _m, c in got if c == "sida"]),
                "pages_p95_ms": percentile([m for _a, m, c in got if c == "sida"], 0.95),
                "saves": len([1 for _a, _m, c in got if c == "spara"]),
                "saves_p95_ms": percentile([m for _a, m, c in got if c == "spara"], 0.95),
                "logins": len([1 for _a, _m, c in got if c == "inloggning"]),
                "burst": burst_on,
            }
        )
    return out


def load(path: str | None) -> dict:
    if path and Path(path).exists() and Path(path).stat().st_size:
        return json.loads(Path(path).read_text())
    return {}


def verdict(ok) -> str:
    return "–" if ok is None else ("ok" if ok else "MISSAR")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locust", required=True)
    parser.add_argument("--burst")
    parser.add_argument("--lost")
    parser.add_argument("--requests", help="bench/locustfile.py's LOADTEST_REQUESTS")
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--lock-log-lines", default="")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    locust, burst, lost = load(args.locust), load(args.burst), load(args.lost)
    logins = pbkdf2_cost(args.gunicorn_workers)
    cats = locust.get("categories", {})
    page, save, login = cats.get("sida", {}), cats.get("spara", {}), cats.get("inloggning", {})
    errors = (locust.get("failures") or 0) if locust else None
    rows = [
        ("Fel (anrop och kontroller)", errors, "0", None if errors is None else errors == 0),
        (
            "Förlorade uppdateringar",
            lost.get("lost_updates"),
            "0",
            None if not lost else lost.get("lost_updates") == 0,
        ),
        (
            f"Sparningar p95 ms, hela körningen ({save.get('requests', 0)} st)",
            save.get("p95_ms"),
            f"≤ {SAVE_P95_MS}",
            None if save.get("p95_ms") is None else save["p95_ms"] <= SAVE_P95_MS,
        ),
        (
            f"Sidor p95 ms, hela körningen ({page.get('requests', 0)} st)",
            page.get("p95_ms"),
            f"≤ {PAGE_P95_MS}",
            None if page.get("p95_ms") is None else page["p95_ms"] <= PAGE_P95_MS,
        ),
        (
            f"Inloggningar p95 ms ({login.get('requests', 0)} st)",
            login.get("p95_ms"),
            "redovisas",
            None,
        ),
        (
            "Sparningar avvisade med 409 (inaktuella eller låsta)",
            locust.get("refused_as_stale"),
            "redovisas",
            None,
        ),
    ]
    requests = read_requests(args.requests)
    settled = after_logins(requests)
    for cat, label, target in (
        ("spara", "Sparningar", SAVE_P95_MS),
        ("sida", "Sidor", PAGE_P95_MS),
    ):
        figures = settled.get(cat) or {}
        p95 = figures.get("after_logins_p95_ms")
        during = figures.get("while_logging_in_requests")
        rows.append(
            (
                f"{label} p95 ms efter inloggningarna ({figures.get('after_logins_requests')} st)",
                p95,
                f"≤ {target}",
                None if p95 is None else p95 <= target,
            )
        )
        rows.append(
            (
                f"{label} p95 ms under inloggningarna ({during} st)",
                figures.get("while_logging_in_p95_ms"),
                "redovisas",
                None,
            )
        )
    if burst:
        seconds, target = burst.get("seconds"), burst.get("target_seconds")
        rows.append(
            (
                f"Skuren: {burst.get('reports_expected')} rapporter klara, s från 1:a publ.",
                seconds,
                f"≤ {target} (1,3 × CPU {burst.get('worker_cpu_seconds')} s / "
                f"{burst.get('workers')})",
                None if seconds is None or target is None else seconds <= target,
            )
        )
        idle = burst.get("idle_worker_seconds_while_tasks_waited")
        span = (seconds or 0) * (burst.get("workers") or 0)
        rows.append(
            (
                "Skuren: arbetarsekunder lediga medan uppgifter väntade",
                idle if idle is None or not span else f"{idle} ({100 * idle / span:.1f} %)",
                f"≤ {IDLE_SHARE:.0%} av skurens arbetarsekunder",
                None if idle is None or not span else idle / span <= IDLE_SHARE,
            )
        )
        split = burst_split(requests, burst)
        burst["web_p95"] = split
        for cat, label in (("sida", "Sidor"), ("spara", "Sparningar")):
            figures = split.get(cat) or {}
            rows.append(
                (
                    f"{label} p95 ms under skuren / utan",
                    f"{figures.get('during_burst_p95_ms')} / {figures.get('without_burst_p95_ms')}",
                    "redovisas",
                    None,
                )
            )
        rows.append(
            (
                "Skuren: en publicering, median / längst, ms",
                f"{burst.get('publish_ms_median')} / {burst.get('publish_ms_max')}",
                "redovisas",
                None,
            )
        )
        rows.append(
            (
                "Skuren: s från sista publiceringen",
                burst.get("seconds_after_last_publish"),
                "redovisas",
                None,
            )
        )
        waits = burst.get("lock_waits") or {}
        rows.append(
            (
                "Låsväntan: sekunder med väntan / flest samtidigt",
                f"{waits.get('samples_with_lock_waits')} av {waits.get('samples')} / "
                f"{waits.get('max_sessions_waiting')}",
                "redovisas",
                None,
            )
        )
    if args.lock_log_lines:
        rows.append(
            ("Rader om låsväntan i PostgreSQL:s logg", args.lock_log_lines, "redovisas", None)
        )
    rows.append(
        (
            f"PBKDF2: en inloggning, ms ({logins['iterations']} iterationer)",
            logins["one_hash_ms"],
            "redovisas",
            None,
        )
    )
    rows.append(
        (
            f"PBKDF2: {LOGIN_BURST} inloggningar på {logins['hashing_in_parallel']} kärnor, s",
            logins["burst_seconds"],
            "redovisas",
            None,
        )
    )
    steps = timeline(requests, burst)
    if steps:
        print()
        print("Tidslinje (30 s): sidor st / p95 ms, sparningar st / p95 ms, inloggningar, skuren")
        for b in steps:
            print(
                f"  {b['from_s']:>4} s  {b['pages']:>4} / {b['pages_p95_ms']!s:>7}  "
                f"{b['saves']:>4} / {b['saves_p95_ms']!s:>7}  {b['logins']:>4}  "
                f"{'skur' if b['burst'] else ''}"
            )
    print()
    print(f"{'Mått':<58} {'värde':>16}  {'mål':<28} ")
    print("-" * 110)
    for label, value, target, ok in rows:
        print(f"{label:<58} {value!s:>16}  {target:<28} {verdict(ok)}")
    result = {
        "when": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "targets": {
            "errors": 0,
            "lost_updates": 0,
            "save_p95_ms": SAVE_P95_MS,
            "page_p95_ms": PAGE_P95_MS,
            "burst_factor": BURST_FACTOR,
        },
        "table": [
            {"figure": label, "value": value, "target": target, "met": ok}
            for label, value, target, ok in rows
        ],
        "logins": logins,
        "locust": locust,
        "burst": burst,
        "lost_updates": lost,
        "after_logins": settled,
        "timeline": steps,
    }
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    print(f"Resultat: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
