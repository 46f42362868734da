"""python manage.py order_published_reports: order the reports that published follow-ups call for.

Publishing a follow-up orders its reports from this release on (reporting.ordering); follow-ups
published before it get theirs from this command, run once. A report whose content exists
already is not ordered again, so a rerun orders nothing.
"""

from django.core.management.base import BaseCommand

from reporting.ordering import order_published_reports


class Command(BaseCommand):
    help = (
        "Beställer rapporterna för publicerade uppföljningar: nämndens rapport för varje "
        "publicerad nämnd och kommunens rapport för varje tillfälle där alla nämnder har "
        "publicerat. Det som redan finns beställs inte igen."
    )

    def handle(self, *args, **options):
        reports = order_published_reports()
        queued = sum(1 for report in reports if report.newly_queued)
        self.stdout.write(
            f"{queued} rapport(er) beställda; {len(reports) - queued} fanns redan "
            "(beställda eller klara). En bakgrundsprocess (manage.py db_worker) skapar dem."
        )
