"""Requests every page shares, answered before any view runs."""

from django.http import HttpResponseNotAllowed

# The methods the views handle: pages answer GET (and HEAD), forms POST; OPTIONS is left to
# Django's views. No view handles PUT, PATCH, DELETE or TRACE; without this, function views
# that only test for POST answered them with the page (200).
ALLOWED_METHODS = ("GET", "HEAD", "POST", "OPTIONS")


class AllowedMethodsMiddleware:
    """Answer 405 (with an Allow header) to any other HTTP method, for every URL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(
                ALLOWED_METHODS,
                "Metoden stöds inte. Sidorna svarar på GET, HEAD, POST och OPTIONS.\n",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
