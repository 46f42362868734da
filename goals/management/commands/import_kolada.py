"""python manage.py import_kolada: outcomes for indicators with a Kolada KPI id.

    import_kolada --file svar.json
    import_kolada --kpi N15428 --municipality 0162 --year 2023,2024 [--with-riket]

A saved response (--file) is one page object of Kolada's data endpoint, or a JSON list of
page objects in order (what you get by saving each page while following next_page).
See goals/kolada.py for what is imported where.
"""

import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from goals import kolada
from goals.models import PlanYear


def _split(values: list[str] | None) -> list[str]:
    """--year 2023 --year 2024,2025 → ['2023', '2024', '2025'] (order kept, no repeats)."""
    items: list[str] = []
    for value in values or []:
        for item in value.split(","):
            item = item.strip()
            if item and item not in items:
                items.append(item)
    return items


class Command(BaseCommand):
    help = (
        "Läser in utfall från Kolada till indikatorer med Kolada-id: från en sparad JSON-fil "
        "(--file) eller direkt från Kolada (--kpi, --municipality, --year)."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument(
            "--file",
            help="Sparat svar från Koladas data-anrop: ett sidobjekt eller en lista med sidor.",
        )
        source.add_argument(
            "--kpi",
            action="append",
            help="Kolada-id, t.ex. N15428; kan upprepas eller ges som kommaseparerad lista.",
        )
        parser.add_argument(
            "--municipality",
            help="Kommunens Kolada-id (standard: inställningen KOLADA_MUNICIPALITY_ID).",
        )
        parser.add_argument(
            "--year",
            action="append",
            help="År att hämta; kan upprepas eller ges som lista (2023,2024). "
            "Utan --year: alla verksamhetsår i systemet.",
        )
        parser.add_argument(
            "--gender",
            choices=sorted(kolada.GENDERS),
            default=kolada.DEFAULT_GENDER,
            help="Vilket värde som blir utfall: T totalt (standard), K kvinnor, M män.",
        )
        parser.add_argument(
            "--with-riket",
            action="store_true",
            help="Hämta även rikets värden (0000) som jämförelse (bara med --kpi; i en fil "
            "läses rikets rader alltid in).",
        )
        parser.add_argument(
            "--overwrite-manual",
            action="store_true",
            help="Ersätt även utfall som matats in för hand (annars behålls de och redovisas).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Visa vad som skulle hända utan att spara."
        )

    def handle(self, *args, **options):
        municipality = options["municipality"] or settings.KOLADA_MUNICIPALITY_ID
        if municipality != settings.KOLADA_MUNICIPALITY_ID:
            raise CommandError(
                f"Kommun {municipality} är inte den kommun systemet är inställt för "
                f"(KOLADA_MUNICIPALITY_ID={settings.KOLADA_MUNICIPALITY_ID}); utfall från en "
                "annan kommun kan inte bli den egna kommunens utfall. Inget har sparats."
            )
        try:
            if options["file"]:
                if options["with_riket"] or options["year"]:
                    raise CommandError(
                        "--with-riket och --year gäller bara hämtning med --kpi; en fil läses in "
                        "som den är (med rikets rader om de finns). Inget har sparats."
                    )
                parsed = kolada.load_file(options["file"])
            else:
                parsed = self._fetch(options, municipality)
            summary = kolada.import_values(
                parsed,
                gender=options["gender"],
                municipality_id=municipality,
                overwrite_manual=options["overwrite_manual"],
                dry_run=options["dry_run"],
            )
        except kolada.KoladaError as exc:
            raise CommandError(str(exc)) from exc
        for line in summary.lines():
            self.stdout.write(line)
        if summary.changed and not summary.dry_run:
            from goals import audit

            audit.record(
                action="import",
                summary=f"Kolada: {summary.created} nya och {summary.updated} ändrade utfall, "
                f"{summary.reference_created + summary.reference_updated} jämförelsevärden",
            )
            self.stdout.write(self.style.SUCCESS("Importen från Kolada är klar."))

    def _fetch(self, options, municipality: str) -> kolada.ParsedResponse:
        kpis = _split(options["kpi"])
        wrong = [k for k in kpis if not kolada.KPI_PATTERN.match(k)]
        if wrong or not kpis:
            raise CommandError(
                f"Ogiltigt Kolada-id: {', '.join(wrong) or '(tomt)'}. Ett Kolada-id är en "
                "versal bokstav följd av fem siffror, t.ex. N15428."
            )
        years = _split(options["year"])
        bad_years = [y for y in years if not re.fullmatch(r"\d{4}", y)]
        if bad_years:
            raise CommandError(
                f"Ogiltigt år: {', '.join(bad_years)}. Skriv år med fyra siffror, t.ex. 2024."
            )
        if not years:
            years = [
                str(y) for y in PlanYear.objects.order_by("year").values_list("year", flat=True)
            ]
            if not years:
                raise CommandError("Ange --year: systemet har inga verksamhetsår ännu.")
        areas = [municipality] + ([kolada.RIKET_ID] if options["with_riket"] else [])
        self.stdout.write(
            f"Hämtar {', '.join(kpis)} för {', '.join(areas)} år {', '.join(years)} från "
            f"{settings.KOLADA_BASE_URL} …"
        )
        pages = kolada.fetch_pages(kpis=kpis, municipality_ids=areas, years=years)
        return kolada.parse_pages(pages)
