"""The report library (/rapporter/): read, order and download generated reports.

No view renders a PDF: ordering queues a task, and the pages show its progress with a
vendored static script, static/js/report-progress.js, that polls report_status (the CSP
allows no inline script; without JavaScript the pages offer a link to reload). Downloads go through
report_download, which checks permission and the stored sha256; MEDIA_ROOT is never served.
"""

import datetime
import io
import logging
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core.bidi import download_name
from goals.permissions import access_for

from . import access, services
from .forms import GenerateReportForm
from .models import GeneratedReport, TamperedReportError
from .progress import attach_progress

logger = logging.getLogger(__name__)

Status = GeneratedReport.Status
# Failed orders stay listed this long (the same content can be ordered again at once).
FAILED_SHOWN_DAYS = 7


def _anonymous_may_browse(request) -> bool:
    return request.user.is_authenticated or settings.REPORTS_PUBLIC


def _library_context(request, form=None) -> dict:
    reports = list(
        GeneratedReport.objects.filter(access.visible_q(request.user))
        .select_related("occasion__plan_year", "org_unit", "requested_by")
        .order_by("-occasion__plan_year__year", "-occasion__period_end", "-occasion_id")
    )
    done = [r for r in reports if r.status == Status.DONE]
    latest = {}
    for r in done:
        key = (r.kind, r.occasion_id, r.org_unit_id)
        latest[key] = max(latest.get(key, 0), r.version)
    for r in done:
        r.is_latest = latest[(r.kind, r.occasion_id, r.org_unit_id)] == r.version
    # Within an occasion: the municipality report first, then the committees by name; the
    # newest version of each first.
    done.sort(
        key=lambda r: (
            -r.year,
            -r.occasion.period_end.toordinal(),
            -r.occasion_id,
            r.kind != GeneratedReport.Kind.MUNICIPALITY,
            r.org_unit.name,
            -r.version,
        )
    )
    years = []
    for year, in_year in groupby(done, key=lambda r: r.year):
        occasions = [
            {"occasion": rows[0].occasion, "reports": rows}
            for rows in (list(g) for _, g in groupby(in_year, key=lambda r: r.occasion_id))
        ]
        years.append({"year": year, "occasions": occasions})
    shown_failed_since = timezone.now() - datetime.timedelta(days=FAILED_SHOWN_DAYS)
    pending = sorted(
        (
            r
            for r in reports
            if r.is_pending
            or (r.status == Status.FAILED and (r.finished_at or r.created_at) > shown_failed_since)
        ),
        key=lambda r: r.created_at,
        reverse=True,
    )
    attach_progress(pending)
    may_generate = request.user.is_authenticated and access.may_generate_anything(request.user)
    if form is None and may_generate:
        form = GenerateReportForm(user=request.user)
    return {
        "years": years,
        "pending": pending,
        "watching": any(r.is_pending and not r.is_stale for r in pending),
        "form": form if may_generate else None,
        "reports_public": settings.REPORTS_PUBLIC,
        "access": access_for(request.user) if request.user.is_authenticated else None,
    }


def library(request):
    if not _anonymous_may_browse(request):
        return redirect_to_login(request.get_full_path())
    return render(request, "report_library/library.html", _library_context(request))


def generate(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not access.may_generate_anything(request.user):
        raise PermissionDenied("Du kan inte skapa rapporter.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = GenerateReportForm(request.POST, user=request.user)
    if not form.is_valid():
        context = _library_context(request, form=form)
        return render(request, "report_library/library.html", context, status=400)
    kind, org_unit = form.target()
    occasion = form.cleaned_data["occasion"]
    try:
        report = services.request_report(
            kind=kind, occasion=occasion, org_unit=org_unit, user=request.user
        )
    except services.ReportRequestError as refused:
        messages.error(request, str(refused))
        return redirect("reports")
    if report.newly_queued:
        # What the report's page says of its state is rendered from the database, so that a
        # report finished by the time the page shows is not announced as still in the making.
        messages.success(request, f"Rapporten är beställd (version {report.version}).")
    elif report.is_done:
        messages.success(
            request,
            f"Innehållet är oförändrat sedan version {report.version}, som redan finns. "
            "Ingen ny version behövs.",
        )
    else:
        messages.success(request, f"Version {report.version} med samma innehåll skapas redan.")
    return redirect("report_detail", pk=report.pk)


def _readable_report(request, pk) -> GeneratedReport | None:
    """The report if the user may read it; None means: send an anonymous visitor to log in."""
    report = get_object_or_404(
        GeneratedReport.objects.select_related("occasion__plan_year", "org_unit", "requested_by"),
        pk=pk,
    )
    if access.may_read(request.user, report):
        return report
    if not request.user.is_authenticated:
        return None
    raise Http404


def report_detail(request, pk):
    report = _readable_report(request, pk)
    if report is None:
        return redirect_to_login(request.get_full_path())
    attach_progress([report])
    return render(
        request,
        "report_library/detail.html",
        {
            "report": report,
            "watching": report.is_pending and not report.is_stale,
            "reports_public": settings.REPORTS_PUBLIC,
        },
    )


def report_status(request, pk):
    """The report's progress as JSON, for report-progress.js (polled while it is pending)."""
    report = _readable_report(request, pk)
    if report is None:
        return redirect_to_login(request.get_full_path())
    attach_progress([report])
    if report.status == Status.DONE:
        label = "Publicerad" if report.published else "Utkast"
    elif report.is_stale:
        label = f"Fastnat: {report.get_status_display().lower()}"
    else:
        label = str(report.get_status_display())
    payload = {
        "id": report.pk,
        "version": report.version,
        "status": report.status,
        "label": label,
        "pending": report.is_pending and not report.is_stale,
        "title": str(report),
        "detail_url": reverse("report_detail", args=[report.pk]),
        "progress": report.progress.as_json() if report.progress else None,
    }
    if report.status == Status.DONE:
        payload.update(
            download_url=reverse("report_download", args=[report.pk]),
            pages=report.pages,
            published=report.published,
        )
    elif report.status == Status.FAILED:
        payload["error"] = report.error
    response = JsonResponse(payload)
    response["Cache-Control"] = "no-store"
    return response


def report_download(request, pk):
    report = _readable_report(request, pk)
    if report is None:
        return redirect_to_login(request.get_full_path())
    if report.status != Status.DONE:
        raise Http404
    try:
        data = report.read_verified()
    except FileNotFoundError:
        logger.error("Report %s: the stored file %s is missing", report.pk, report.file.name)
        return render(
            request,
            "report_library/unavailable.html",
            {"report": report, "problem": "missing"},
            status=404,
        )
    except TamperedReportError:
        logger.error(
            "Report %s: the file %s does not match its stored sha256; download refused",
            report.pk,
            report.file.name,
        )
        return render(
            request,
            "report_library/unavailable.html",
            {"report": report, "problem": "tampered"},
            status=409,
        )
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=download_name(report.download_name(), default="rapport.pdf"),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store" if not report.published else "private"
    response["X-Report-SHA256"] = report.sha256
    return response
