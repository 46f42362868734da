"""A report's data → HTML (Django template, autoescaped) → PDF (WeasyPrint).

    data = gather(kind="committee", occasion=occasion, org_unit=committee)
    fingerprint(data)                      # same data, same fingerprint
    rendered = render_report(kind="committee", occasion=occasion, org_unit=committee, data=data)
    rendered.pdf, rendered.pages, rendered.seconds, rendered.weasyprint_seconds

WeasyPrint reads nothing but the project's static files: StaticFilesURLFetcher refuses
file:// outside them and every other scheme (http, https, ftp…), before any request is made.
"""

import datetime
import hashlib
import json
import mimetypes
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import weasyprint
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint.urls import UNICODE_SCHEME_RE, URLFetcher, URLFetcherResponse

from goals import charts

from . import pdfua
from .kinds import kind_for
from .phrases import prose_date

STYLESHEET = "reporting/print.css"
# Report kinds that reporting.tasks generates in parts (reporting.parts), in parallel tasks
# with each part cached by its content; render_report() still prints them as one document.
PARTED_KINDS = frozenset({"municipality"})


@dataclass
class RenderedReport:
    pdf: bytes
    pages: int
    title: str
    draft: bool
    html: str
    seconds: float  # total: gather + template + weasyprint
    weasyprint_seconds: float  # weasyprint alone


# --- what WeasyPrint may read ----------------------------------------------------------------


class URLRefused(ValueError):
    """A URL outside the project's static files; WeasyPrint logs it and goes on without it."""


def static_roots() -> list[Path]:
    """The project's static folders: STATICFILES_DIRS, STATIC_ROOT, the project apps' static/."""
    base = Path(settings.BASE_DIR).resolve()
    candidates = []
    for entry in settings.STATICFILES_DIRS:
        candidates.append(Path(entry[1] if isinstance(entry, list | tuple) else entry))
    if settings.STATIC_ROOT:
        candidates.append(Path(settings.STATIC_ROOT))
    for config in apps.get_app_configs():
        candidates.append(Path(config.path) / "static")
    roots = []
    for path in candidates:
        path = path.resolve()
        # Only the project's own folders: not the static files of installed packages.
        inside = path.is_relative_to(base) and ".venv" not in path.parts
        if inside and path.is_dir() and path not in roots:
            roots.append(path)
    return roots


class StaticFilesURLFetcher(URLFetcher):
    """Serves files under the project's static folders and refuses everything else.

    No scheme but file: (and data:, which reads nothing) is opened; a file: URL must resolve,
    symbolic links and '..' included, to a file inside one of `roots`.
    """

    def __init__(self, roots: list[Path] | None = None, **kwargs):
        kwargs.setdefault("allowed_protocols", ("file", "data"))
        kwargs.setdefault("allow_redirects", False)
        super().__init__(**kwargs)
        self.roots = [Path(r).resolve() for r in (roots if roots is not None else static_roots())]

    def allowed_path(self, url: str) -> Path:
        match = UNICODE_SCHEME_RE.match(url)
        scheme = match[1].lower() if match else ""
        if scheme != "file":
            raise URLRefused(f"Rapporten hämtar inget utifrån: {url}")
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise URLRefused(f"Rapporten hämtar inget utifrån: {url}")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise URLRefused(f"Bara projektets statiska filer kan användas i rapporten: {url}")
        return path

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self.allowed_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


@lru_cache(maxsize=1)
def static_base_url() -> str:
    """file:// URL of the static folder that holds the report stylesheet (trailing slash)."""
    found = finders.find(STYLESHEET)
    if not found:
        raise FileNotFoundError(f"{STYLESHEET} saknas bland de statiska filerna.")
    folder = Path(found).resolve().parents[len(Path(STYLESHEET).parts) - 1]
    return folder.as_uri() + "/"


# --- data ------------------------------------------------------------------------------------


def gather(*, kind: str, occasion, org_unit) -> dict:
    """The report's data: plain dicts and lists (see reporting.data)."""
    return kind_for(kind).gather(occasion=occasion, org_unit=org_unit)


def _json_default(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return str(value)  # Decimal and the like, as exact text


def canonical_json(data: dict) -> str:
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default
    )


def fingerprint(data: dict) -> str:
    """sha256 (hex) of the canonical JSON of the data: equal content, equal fingerprint."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


# --- HTML and PDF ----------------------------------------------------------------------------


def report_title(data: dict) -> str:
    return f"{data['title']} – {data['scope']['name']}"


def _charts(data: dict) -> dict:
    summary = data["summary"]
    if data["occasion"]["is_plan"]:
        return {
            "by_area": charts.count_chart(
                [(row["label"], row["count"]) for row in summary["by_area"]],
                title="Inriktningsmål per strategiområde",
                unit="inriktningsmål",
                chart_id="diagram-omraden",
            ),
            "by_committee": charts.count_chart(
                [(row["label"], row["count"]) for row in summary["by_committee"]],
                title="Inriktningsmål per nämnd",
                unit="inriktningsmål",
                chart_id="diagram-namnder",
            ),
        }
    return {
        "by_area": charts.fulfilment_chart(
            [charts.ChartRow(row["label"], row["counts"]) for row in summary["by_area"]],
            title="Måluppfyllelse per strategiområde",
            chart_id="diagram-omraden",
        ),
        "by_committee": charts.fulfilment_chart(
            [charts.ChartRow(row["label"], row["counts"]) for row in summary["by_committee"]],
            title="Måluppfyllelse per nämnd",
            chart_id="diagram-namnder",
        ),
    }


def render_html(
    *, kind: str, data: dict, generated_at: datetime.datetime, version: int | None = None
) -> str:
    local = timezone.localtime(generated_at) if timezone.is_aware(generated_at) else generated_at
    context = {
        "report": data,
        "kind": kind_for(kind),
        "title": report_title(data),
        "draft": data["status"]["draft"],
        "occasion": data["occasion"],
        "generated_iso": local.replace(microsecond=0).isoformat(),
        "generated_date": local.date().isoformat(),
        "generated_text": prose_date(local.date()),
        "fingerprint": fingerprint(data),
        "version": version,
        "charts": _charts(data),
    }
    return render_to_string(kind_for(kind).template, context)


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """WeasyPrint alone: the PDF and its page count.

    The PDF is tagged (structure, reading order, language): the reports are public records
    published on the web, where accessible documents are required (lag 2018:1937). Tagging
    costs about 15 % of WeasyPrint's time. It is PDF/UA-1 and PDF/A-2u (reporting.pdfua):
    page furniture as Pagination artifacts, XMP identification, an sRGB OutputIntent.
    """
    document = weasyprint.HTML(
        string=html, base_url=static_base_url(), url_fetcher=StaticFilesURLFetcher()
    ).render()
    pdf = document.write_pdf(pdf_tags=True, pdf_variant=pdfua.WEASYPRINT_VARIANT)
    metadata = document.metadata
    finished = pdfua.finish(
        pdf, title=metadata.title or "", subject=metadata.description or "", html=html
    )
    return finished, len(document.pages)


def render_report(
    *,
    kind: str,
    occasion,
    org_unit,
    data: dict | None = None,
    generated_at=None,
    version: int | None = None,
) -> RenderedReport:
    """Gather (unless `data` is given), template and print one report.

    `version` (optional) is printed in the footer of a published report beside the
    publication date and the content fingerprint.
    """
    started = time.perf_counter()
    if data is None:
        data = gather(kind=kind, occasion=occasion, org_unit=org_unit)
    html = render_html(
        kind=kind, data=data, generated_at=generated_at or timezone.now(), version=version
    )
    printing = time.perf_counter()
    pdf, pages = html_to_pdf(html)
    finished = time.perf_counter()
    return RenderedReport(
        pdf=pdf,
        pages=pages,
        title=report_title(data),
        draft=data["status"]["draft"],
        html=html,
        seconds=finished - started,
        weasyprint_seconds=finished - printing,
    )
