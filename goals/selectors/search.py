"""Search across the chain: every kind the user may see, a bounded number of hits per kind.

Goals knows its own kinds (goals, indicators, activities, units); apps above it (governance)
add theirs through `register_search_kind`, so goals never imports them. Each kind is one
query, so a search makes the same number of queries whatever the data's size.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet

from ..models import Indicator, OrgUnit
from ..permissions import access_for, tree_order
from .common import activities_visible_to, direction_goals_visible_to

SEARCH_MIN_LENGTH = 2
SEARCH_MAX_LENGTH = 100
SEARCH_MAX_TERMS = 6
SEARCH_HITS_PER_KIND = 10


@dataclass
class SearchHit:
    title: str
    url: str
    code: str = ""
    # Where the hit sits in the chain, e.g. "Utbildningsnämnden › UN-HK-1".
    place: str = ""


@dataclass
class SearchGroup:
    key: str
    label: str
    hits: list[SearchHit] = field(default_factory=list)
    # More hits than shown: the reader narrows the words rather than paging.
    more: bool = False


# find(user=..., query=..., limit=...) -> up to `limit` hits, at most one query.
Finder = Callable[..., list[SearchHit]]


@dataclass
class SearchKind:
    key: str
    label: str
    order: int
    find: Finder


_KINDS: dict[str, SearchKind] = {}


def register_search_kind(*, key: str, label: str, order: int, find: Finder) -> None:
    """Add a kind of result; an app above goals calls this from its AppConfig.ready()."""
    _KINDS[key] = SearchKind(key=key, label=label, order=order, find=find)


def search_terms(query: str) -> list[str]:
    return query.split()[:SEARCH_MAX_TERMS]


def _case_variants(term: str) -> set[str]:
    # SQLite folds case only for ASCII: "Ökad" is not icontains "ökad" there. The forms a
    # word is written in (as typed, lower, capitalised, upper) cover Swedish text in practice.
    return {term, term.lower(), term.capitalize(), term.upper()}


def words_q(fields: list[str], query: str) -> Q:
    """Every word of the query in one of the fields, whatever its case, å, ä and ö too."""
    q = Q()
    for term in search_terms(query):
        any_field = Q()
        for name in fields:
            for variant in _case_variants(term):
                any_field |= Q(**{f"{name}__icontains": variant})
        q &= any_field
    return q


def matching(queryset: QuerySet, *, fields: list[str], query: str) -> QuerySet:
    """The rows whose fields match the query.

    On PostgreSQL, Swedish full-text search adds stemming ("skolor" finds "skolan"); the
    word match still finds codes such as UN-HK-1, which the text search splits apart.
    """
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        text_query = SearchQuery(query, config="swedish", search_type="websearch")
        return queryset.annotate(search_vector=SearchVector(*fields, config="swedish")).filter(
            Q(search_vector=text_query) | words_q(fields, query)
        )
    return queryset.filter(words_q(fields, query))


def search_everything(*, user, query: str) -> list[SearchGroup]:
    """Each kind's hits the user may see, in the kinds' order; empty for a too short query."""
    query = " ".join(query.split())[:SEARCH_MAX_LENGTH]
    if len(query) < SEARCH_MIN_LENGTH:
        return []
    groups = []
    for kind in sorted(_KINDS.values(), key=lambda k: k.order):
        hits = kind.find(user=user, query=query, limit=SEARCH_HITS_PER_KIND + 1)
        groups.append(
            SearchGroup(
                key=kind.key,
                label=kind.label,
                hits=hits[:SEARCH_HITS_PER_KIND],
                more=len(hits) > SEARCH_HITS_PER_KIND,
            )
        )
    return groups


# --- the kinds goals knows ---------------------------------------------------------------


def _find_goals(*, user, query: str, limit: int) -> list[SearchHit]:
    goals = matching(
        direction_goals_visible_to(user=user),
        fields=["code", "title", "description"],
        query=query,
    ).order_by("committee__name", "code")[:limit]
    return [
        SearchHit(
            title=g.title,
            url=g.get_absolute_url(),
            code=g.code,
            place=f"{g.committee.name} › Strategiområde {g.strategic_area.number} "
            f"{g.strategic_area.name} · {g.valid_from}–{g.valid_to}",
        )
        for g in goals
    ]


def _find_indicators(*, user, query: str, limit: int) -> list[SearchHit]:
    indicators = (
        matching(
            Indicator.objects.filter(
                direction_goal__in=direction_goals_visible_to(user=user).values("pk")
            ),
            fields=["code", "name"],
            query=query,
        )
        .select_related("direction_goal__committee")
        .order_by("direction_goal__committee__name", "direction_goal__code", "code")[:limit]
    )
    return [
        SearchHit(
            title=i.name,
            url=i.get_absolute_url(),
            code=i.code,
            place=f"{i.direction_goal.committee.name} › {i.direction_goal.code}",
        )
        for i in indicators
    ]


def _find_activities(*, user, query: str, limit: int) -> list[SearchHit]:
    activities = matching(
        activities_visible_to(user=user), fields=["title", "description"], query=query
    ).order_by("-plan__plan_year__year", "plan__org_unit__name", "title")[:limit]
    return [
        SearchHit(
            title=a.title,
            url=a.get_absolute_url(),
            place=f"{a.plan.org_unit.name} › {a.direction_goal.code} · {a.plan.plan_year.year}",
        )
        for a in activities
    ]


def _find_units(*, user, query: str, limit: int) -> list[SearchHit]:
    units = (
        matching(
            OrgUnit.objects.filter(access_for(user).sees_q()), fields=["code", "name"], query=query
        )
        .select_related("parent")
        .order_by(*tree_order())[:limit]
    )
    return [
        SearchHit(
            title=u.name,
            url=u.get_absolute_url(),
            code=u.code,
            place=f"{u.parent.name} › {u.name}" if u.parent else str(u.get_kind_display()),
        )
        for u in units
    ]


register_search_kind(key="mal", label="Inriktningsmål", order=10, find=_find_goals)
register_search_kind(key="indikatorer", label="Indikatorer", order=20, find=_find_indicators)
register_search_kind(key="aktiviteter", label="Aktiviteter", order=30, find=_find_activities)
register_search_kind(key="enheter", label="Nämnder och enheter", order=40, find=_find_units)
