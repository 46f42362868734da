"""Sign-in and sign-out: the password login (when LOCAL_LOGIN is on) and the identity
provider's authorization code flow with PKCE (mozilla-django-oidc's views, made to answer in
Swedish)."""

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import provider
from .services import SignInRefused, user_has_access

logger = logging.getLogger(__name__)

FAILED = (
    "Inloggningen via kommunens identitetsleverantör kunde inte slutföras. Ingenting har "
    "sparats. Försök igen; om felet kvarstår, kontakta {contact}."
)


class LoginView(auth_views.LoginView):
    """Django's login form, and a button for the identity provider when it is configured. With
    LOCAL_LOGIN off the form is gone and a posted password is refused."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["local_login"] = settings.LOCAL_LOGIN
        context["sso_enabled"] = provider.enabled()
        return context

    def post(self, request, *args, **kwargs):
        if not settings.LOCAL_LOGIN:
            self.extra_context = {"password_refused": True}
            response = self.get(request, *args, **kwargs)
            response.status_code = 403
            return response
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    """Ends the session here and, for a session that came from the identity provider, there too
    (RP-initiated logout): otherwise the next click on "Logga in" would sign in again at once."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        end_session = ""
        if id_token and provider.enabled():
            try:
                end_session = provider.config().end_session_endpoint
            except provider.ProviderUnavailable:
                logger.warning("identity provider unreachable at logout", exc_info=True)
        if not end_session:
            return super().post(request, *args, **kwargs)
        auth.logout(request)
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": settings.OIDC_RP_CLIENT_ID,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("logged_out")),
            }
        )
        return HttpResponseRedirect(f"{end_session}?{query}")


def logged_out(request):
    """Where the identity provider sends the browser back after signing out."""
    return render(request, "registration/logged_out.html")


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with state, nonce and a PKCE challenge."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not provider.enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider.config().authorization_endpoint
        except provider.ProviderUnavailable:
            logger.warning("identity provider unreachable", exc_info=True)
            return _failed(request, status=503)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class AuthenticationCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer. Any refusal (state not ours, token expired, wrongly signed or for
    another client, the provider unreachable) ends on a Swedish page, with nothing saved: the
    user and memberships are written only after the token has been verified, in one
    transaction."""

    def get(self, request):
        if not provider.enabled():
            raise Http404
        try:
            return super().get(request)
        except SignInRefused as exc:
            return _failed(request, message=str(exc), status=403)
        except (
            SuspiciousOperation,
            provider.ProviderUnavailable,
            requests.RequestException,
            IntegrityError,  # the same person's first sign-in twice at once: the other won
        ):
            logger.warning("sign-in through the identity provider refused", exc_info=True)
            return _failed(request)

    def login_failure(self):
        return _failed(self.request)

    def login_success(self):
        if not user_has_access(self.user):
            # Not signed in here, so nothing for a logout to end at the provider later.
            self.request.session.pop("oidc_id_token", None)
            return render(
                self.request,
                "identity/no_access.html",
                {"account": self.user, "contact": settings.OIDC_ACCESS_CONTACT},
                status=403,
            )
        return super().login_success()


def _failed(request, *, message: str = "", status: int = 400):
    return render(
        request,
        "identity/sign_in_failed.html",
        {"message": message or FAILED.format(contact=settings.OIDC_ACCESS_CONTACT)},
        status=status,
    )
