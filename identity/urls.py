from django.urls import path

from . import views

# The provider's redirect URI is https://<host>/oidc/callback/ (README, "Entra ID").
urlpatterns = [
    path(
        "authenticate/", views.AuthenticationRequestView.as_view(), name="oidc_authentication_init"
    ),
    path(
        "callback/", views.AuthenticationCallbackView.as_view(), name="oidc_authentication_callback"
    ),
]
