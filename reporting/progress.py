"""How far a report in progress has come, in words: the pages print it, the status JSON sends it.

A committee report is one document: queued, then being made. The municipality report is
made in parts (reporting.parts): once planned, its progress is the parts done of all, and
when every part is done the report is being joined.
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from .models import GeneratedReport, ReportPart, ReportPartUse

Status = GeneratedReport.Status


@dataclass(frozen=True)
class Progress:
    text: str
    done: int = 0
    total: int = 0

    def as_json(self) -> dict:
        return {"text": self.text, "done": self.done, "total": self.total}


def attach_progress(reports) -> None:
    """Set `progress` (a Progress, or None when not in progress) on each report, in one query."""
    pending = [r for r in reports if r.is_pending and not r.is_stale]
    counts = {}
    running = [r.pk for r in pending if r.status == Status.RUNNING]
    if running:
        counts = {
            row["report"]: (row["done"], row["total"])
            for row in ReportPartUse.objects.filter(report_id__in=running)
            .values("report")
            .annotate(
                total=Count("pk"), done=Count("pk", filter=Q(part__status=ReportPart.Status.DONE))
            )
        }
    for report in reports:
        report.progress = None
    for report in pending:
        report.progress = _progress(report, counts.get(report.pk))


def _progress(report: GeneratedReport, parts: tuple[int, int] | None) -> Progress:
    if report.status == Status.QUEUED:
        return Progress("Väntar på en ledig bakgrundsprocess.")
    if parts is None:
        if report.kind == GeneratedReport.Kind.MUNICIPALITY:
            return Progress("Rapportens delar planeras.")
        return Progress("PDF-filen skrivs.")
    done, total = parts
    if done < total:
        return Progress(f"{done} av {total} delar klara.", done, total)
    return Progress(f"Alla {total} delar klara; rapporten sätts samman.", done, total)
