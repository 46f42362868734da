"""make bench: how fast, and in how much memory, the import answers the worst files.

Every file is under the upload limit (IMPORT_MAX_BYTES, 2 MB) and is built here:

- .xlsx with as many tiny rows as fit under the limit (~30 million, ~800 MB of sheet XML),
  the file of the issue (2 000 000 rows, 174 MB of XML), and one shared string of 1 GB:
  all refused from the sizes the archive declares;
- the worst .xlsx files that pass that check, just under its limits (goals/spreadsheets.py):
  the most cells, the most empty rows (a sheet without <dimension>, which openpyxl reads to
  the end to size it), the most shared strings, and one ~10 MB string;
- .csv with as many tiny rows as fit, and with two million empty lines (read to the end);
- for comparison, the largest file that is accepted: 5 000 rows of outcomes (.csv), which
  also runs django-import-export's dry run of every row.

Each file is posted through the real view (/import/, Django's test client, as the demo's
committee editor ”namnd”) in a process of its own, after a warm-up post; the process's wall
and CPU time of the request and its peak RSS above the resting RSS (Linux: VmHWM, reset
through /proc/self/clear_refs just before the request) are recorded. Target: every file
answered in at most 2 s and 100 MB above rest (the accepted file is shown beside it, not
counted: its time is the dry run's). JSON goes to bench/results/ (ignored by git).

The demo is seeded into a temporary SQLite database, so the dev database is left alone.
Usage: DEBUG=1 .venv/bin/python bench/imports.py [--only NAME…]
"""

import argparse
import datetime
import gc
import html
import io
import json
import logging
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
TARGET_SECONDS = 2.0
TARGET_MB = 100.0
EDITOR = "namnd"
OUTCOME_HEADER = "indikator;år;tillfälle;utfall;kommentar;källa"


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danderyd_styrning.settings")
    import django

    django.setup()


def seed() -> None:
    from django.core.management import call_command

    from demo.loader import load_demo

    call_command("migrate", verbosity=0, interactive=False)
    load_demo()


# --- building the files --------------------------------------------------------------------

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
    b'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    b'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData>"
)
SHEET_END = b"</sheetData></worksheet>"
STRINGS_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
STRINGS_END = b"</sst>"
FIXED_PARTS = [CONTENT_TYPES, ROOT_RELS, WORKBOOK, WORKBOOK_RELS]
BASE_MARKUP = sum(p.count(b"<") for p in FIXED_PARTS) + 4 + 2  # + the sheet's and strings'


def xlsx(sheet_parts, string_parts=()) -> bytes:
    """A minimal workbook (no <dimension>, no styles) whose sheet XML and shared strings are
    streamed in parts through zlib at its highest compression."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        for name, data in zip(
            ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"],
            FIXED_PARTS,
            strict=True,
        ):
            package.writestr(name, data)
        for name, start, parts, end in [
            ("xl/worksheets/sheet1.xml", SHEET_START, sheet_parts, SHEET_END),
            ("xl/sharedStrings.xml", STRINGS_START, string_parts, STRINGS_END),
        ]:
            with package.open(name, "w") as member:
                member.write(start)
                for part in parts:
                    member.write(part)
                member.write(end)
    return out.getvalue()


def repeat(unit: bytes, count: int, per: int = 100_000):
    for start in range(0, count, per):
        yield unit * min(per, count - start)


def issue_rows(count: int):
    """The issue's file: rows of one cell, 87 bytes of XML each (174 MB for 2 000 000)."""
    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 39 + b"</t></is></c></row>"
    return repeat(row, count)


def most_rows_under(limit: int) -> tuple[bytes, int]:
    """The most rows of one small cell that compress to under the upload limit."""
    unit = b"<row><c><v>1</v></c></row>"
    sample = 2_000_000
    size = len(xlsx(repeat(unit, sample)))
    count = int(sample * (limit - 4096) / size)
    while True:
        content = xlsx(repeat(unit, count))
        if len(content) < limit:
            return content, count
        count = int(count * 0.98)


def build_files(folder: Path, upload_limit: int) -> dict:
    from goals import spreadsheets
    from goals.resources import MAX_ROWS

    bound = spreadsheets.limits(MAX_ROWS)
    markup = bound["markup"] - BASE_MARKUP - 100  # just under the limit
    files = {}

    def add(name, description, content, note=""):
        assert len(content) <= upload_limit, (name, len(content))
        path = folder / name
        path.write_bytes(content)
        files[name] = {"description": description, "path": str(path), "note": note}
        print(f"  {name}: {len(content) / 1000:.0f} kB", flush=True)

    content, rows = most_rows_under(upload_limit)
    add(
        "xlsx-most-rows.xlsx",
        f".xlsx med {rows} rader (en liten cell var), så många som ryms under gränsen",
        content,
    )
    add(
        "xlsx-issue-2m-rows.xlsx",
        ".xlsx med 2 000 000 rader, 174 MB XML (ärendets fil)",
        xlsx(issue_rows(2_000_000)),
    )
    add(
        "xlsx-bomb-1gb-string.xlsx",
        ".xlsx med en delad sträng på 1 GB (zip-bomb)",
        xlsx(
            [b'<row><c t="s"><v>0</v></c></row>'],
            [b"<si><t>"] + [b"x" * 10**7] * 100 + [b"</t></si>"],
        ),
    )
    # The worst files the check lets through: each just under one of its limits.
    width = 66
    header = b"<row>" + b'<c t="s"><v>0</v></c>' * width + b"</row>"
    cell_rows = (markup - header.count(b"<") - 4) // (width + 2)
    add(
        "xlsx-most-cells.xlsx",
        f".xlsx under gränserna: rubrikrad med {width} kolumner och {cell_rows} rader med "
        f"{width} tomma celler",
        xlsx(
            [header, *repeat(b"<row>" + b"<c/>" * width + b"</row>", cell_rows)],
            [b"<si><t>k</t></si>"],
        ),
    )
    add(
        "xlsx-most-empty-rows.xlsx",
        f".xlsx under gränserna: {markup} tomma rader utan <dimension>",
        xlsx(repeat(b"<row/>", markup)),
    )
    strings = (markup - 4) // 4
    add(
        "xlsx-most-strings.xlsx",
        f".xlsx under gränserna: {strings} olika delade strängar",
        xlsx(
            [b'<row><c t="s"><v>0</v></c></row>'],
            (
                b"".join(b"<si><t>%d</t></si>" % i for i in range(s, min(strings, s + 50_000)))
                for s in range(0, strings, 50_000)
            ),
        ),
    )
    big = bound["sheet_bytes"] - len(STRINGS_START) - len(STRINGS_END) - 100
    add(
        "xlsx-largest-string.xlsx",
        f".xlsx under gränserna: en delad sträng på {big / 1e6:.1f} MB",
        xlsx([b'<row><c t="s"><v>0</v></c></row>'], [b"<si><t>", b"x" * big, b"</t></si>"]),
    )
    line = b"x\n"
    add(
        "csv-most-rows.csv",
        f".csv med {(upload_limit - 100) // len(line)} rader, så många som ryms under gränsen",
        OUTCOME_HEADER.encode() + b"\n" + line * ((upload_limit - 100) // len(line)),
    )
    add(
        "csv-empty-lines.csv",
        f".csv med {upload_limit - 100} tomma rader (läses till slutet)",
        OUTCOME_HEADER.encode() + b"\n" + b"\n" * (upload_limit - 100),
    )
    add(
        "csv-5000-outcomes.csv",
        f".csv med {MAX_ROWS} utfall (godtas; förhandsgranskningen kör importens torrkörning)",
        outcome_rows(MAX_ROWS),
        note="accepted",
    )
    return files


def outcome_rows(count: int) -> bytes:
    """Outcomes of the demo committee's indicators, in Windows-1252 with semicolons, as
    Swedish Excel saves them; repeated keys are errors in the preview, as in real life."""
    from goals.models import Indicator, ReportingOccasion

    indicators = list(
        Indicator.objects.filter(direction_goal__committee__code="UN").values_list(
            "code", flat=True
        )
    )
    occasions = list(ReportingOccasion.objects.values_list("plan_year__year", "name"))
    lines = [OUTCOME_HEADER]
    for i in range(count):
        year, occasion = occasions[i % len(occasions)]
        code = indicators[(i // len(occasions)) % len(indicators)]
        lines.append(f"{code};{year};{occasion};{50 + i % 50},5;Mätt i rad {i + 1};")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


# --- measuring ------------------------------------------------------------------------------


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # resets VmHWM to the current RSS (Linux ≥ 4.0)
        return True
    except OSError:
        return False


def _answer(response) -> str:
    """The first problem on the form, or the preview's summary line, as the user reads it."""
    text = response.content.decode(errors="replace")

    def plain(fragment: str) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())

    summary = re.search(r"<h1>Förhandsgranska.*?</h1>\s*<p>(.*?)</p>", text, re.S)
    if response.status_code == 200 and summary:
        errors = re.search(r'<h2 id="fel-rubrik">(.*?)</h2>', text, re.S)
        return (
            "Förhandsgranskning: "
            + plain(summary.group(1))
            + (f" ({plain(errors.group(1))})" if errors else "")
        )
    problems = re.findall(r"<li>(.*?)</li>", text.split('class="error-summary"', 1)[-1], re.S)
    if problems:
        return plain(problems[0])
    return f"svar {response.status_code}"


def measure(name: str, path: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from goals.views import imports as import_views

    client = Client()
    client.force_login(get_user_model().objects.get(username=EDITOR))
    url = reverse("data_import")
    kind = "utfall"
    # Warm-up: imports (openpyxl on the first .xlsx), templates, the session, first queries.
    warm = (OUTCOME_HEADER + "\nUN-HK-1-1;2026;Delårsrapport;91,5;;\n").encode("cp1252")
    client.post(url, {"kind": kind, "file": SimpleUploadedFile("varm.csv", warm)})
    warm = xlsx([b'<row><c t="s"><v>0</v></c></row>'], [b"<si><t>kod</t></si>"])
    client.post(url, {"kind": kind, "file": SimpleUploadedFile("varm.xlsx", warm)})

    content = Path(path).read_bytes()
    upload = SimpleUploadedFile(Path(path).name, content)
    gc.collect()
    resting_kb = _status_kb("VmRSS")
    exact = _reset_peak()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    response = client.post(url, {"kind": kind, "file": upload})
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_kb = _status_kb("VmHWM") if exact else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if not exact and peak_kb <= peak_before:
        peak_kb = resting_kb  # the process peak was earlier: no growth measurable this way
    members = {}
    if path.endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            members = {m.filename: m.file_size for m in package.infolist() if m.file_size > 10_000}
    return {
        "file": name,
        "bytes": len(content),
        "uncompressed": members,
        "status": response.status_code,
        "answer": _answer(response),
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "resting_mb": round(resting_kb / 1024, 1),
        "peak_growth_mb": round((peak_kb - resting_kb) / 1024, 1),
        "peak_exact": exact,
        "max_bytes": import_views.MAX_BYTES,
    }


def child(name: str, path: str, database_url: str) -> dict:
    command = [sys.executable, __file__, "--measure", name, path, "--database-url", database_url]
    done = subprocess.run(command, capture_output=True, text=True, cwd=BASE_DIR)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"Mätningen av {name} misslyckades ({done.returncode}).")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="bara dessa filer (namn)")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        setup_django(args.database_url)
        logging.getLogger("django.request").setLevel(logging.ERROR)  # no "Bad Request" lines
        print(json.dumps(measure(*args.measure)))
        return 0

    with tempfile.TemporaryDirectory(prefix="styr-bench-import-") as folder:
        database_url = f"sqlite:///{folder}/bench.sqlite3"
        setup_django(database_url)
        print(f"Läser in Danderyds demodata i {database_url} …", flush=True)
        seed()
        from goals import spreadsheets
        from goals.resources import MAX_ROWS
        from goals.views import imports as import_views

        print("Bygger filerna …", flush=True)
        files = build_files(Path(folder), import_views.MAX_BYTES)
        if args.only:
            files = {k: v for k, v in files.items() if k in args.only}
        results = []
        for name, spec in files.items():
            row = child(name, spec["path"], database_url)
            row.update(description=spec["description"], accepted_file=spec["note"] == "accepted")
            results.append(row)

    print()
    header = f"{'Fil':<28} {'kB':>6} {'svar':>4} {'s':>6} {'cpu s':>6} {'MB över vila':>12}"
    print(header)
    print("-" * len(header))
    failures = []
    for row in results:
        flags = []
        if row["seconds"] > TARGET_SECONDS:
            flags.append("TID")
        if row["peak_growth_mb"] > TARGET_MB:
            flags.append("MINNE")
        row["within_targets"] = not flags
        if row["accepted_file"]:
            # The dry run of every row is django-import-export's and the resources' work, not
            # the reading's: shown beside the target, not counted against it.
            flags = [f"({f}: torrkörning av alla rader)" for f in flags]
        else:
            failures += [f"{row['file']}: {f}" for f in flags]
        print(
            f"{row['file']:<28} {row['bytes'] / 1000:>6.0f} {row['status']:>4} "
            f"{row['seconds']:>6.2f} {row['cpu_seconds']:>6.2f} {row['peak_growth_mb']:>12.1f}"
            f"{'  ' + ' '.join(flags) if flags else ''}"
        )
        print(f"    {row['answer'][:150]}")
    load = os.getloadavg()
    print()
    print(
        f"Mål: varje fil under {import_views.MAX_BYTES // 1024} kB besvaras på högst "
        f"{TARGET_SECONDS:.0f} s och {TARGET_MB:.0f} MB över processens vila. Radgräns "
        f"{MAX_ROWS}. Belastning under mätningen: {load[0]:.1f} (1 min) på {os.cpu_count()} "
        "kärnor; med andra processer igång blir väggtiden längre än CPU-tiden."
    )

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"imports-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "when": datetime.datetime.now().isoformat(timespec="seconds"),
                "python": platform.python_version(),
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "load_average": [round(x, 2) for x in load],
                "max_rows": MAX_ROWS,
                "upload_limit_bytes": import_views.MAX_BYTES,
                "xlsx_limits": spreadsheets.limits(MAX_ROWS),
                "targets": {"seconds": TARGET_SECONDS, "peak_growth_mb": TARGET_MB},
                "files": results,
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
