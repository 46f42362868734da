from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from identity import views as identity_views

admin.site.site_header = _("Styrsystem – administration")
admin.site.site_title = _("Styrsystem")
admin.site.index_title = _("Administration")


def _only_superusers(request) -> bool:
    """The admin does not know the organisation's subtrees, so only those who may change
    everything use it: a staff flag and model permissions alone never open it to an editor.
    Committee staff change their subtree through the pages and the import, which ask
    goals.permissions."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _only_superusers

urlpatterns = [
    path(
        "accounts/login/",
        identity_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", identity_views.LogoutView.as_view(), name="logout"),
    path("accounts/utloggad/", identity_views.logged_out, name="logged_out"),
    path("oidc/", include("identity.urls")),
    path("admin/", admin.site.urls),
    path("", include("goals.urls")),
    path("", include("followup.urls")),
    path("", include("reporting.urls")),
    path("kvalitet/", include("quality.urls")),
    path("styrdokument/", include("governance.urls")),
    path("oppet/", include("public.urls")),
    path("internkontroll/", include("internal_control.urls")),
]
