"""python manage.py render_report --occasion ID --org ID --out FILE.pdf

--org is an OrgUnit id: a committee gives the committee report, the municipality root the
municipality report. Prints the page count and the seconds it took.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from goals.models import OrgUnit, ReportingOccasion
from reporting.data import ReportScopeError
from reporting.kinds import kind_for_org_unit
from reporting.render import render_report


class Command(BaseCommand):
    help = "Skriver en rapport (PDF) för ett rapporteringstillfälle och en nämnd eller kommunen."

    def add_arguments(self, parser):
        parser.add_argument(
            "--occasion", type=int, required=True, help="Rapporteringstillfällets id."
        )
        parser.add_argument(
            "--org",
            type=int,
            required=True,
            help="Organisationsenhetens id: en nämnd eller kommunen (roten).",
        )
        parser.add_argument("--out", required=True, help="Filen som PDF:en skrivs till.")

    def handle(self, *args, occasion, org, out, **options):
        found = ReportingOccasion.objects.select_related("plan_year").filter(pk=occasion).first()
        if found is None:
            raise CommandError(f"Rapporteringstillfälle {occasion} finns inte.")
        unit = OrgUnit.objects.filter(pk=org).first()
        if unit is None:
            raise CommandError(f"Organisationsenhet {org} finns inte.")
        try:
            kind = kind_for_org_unit(unit)
        except ReportScopeError as error:
            raise CommandError(str(error)) from error
        rendered = render_report(kind=kind.identifier, occasion=found, org_unit=unit)
        target = Path(out)
        if target.parent and not target.parent.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(rendered.pdf)
        self.stdout.write(
            f"{rendered.title}{' (UTKAST)' if rendered.draft else ''}: {rendered.pages} sidor, "
            f"{rendered.seconds:.2f} s (varav WeasyPrint {rendered.weasyprint_seconds:.2f} s) "
            f"→ {target}"
        )
