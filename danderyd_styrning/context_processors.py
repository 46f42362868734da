"""What every page's frame shows: municipality, year and phase, user and role, navigation."""

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from goals.models import Membership, PlanYear
from goals.permissions import access_for


def _frame(request) -> dict:
    """The year a page is about: set by the view (request.styr_year, a year or a PlanYear),
    else ?ar=, else current."""
    from core.formats import parse_id

    asked = getattr(request, "styr_year", None) or parse_id(request.GET.get("ar"), max_digits=4)
    if isinstance(asked, PlanYear):
        year = asked  # the view has it loaded already: no query for the frame
    else:
        year = (PlanYear.objects.filter(year=asked).first() if asked else None) or (
            PlanYear.objects.filter(is_current=True).first() or PlanYear.objects.first()
        )
    phases = []
    if year is not None:
        for value, label in PlanYear.Phase.choices:
            phases.append({"label": label, "current": value == year.phase})
    user = request.user
    role = ""
    nav = []
    if user.is_authenticated:
        access = access_for(user)
        labels = dict(Membership.Role.choices)
        role = ", ".join(sorted(str(labels[r]) for r in access.roles))
        if user.is_superuser and not role:
            role = str(labels[Membership.Role.ADMIN])
        nav = [
            (_("Start"), reverse("start")),
            (_("Översikt"), reverse("overview")),
            (_("Styrkedja"), reverse("chain")),
            (_("Planer"), reverse("plans")),
            (_("Uppföljning"), reverse("followup")),
            (_("Rapporter"), reverse("reports")),
            (_("Täckning"), reverse("chain_coverage")),
            (_("Kvalitet"), reverse("quality:overview")),
            (_("Styrdokument"), reverse("governance:document_list")),
            (_("Intern kontroll"), reverse("ic_overview")),
        ]
        if access.reviews_anything:
            nav.append((_("Granskning"), reverse("review")))
        if user.is_staff:
            nav.append((_("Administration"), reverse("admin:index")))
    return {"plan_year": year, "phases": phases, "role": role, "nav": nav}


def frame(request):
    if request.path.startswith("/admin/"):
        return {"municipality_name": settings.MUNICIPALITY_NAME}
    return {
        "municipality_name": settings.MUNICIPALITY_NAME,
        "frame": SimpleLazyObject(lambda: _frame(request)),
    }
