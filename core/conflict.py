"""The one answer to "someone else saved first": 409, the user's input kept, what changed.

Every versioned form (goals, quality, governance) answers a stale save the same way: the page
again with status 409, the message below, the form rebuilt on the stored row with what the
user typed (and the version moved on, so that saving again is a deliberate choice), and the
changes made meanwhile listed beside it (`history`, from the caller's history reader).
"""

from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _

CONFLICT_MESSAGE = (
    "Någon annan har sparat ändringar medan du redigerade. Dina ändringar är inte sparade "
    "men finns kvar i formuläret. Jämför med ändringarna nedan och spara igen om dina "
    "värden ska gälla."
)


def render_conflict(request, *, template, context, current, history, form, rebuild=None):
    """409 with the typed values on `current` (the row as stored now) and `history` beside.

    `rebuild(data, current)` makes the form again; by default the form's own class with
    the stored row as its instance.
    """
    context["conflict"] = history
    message = _(CONFLICT_MESSAGE)
    if request.FILES:
        message += " " + _("En vald fil behöver väljas igen.")
    messages.error(request, message)
    data = request.POST.copy()
    data[form.add_prefix("version")] = str(current.version)
    fresh = rebuild(data, current) if rebuild else type(form)(data, instance=current)
    fresh.is_valid()
    context["form"] = fresh
    return render(request, template, context, status=409)
