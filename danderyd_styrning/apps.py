"""Swedish names for the third-party apps the admin shows (INSTALLED_APPS names these configs).

The packages ship no Swedish translation and django-tasks-db's app name is not even marked
for translation, so a catalog of ours could not reach it. The configs subclass the packages'
own (their ready() still runs) and set the names on the models' _meta when the app registry
is ready. _meta.original_attrs, which migrations read, keeps the packages' names: nothing here
asks for a migration inside a third-party package.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


def name_models(app_config: AppConfig, names: dict) -> None:
    """Set each model's singular and plural name: {"ModelName": (singular, plural)}."""
    for model_name, (singular, plural) in names.items():
        opts = app_config.get_model(model_name)._meta
        opts.verbose_name = singular
        opts.verbose_name_plural = plural


class AxesConfig(AxesAppConfig):
    """django-axes: failed logins and lock-outs (settings.AXES_*)."""

    verbose_name = _("Inloggningsskydd")

    def ready(self):
        super().ready()
        name_models(
            self,
            {
                "AccessAttempt": (_("inloggningsförsök"), _("inloggningsförsök")),
                "AccessFailureLog": (_("misslyckad inloggning"), _("misslyckade inloggningar")),
                "AccessLog": (_("inloggning"), _("inloggningar")),
                "AccessAttemptExpiration": (
                    _("utgångstid för inloggningsförsök"),
                    _("utgångstider för inloggningsförsök"),
                ),
            },
        )


class TasksDatabaseConfig(TasksAppConfig):
    """django-tasks-db: the queue of background jobs (the PDF reports) and how they went."""

    verbose_name = _("Bakgrundsjobb")

    def ready(self):
        super().ready()
        name_models(self, {"DBTaskResult": (_("bakgrundsjobb"), _("bakgrundsjobb"))})


class RqConfig(AppConfig):
    """django-rq, installed only with REPORT_TASKS_BACKEND=rq: its link to the queues' pages.
    Its own config (DjangoRqAdminConfig) has no ready(); not importing it keeps redis and rq out
    of every start of the default setup."""

    name = "django_rq"
    default_auto_field = "django.db.models.AutoField"
    verbose_name = _("Jobbkö (RQ)")

    def ready(self):
        name_models(self, {"Dashboard": (_("köernas översikt"), _("köernas översikt"))})
