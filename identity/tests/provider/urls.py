from django.contrib import auth
from django.contrib.auth.models import Group, User
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import include, path
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt

from . import validator


@csrf_exempt
def login(request):
    """The provider's own sign-in page (a municipality's would ask for password and MFA)."""
    next_url = request.GET.get("next") or request.POST.get("next") or "/"
    if request.method == "POST":
        user = auth.authenticate(
            request, username=request.POST.get("username"), password=request.POST.get("password")
        )
        if user is not None:
            auth.login(request, user)
            return HttpResponseRedirect(next_url)
    return HttpResponse(
        '<form method="post"><input name="username"><input name="password" type="password">'
        f'<input type="hidden" name="next" value="{escape(next_url)}">'
        "<button>Logga in</button></form>"
    )


def whoami(request):
    return JsonResponse({"user": request.user.username if request.user.is_authenticated else ""})


@csrf_exempt
def set_groups(request):
    """Test control: the groups of one user, as the municipality's IT would change them."""
    user = User.objects.get(username=request.POST["username"])
    names = [n for n in request.POST.get("groups", "").split(",") if n]
    user.groups.set([Group.objects.get_or_create(name=n)[0] for n in names])
    return JsonResponse({"groups": names})


@csrf_exempt
def set_fault(request):
    """Test control: "expired", "wrong-key" or "" for correct ID tokens."""
    validator.FAULT["id_token"] = request.POST.get("id_token", "")
    return JsonResponse(validator.FAULT)


urlpatterns = [
    path("login/", login),
    path("favicon.ico", lambda request: HttpResponse(status=204)),
    path("whoami/", whoami),
    path("test/groups/", set_groups),
    path("test/fault/", set_fault),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
