"""Governing documents and assignments as kinds of result in the chain's search (/sok/)."""

from goals.selectors.search import SearchHit, matching, register_search_kind

from .selectors import assignments_visible_to, documents_visible_to


def _find_documents(*, user, query: str, limit: int) -> list[SearchHit]:
    documents = (
        matching(documents_visible_to(user=user), fields=["title", "decided_by"], query=query)
        .select_related("owning_unit")
        .order_by("title", "pk")[:limit]
    )
    return [
        SearchHit(
            title=d.title,
            url=d.get_absolute_url(),
            place=f"{d.owning_unit.name} › {d.get_kind_display()}",
        )
        for d in documents
    ]


def _find_assignments(*, user, query: str, limit: int) -> list[SearchHit]:
    assignments = (
        matching(assignments_visible_to(user=user), fields=["text"], query=query)
        .select_related("given_by", "receiving_unit", "direction_goal")
        .order_by("closed_on", "deadline", "pk")[:limit]
    )
    return [
        SearchHit(
            title=a.short_text,
            url=a.get_absolute_url(),
            code=a.direction_goal.code if a.direction_goal else "",
            place=f"{a.given_by_label} › {a.receiving_unit.name}"
            + (f" › {a.direction_goal.code}" if a.direction_goal else ""),
        )
        for a in assignments
    ]


def register() -> None:
    register_search_kind(key="dokument", label="Styrdokument", order=50, find=_find_documents)
    register_search_kind(key="uppdrag", label="Uppdrag", order=60, find=_find_assignments)
