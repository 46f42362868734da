"""Governing documents beside the chain's pages: one query per list, whatever the page shows."""

from django import template

from ..selectors import documents_for_goal, documents_for_unit

register = template.Library()


@register.inclusion_tag("governance/includes/linked_documents.html", takes_context=True)
def governing_documents_for_goal(context, goal):
    user = context["request"].user
    return {"documents": documents_for_goal(user=user, goal=goal), "subject": "goal"}


@register.inclusion_tag("governance/includes/linked_documents.html", takes_context=True)
def governing_documents_for_unit(context, unit):
    user = context["request"].user
    return {"documents": documents_for_unit(user=user, unit=unit), "subject": "unit"}
