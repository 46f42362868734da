"""The demo's reports: wiped with the demo data (demo.loader.reset_demo)."""

from django.db import models, transaction

from .models import GeneratedReport, ReportPart, ReportPartUse


def reset_reports_demo() -> None:
    """Remove every generated report and cached part with their files.

    They print the demo's follow-ups, which `seed_demo --reset` wipes, published ones
    included; a published report is frozen against every other delete.
    """
    with transaction.atomic():
        names = [
            name
            for model in (GeneratedReport, ReportPart)
            for name in model.objects.exclude(file="").values_list("file", flat=True)
        ]
        ReportPartUse.objects.all().delete()
        models.QuerySet.delete(GeneratedReport.objects.all())  # past the frozen guard
        ReportPart.objects.all().delete()
        storage = GeneratedReport._meta.get_field("file").storage

        def remove_files():
            for name in names:
                storage.delete(name)

        if names:
            transaction.on_commit(remove_files)
