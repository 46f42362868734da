"""Keeps what each published follow-up shows, for those published before follow-ups were
frozen at publication (goals.frozen). Run once after upgrading; a rerun adds nothing."""

from django.core.management.base import BaseCommand
from django.db import transaction

from goals.frozen import followup_freeze
from goals.models import Submission


class Command(BaseCommand):
    help = "Fryser innehållet i publicerade uppföljningar som saknar fryst innehåll."

    def handle(self, *args, **options):
        missing = Submission.objects.filter(
            state=Submission.State.PUBLISHED, published_record__isnull=True
        ).select_related("occasion__plan_year", "org_unit")
        count = 0
        for submission in missing.iterator():
            with transaction.atomic():
                followup_freeze(submission=submission)
            count += 1
        self.stdout.write(f"{count} publicerade uppföljningar frystes.")
