"""What the report tasks share below them: the renderer, the data gathered at order, a stored PDF.

The ordering side (reporting.services) and the background steps (reporting.tasks) both reach
the renderer through renderer() here, so that tests replace it in one place.
"""

import inspect
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import GeneratedReport, report_upload_to, sha256_bytes

# Named as before the split, so that the worker's log lines keep their logger name.
logger = logging.getLogger("reporting.services")

Status = GeneratedReport.Status
# A parted report's data as request_report() gathered it, in parts_plan until it is planned.
GATHERED = "gathered"


def renderer():
    """The PDF renderer, reporting.render (imported when first needed; tests replace it)."""
    from . import render

    return render


def gathered_at_order(report: GeneratedReport) -> tuple[dict | None, str]:
    """The data request_report() gathered for this report's content, if it is kept."""
    plan = report.parts_plan or {}
    data = plan.get(GATHERED)
    if data is None or plan.get("fingerprint") != report.content_hash:
        return None, ""
    return data, report.content_hash


def render_whole(render, report: GeneratedReport, data: dict):
    """Print the report as one document through the renderer."""
    kwargs = {
        "kind": report.kind,
        "occasion": report.occasion,
        "org_unit": report.org_unit,
        "data": data,
        "generated_at": timezone.now(),
    }
    parameters = inspect.signature(render.render_report).parameters
    if "version" in parameters or any(p.kind == p.VAR_KEYWORD for p in parameters.values()):
        kwargs["version"] = report.version  # printed in a published report's footer
    return render.render_report(**kwargs)


def store_report(report, *, attempt, rendered, content_hash, published, seconds, plan=None) -> None:
    """Save the PDF and mark the report done, unless it was queued again meanwhile."""
    digest = sha256_bytes(rendered.pdf)
    report.sha256 = digest  # part of the file name
    storage = report.file.storage
    # The storage never overwrites: a taken name gets a suffix, so no earlier file changes.
    name = storage.save(report_upload_to(report, "report.pdf"), ContentFile(rendered.pdf))
    try:
        with transaction.atomic():
            current = GeneratedReport.objects.select_for_update().get(pk=report.pk)
            if current.status != Status.RUNNING or current.attempt != attempt:
                logger.warning(
                    "Report %s was queued again while rendering: result dropped", report.pk
                )
                storage.delete(name)
                return
            if content_hash != current.content_hash:
                clash = (
                    GeneratedReport.objects.filter(
                        kind=current.kind,
                        occasion_id=current.occasion_id,
                        org_unit_id=current.org_unit_id,
                        content_hash=content_hash,
                    )
                    .exclude(pk=current.pk)
                    .first()
                )
                if clash is not None:
                    storage.delete(name)
                    current.status = Status.FAILED
                    current.error = (
                        "Innehållet ändrades medan rapporten skapades, och version "
                        f"{clash.version} har redan det nya innehållet."
                    )
                    current.finished_at = timezone.now()
                    current.save()
                    return
                current.content_hash = content_hash  # what the file really shows
            current.file.name = name
            current.sha256 = digest
            current.size = len(rendered.pdf)
            current.pages = rendered.pages
            current.title = (rendered.title or "")[:300]
            current.published = published
            current.status = Status.DONE
            current.error = ""
            current.finished_at = timezone.now()
            current.render_seconds = round(seconds, 3)
            current.weasyprint_seconds = round(rendered.weasyprint_seconds, 3)
            if plan is not None:
                current.parts_plan = plan
            current.save()
    except Exception:
        storage.delete(name)
        raise
