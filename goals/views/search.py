"""The search page, /sok/?q=: what the user may see, by kind, with its place in the chain."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..selectors.search import SEARCH_MAX_LENGTH, SEARCH_MIN_LENGTH, search_everything


@require_GET
@login_required
def search(request):
    query = " ".join(request.GET.get("q", "").split())[:SEARCH_MAX_LENGTH]
    groups = search_everything(user=request.user, query=query)
    return render(
        request,
        "goals/search.html",
        {
            "query": query,
            "groups": groups,
            "hit_count": sum(len(g.hits) for g in groups),
            "too_short": 0 < len(query) < SEARCH_MIN_LENGTH,
            "min_length": SEARCH_MIN_LENGTH,
        },
    )
