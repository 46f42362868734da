"""Every open page passes here: off → 404, too many requests → 429, else the cached page.

A published occasion does not change, so a rendered page is kept (PUBLIC_CACHE_SECONDS)
under a key that holds the publication stamp (selectors.publication_stamp): a new
publication makes new keys, and the next visitor sees it at once. The pages show nothing
that depends on who asks, so one copy serves everyone.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render

from .limits import over_limit
from .selectors import publication_stamp

BROWSER_MAX_AGE = 60


def too_many_requests(request, wait: int) -> HttpResponse:
    response = render(request, "public/429.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


# The only query parameters the open views read: others do not make a new cache entry.
PARAMETERS = ("tillfalle", "omrade")


def _key(request, stamp: str) -> str:
    asked = "&".join(f"{p}={request.GET.get(p, '')}" for p in PARAMETERS if p in request.GET)
    path = hashlib.sha256(f"{request.path}?{asked}".encode()).hexdigest()
    return f"public:page:{stamp}:{path}"


def open_page(view):
    """Guard, limit and cache one open view (GET and HEAD only)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.PUBLIC_PAGES:
            raise Http404
        wait = over_limit(request)
        if wait:
            return too_many_requests(request, wait)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        key = _key(request, publication_stamp())
        kept = cache.get(key)
        if kept is not None:
            content, headers = kept
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                headers = {
                    name: response[name]
                    for name in ("Content-Type", "Content-Disposition")
                    if response.has_header(name)
                }
                cache.set(key, (response.content, headers), settings.PUBLIC_CACHE_SECONDS)
        if response.status_code == 200:
            # A signed-in visitor's answer carries a renewed session cookie (the session
            # restarts its clock on every request): no shared cache may keep it.
            who = "private" if settings.SESSION_COOKIE_NAME in request.COOKIES else "public"
            response["Cache-Control"] = f"{who}, max-age={BROWSER_MAX_AGE}"
        return response

    return wrapped
