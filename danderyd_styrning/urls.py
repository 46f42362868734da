from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Styrsystem – administration")
admin.site.site_title = _("Styrsystem")
admin.site.index_title = _("Administration")

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("goals.urls")),
    path("", include("reporting.urls")),
    path("kvalitet/", include("quality.urls")),
    path("styrdokument/", include("governance.urls")),
]
