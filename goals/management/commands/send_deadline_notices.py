"""Daily: remind editors 7 days before a reporting deadline (each reminder only once)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from goals.notices import send_deadline_notices


class Command(BaseCommand):
    help = "Skickar påminnelser 7 dagar före sista dag för ett rapporteringstillfälle."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Dagens datum, ÅÅÅÅ-MM-DD (för test och efterkörning).")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("Datumet skrivs ÅÅÅÅ-MM-DD, t.ex. 2026-05-13.") from exc
        sent = send_deadline_notices(today=today)
        self.stdout.write(f"{sent} påminnelse(r) skickade.")
