from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"
    verbose_name = _("Rapporter")

    def ready(self):
        from goals.frozen import followup_freezing, followup_published

        from .data import freeze_report_section
        from .ordering import followup_published_received

        # Every later report of the occasion prints a published committee as it was published.
        followup_freezing.connect(
            freeze_report_section, dispatch_uid="reporting.freeze_report_section"
        )
        # A published follow-up orders its committee's report (and the municipality's, when it
        # was the last committee of the occasion).
        followup_published.connect(
            followup_published_received, dispatch_uid="reporting.order_on_publish"
        )
