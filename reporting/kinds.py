"""The report kinds: each a small class with its identifier, title, selector and template.

The occasion decides the document: the Verksamhetsplan occasion gives the plan document,
every other occasion the follow-up report (tertialrapport, delårsrapport,
verksamhetsberättelse). Both kinds use the same template; it branches on the occasion.
"""

from goals.models import OrgUnit

from . import data


class ReportKind:
    identifier: str = ""
    title: str = ""
    template: str = ""
    # The org unit kind the report is made for (None: the municipality as a whole).
    org_unit_kind: str | None = None

    @staticmethod
    def selector(*, occasion, org_unit) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError

    @classmethod
    def gather(cls, *, occasion, org_unit) -> dict:
        return cls.selector(occasion=occasion, org_unit=org_unit)


class CommitteeReport(ReportKind):
    """One committee's plan or follow-up, its units summarised."""

    identifier = "committee"
    title = "Nämndens rapport"
    template = "reporting/committee_report.html"
    org_unit_kind = OrgUnit.Kind.COMMITTEE
    selector = staticmethod(data.committee_report_data)


class MunicipalityReport(ReportKind):
    """Every committee's plan or follow-up in one document, with the municipality's summary."""

    identifier = "municipality"
    title = "Kommunens rapport"
    template = "reporting/municipality_report.html"
    org_unit_kind = OrgUnit.Kind.MUNICIPALITY
    selector = staticmethod(data.municipality_report_data)


REPORT_KINDS: dict[str, type[ReportKind]] = {
    kind.identifier: kind for kind in (CommitteeReport, MunicipalityReport)
}


def kind_for(identifier: str) -> type[ReportKind]:
    try:
        return REPORT_KINDS[identifier]
    except KeyError:
        raise ValueError(f"Okänd rapporttyp: {identifier!r}") from None


def kind_for_org_unit(org_unit: OrgUnit | None) -> type[ReportKind]:
    """A committee gives the committee report; the municipality root (or None) the other."""
    if org_unit is None or org_unit.kind == OrgUnit.Kind.MUNICIPALITY:
        return MunicipalityReport
    if org_unit.kind == OrgUnit.Kind.COMMITTEE:
        return CommitteeReport
    raise data.ReportScopeError(
        f"{org_unit.name} är varken en nämnd eller kommunen: rapporter görs per nämnd "
        "eller för hela kommunen."
    )
