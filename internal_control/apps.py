from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InternalControlConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "internal_control"
    verbose_name = _("Intern kontroll")

    def ready(self):
        from goals.frozen import followup_freezing
        from goals.resources import RESOURCES

        from .followup import freeze_control_results
        from .resources import RESOURCES as OWN_RESOURCES

        # A published follow-up keeps its control results as they stood when it was published.
        followup_freezing.connect(
            freeze_control_results, dispatch_uid="internal_control.freeze_control_results"
        )
        # Risks and controls are import and export kinds beside the chain's (/import/).
        RESOURCES.update(OWN_RESOURCES)
