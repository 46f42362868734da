from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "goals"
    verbose_name = _("Styrkedja och planering")

    def ready(self):
        from . import (
            audit,  # noqa: F401 - connects the audit log's signal receivers
            checks,  # noqa: F401 - registers the deployment checks
        )
