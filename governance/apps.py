from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance"
    verbose_name = _("Styrdokument och uppdrag")

    def ready(self):
        from goals.frozen import followup_freezing

        from .followup import freeze_assignments
        from .search import register as register_search

        # A published follow-up keeps its assignments as they stood when it was published.
        followup_freezing.connect(freeze_assignments, dispatch_uid="governance.freeze_assignments")
        # Documents and assignments are found by the chain's search, which goals owns.
        register_search()
