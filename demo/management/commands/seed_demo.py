"""python manage.py seed_demo [--scale small|large] [--reset] [--if-empty]: demo data."""

from django.core.management.base import BaseCommand

from demo.loader import load_demo, reset_demo
from goals.models import OrgUnit


class Command(BaseCommand):
    help = "Läser in styrkedjan ur mål- och styrmodellen och Danderyds demoorganisation."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["small", "large"],
            default="small",
            help=(
                "Demodatats storlek (small: Danderyds demoorganisation; large: dessutom en stor "
                "syntetisk kommun med 30 nämnder och 1 000 enheter för prestandamätning)."
            ),
        )
        parser.add_argument(
            "--reset", action="store_true", help="Töm styrkedjan och demodata och läs in på nytt."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Läs bara in om databasen saknar organisation (används av make run).",
        )

    def handle(self, *args, reset=False, if_empty=False, scale="small", **options):
        if if_empty and not reset and OrgUnit.objects.exists():
            self.stdout.write("Databasen har redan data; inget lästes in.")
            return
        if reset:
            reset_demo()
            self.stdout.write("Styrkedjan och demodata är tömda.")
        load_demo()
        self.stdout.write(self.style.SUCCESS("Demodata för Danderyds kommun är inlästa."))
        if scale == "large":
            from demo.large import load_large

            load_large(stdout=self.stdout)
            self.stdout.write(self.style.SUCCESS("Den stora syntetiska kommunen är inläst."))
