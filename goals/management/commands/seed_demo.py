"""python manage.py seed_demo [--reset] [--if-empty]: the Danderyd demo municipality."""

from django.core.management.base import BaseCommand

from goals.demo import load_demo, reset_demo
from goals.models import OrgUnit


class Command(BaseCommand):
    help = "Läser in styrkedjan ur mål- och styrmodellen och Danderyds demoorganisation."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["small"],
            default="small",
            help="Demodatats storlek (small: Danderyds demoorganisation).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Töm styrkedjan och demodata och läs in på nytt."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Läs bara in om databasen saknar organisation (används av make run).",
        )

    def handle(self, *args, reset=False, if_empty=False, **options):
        if if_empty and not reset and OrgUnit.objects.exists():
            self.stdout.write("Databasen har redan data; inget lästes in.")
            return
        if reset:
            reset_demo()
            self.stdout.write("Styrkedjan och demodata är tömda.")
        load_demo()
        self.stdout.write(self.style.SUCCESS("Demodata för Danderyds kommun är inlästa."))
