"""Every URL of the project, for every demo persona and an outsider, answers as expected.

The URL patterns are enumerated from the URLconf: a new view without an entry in CASES
fails `test_every_url_pattern_has_a_case`, so no view can be forgotten. The expectations
are written out per persona below, not derived from the permission code under test.
"""

from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from goals.models import (
    Activity,
    DirectionGoal,
    Indicator,
    OperationalPlan,
    OrgUnit,
    ReportingOccasion,
    ReviewComment,
    Submission,
)
from reporting.models import GeneratedReport, sha256_bytes

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "admin", "klk", "namnd", "enhet", "politiker", "outsider"]

# Who sees a committee's goals, and who may change them (written out, on purpose).
SEES_COMMITTEE = {
    "UN": {"admin", "klk", "politiker", "namnd", "enhet"},
    "SN": {"admin", "klk", "politiker"},
}
EDITS_COMMITTEE = {"UN": {"admin", "namnd"}, "SN": {"admin"}}
# Who sees a unit's plan, and who may change it.
SEES_UNIT = {
    "UF-ENS": {"admin", "klk", "politiker", "namnd", "enhet"},
    "UF-FRI": {"admin", "klk", "politiker", "namnd"},
    "SF-AO-KEV": {"admin", "klk", "politiker"},
}
EDITS_UNIT = {
    "UF-ENS": {"admin", "namnd", "enhet"},
    "UF-FRI": {"admin", "namnd"},
    "SF-AO-KEV": {"admin"},
}
# Org unit pages: a unit is seen from its subtree members and by everyone below it.
SEES_ORG_UNIT = {
    "UN": SEES_COMMITTEE["UN"],
    "UF-ENS": SEES_UNIT["UF-ENS"],
    "UF-FRI": SEES_UNIT["UF-FRI"],
    "SN": SEES_COMMITTEE["SN"],
}
LOGGED_IN = set(PERSONAS) - {"anonymous"}
# Kommunledningskontoret's review pages: reviewers and administrators.
REVIEWERS = {"admin", "klk"}
# Import and export: whoever may change something (editors and administrators).
EDITORS = {"admin", "namnd", "enhet"}
# Report library: a draft of the municipality report is read by everyone with a role in the
# municipality; reports are ordered by committee editors (their own), reviewers and admins.
SEES_MUNICIPALITY = {"admin", "klk", "politiker", "namnd", "enhet"}
REPORT_ORDERERS = {"admin", "klk", "namnd"}


@dataclass
class Case:
    kwargs: dict
    kind: str  # "public", "absent", "login", "view", "edit", "edit_post_only", "redirect_view"
    who: set[str] | None = None  # for view
    editors: set[str] | None = None  # for edit


def _report(kind: str, occasion, code: str, published: bool) -> GeneratedReport:
    """A generated report with a stored file (what reporting.services stores after a render)."""
    pdf = f"%PDF-1.7 test {kind} {code} {occasion.pk}".encode()
    report = GeneratedReport(
        kind=kind,
        occasion=occasion,
        org_unit=OrgUnit.objects.get(code=code),
        version=1,
        content_hash=sha256_bytes(pdf),
        status=GeneratedReport.Status.DONE,
        sha256=sha256_bytes(pdf),
        size=len(pdf),
        pages=1,
        published=published,
    )
    report.file.save("report.pdf", ContentFile(pdf), save=False)
    report.save()
    return report


def _ids():
    goal = {
        c: DirectionGoal.objects.filter(committee__code=c).order_by("code").first()
        for c in ("UN", "SN")
    }
    plan = {
        u: OperationalPlan.objects.get(org_unit__code=u, plan_year__year=2026)
        for u in ("UF-ENS", "UF-FRI", "SF-AO-KEV")
    }
    # Delårsrapport 2026: SN's is handed in (demo), UN's not started; neither is published.
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, kind="interim_report")
    submission = {
        c: Submission.objects.get_or_create(
            occasion=occasion, org_unit__code=c, defaults={"org_unit": OrgUnit.objects.get(code=c)}
        )[0]
        for c in ("UN", "SN")
    }
    comment = {
        c: ReviewComment.objects.create(
            submission=s, text="Fråga", author=get_user_model().objects.get(username="klk")
        )
        for c, s in submission.items()
    }
    plan_occasion = ReportingOccasion.objects.get(plan_year__year=2026, kind="operational_plan")
    report = {
        "UN-published": _report("committee", plan_occasion, "UN", published=True),
        "UN": _report("committee", occasion, "UN", published=False),
        "SN": _report("committee", occasion, "SN", published=False),
        "municipality": _report("municipality", occasion, "DK", published=False),
    }
    return {
        "internal_control": _internal_control_ids(occasion),
        "occasion": occasion,
        "report": report,
        "submission": submission,
        "comment": comment,
        "goal": goal,
        "indicator": {
            c: Indicator.objects.filter(direction_goal=g).first() for c, g in goal.items()
        },
        "plan": plan,
        "activity": {u: Activity.objects.filter(plan=p).first() for u, p in plan.items()},
        "unit": {c: OrgUnit.objects.get(code=c) for c in ("UN", "SN", "UF-ENS", "UF-FRI")},
    }


def _internal_control_ids(occasion) -> dict:
    """A risk per committee (demo, 2026) and a control in a 2025 plan that is not adopted,
    reporting at 2025's first tertial, where no follow-up is handed in: open to its editors."""
    from internal_control.models import Control, ControlPlan, Risk

    t1_2025 = ReportingOccasion.objects.get(plan_year__year=2025, name="Tertialrapport 1")
    risk, control = {}, {}
    for c in ("UN", "SN"):
        risk[c] = Risk.objects.filter(committee__code=c, plan_year__year=2026).first()
        old = Risk.objects.filter(
            committee__code=c, plan_year__year=2025, decision="control_plan"
        ).first()
        plan = ControlPlan.objects.create(committee=old.committee, plan_year=old.plan_year)
        control[c] = Control.objects.create(plan=plan, risk=old, what="Test", occasion=t1_2025)
    return {"risk": risk, "control": control, "t1_2025": t1_2025, "occasion": occasion}


def _cases(ids) -> dict[str, list[Case]]:
    goal, ind, plan, act, unit = (
        ids["goal"],
        ids["indicator"],
        ids["plan"],
        ids["activity"],
        ids["unit"],
    )
    per_committee = lambda kind, objs, **extra: [  # noqa: E731
        Case({"pk": objs[c].pk, **extra}, kind, SEES_COMMITTEE[c], EDITS_COMMITTEE[c])
        for c in ("UN", "SN")
    ]
    per_unit = lambda kind, objs: [  # noqa: E731
        Case({"pk": objs[u].pk}, kind, SEES_UNIT[u], EDITS_UNIT[u]) for u in objs
    ]
    return {
        "login": [Case({}, "login_page")],
        "logout": [Case({}, "logout")],
        "logged_out": [Case({}, "public")],
        # Single sign-on is off unless OIDC_DISCOVERY_URL is set (identity/tests sign in).
        "oidc_authentication_init": [Case({}, "absent")],
        "oidc_authentication_callback": [Case({}, "absent")],
        "healthz": [Case({}, "public")],
        "start": [Case({}, "login")],
        "chain": [Case({}, "login")],
        "search": [Case({}, "login")],
        "overview": [Case({}, "login")],
        "chain_coverage": [Case({}, "login")],
        "plans": [Case({}, "login")],
        "chain_vision": [Case({"pk": 1}, "login")],
        "chain_area": [Case({"pk": goal["UN"].strategic_area_id}, "login")],
        "chain_overarching_goal": [Case({"pk": goal["UN"].overarching_goals.first().pk}, "login")],
        "chain_strategy": [Case({"pk": 1}, "login")],
        "chain_org_unit": [
            Case({"pk": unit[c].pk}, "view", SEES_ORG_UNIT[c])
            for c in ("UN", "SN", "UF-ENS", "UF-FRI")
        ],
        "chain_direction_goal": per_committee("view", goal),
        "chain_indicator": per_committee("view", ind),
        "chain_plan": per_unit("view", plan),
        "chain_activity": per_unit("view", act),
        "plan_committee": [
            Case({"code": c}, "view", SEES_COMMITTEE[c], EDITS_COMMITTEE[c]) for c in ("UN", "SN")
        ],
        "plan_goal_create": [
            Case({"code": c}, "edit", SEES_COMMITTEE[c], EDITS_COMMITTEE[c]) for c in ("UN", "SN")
        ],
        "plan_goal_edit": per_committee("edit", goal),
        "plan_goal_archive": per_committee("edit_post_only", goal),
        "plan_indicator_create": per_committee("edit", goal),
        "plan_indicator_edit": per_committee("edit", ind),
        "plan_unit": [
            Case({"pk": plan[u].org_unit_id}, "redirect_view", SEES_UNIT[u], EDITS_UNIT[u])
            for u in plan
        ],
        "plan_edit": per_unit("edit", plan),
        "plan_activity_create": per_unit("edit", plan),
        "plan_activity_edit": per_unit("edit", act),
        "followup": [Case({}, "login")],
        "followup_edit": [
            Case({"occasion_id": ids["occasion"].pk, "code": c}, "view", SEES_COMMITTEE[c])
            for c in ("UN", "SN")
        ]
        + [
            Case({"occasion_id": ids["occasion"].pk, "code": u}, "view", SEES_UNIT[u])
            for u in ("UF-ENS", "UF-FRI")
        ],
        "followup_comment": [
            Case({"pk": ids["comment"][c].pk}, "post_only_view", SEES_COMMITTEE[c])
            for c in ("UN", "SN")
        ],
        "review": [Case({}, "reviewer")],
        "review_submission": [
            Case({"pk": ids["submission"][c].pk}, "review", SEES_COMMITTEE[c]) for c in ("UN", "SN")
        ],
        "review_start_next_year": [Case({"year": 2026}, "reviewer_post_only")],
        "data_import": [Case({}, "editor")],
        "reports": [Case({}, "login")],
        "reports_generate": [Case({}, "orderer_post_only")],
        **{
            name: [
                Case({"pk": ids["report"]["UN-published"].pk}, "login"),
                Case({"pk": ids["report"]["UN"].pk}, "view", SEES_COMMITTEE["UN"]),
                Case({"pk": ids["report"]["SN"].pk}, "view", SEES_COMMITTEE["SN"]),
                Case({"pk": ids["report"]["municipality"].pk}, "view", SEES_MUNICIPALITY),
            ]
            for name in ("report_detail", "report_status", "report_download")
        },
        **_internal_control_cases(ids["internal_control"]),
        "data_export": [
            Case({"kind": kind, "fmt": fmt}, "editor")
            for kind in (
                "organisation",
                "mal",
                "indikatorer",
                "utfall",
                "planer",
                "aktiviteter",
                "risker",
                "kontrollmoment",
            )
            for fmt in ("csv", "xlsx")
        ],
        # The open pages (/oppet/): the same for everyone while PUBLIC_PAGES is on, 404 while
        # it is off (test_open_pages_follow_the_setting_for_persona).
        "public_start": [Case({}, "open")],
        "public_steering_model": [Case({}, "open")],
        "public_committee": [Case({"code": c}, "open") for c in ("SN", "KS")],
        "public_goal_fulfilment": [Case({}, "open")],
        "public_reports": [Case({}, "open")],
        "public_data": [Case({}, "open")],
        "public_data_file": [
            Case({"kind": kind, "fmt": fmt}, "open")
            for kind in ("inriktningsmal", "utfall")
            for fmt in ("csv", "json")
        ],
    }


def _internal_control_cases(ic) -> dict[str, list[Case]]:
    """/internkontroll/: a committee's internal control is read and changed as its goals."""
    by_code = lambda kind, **kw: [  # noqa: E731
        Case({"code": c, **kw}, kind, SEES_COMMITTEE[c], EDITS_COMMITTEE[c]) for c in ("UN", "SN")
    ]
    by_pk = lambda kind, objs: [  # noqa: E731
        Case({"pk": objs[c].pk}, kind, SEES_COMMITTEE[c], EDITS_COMMITTEE[c]) for c in ("UN", "SN")
    ]
    return {
        "ic_overview": [Case({}, "login")],
        "ic_committee": by_code("view", year=2026),
        "ic_plan": by_code("view", year=2026),
        "ic_risk_create": by_code("edit", year=2026),
        "ic_risk_carry": by_code("edit_post_only", year=2026),
        "ic_control_create": by_code("edit", year=2025),
        "ic_results": by_code("view", occasion_id=ic["occasion"].pk),
        "ic_risk_detail": by_pk("view", ic["risk"]),
        "ic_risk_edit": by_pk("edit", ic["risk"]),
        "ic_control_edit": by_pk("edit", ic["control"]),
        "ic_result_edit": [
            Case(
                {"control_id": ic["control"][c].pk, "occasion_id": ic["t1_2025"].pk},
                "edit",
                SEES_COMMITTEE[c],
                EDITS_COMMITTEE[c],
            )
            for c in ("UN", "SN")
        ],
    }


def _expected(case: Case, persona: str) -> set[int]:
    if case.kind == "public":
        return {200}
    if case.kind == "absent":
        return {404}
    if case.kind == "open":
        return {200} if django_settings.PUBLIC_PAGES else {404}
    if case.kind == "login_page":
        return {200} if persona == "anonymous" else {302}
    if case.kind == "logout":
        return {405}  # logging out takes a POST (a form button), never a link
    if persona == "anonymous":
        return {302}
    if case.kind == "login":
        return {200}
    if case.kind == "editor":
        return {200} if persona in EDITORS else {403}
    if case.kind == "reviewer":
        return {200} if persona in REVIEWERS else {403}
    if case.kind == "reviewer_post_only":
        return {405} if persona in REVIEWERS else {403}
    if case.kind == "orderer_post_only":
        return {405} if persona in REPORT_ORDERERS else {403}
    sees = persona in case.who
    if case.kind == "review":
        return {200} if sees and persona in REVIEWERS else ({403} if sees else {404})
    if case.kind == "post_only_view":
        return {405} if sees else {404}
    if case.kind == "view":
        return {200} if sees else {404}
    if case.kind == "redirect_view":
        return {302} if sees else {404}
    edits = persona in case.editors
    if case.kind == "edit":
        return {200} if edits else ({403} if sees else {404})
    if case.kind == "edit_post_only":
        return {405} if edits else ({403} if sees else {404})
    raise AssertionError(case.kind)


def _patterns(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield namespace, p


def _project_names():
    return sorted({p.name or str(p.pattern) for ns, p in _patterns() if ns is None})


def test_every_url_pattern_has_a_case():
    names = _project_names()
    unnamed = [n for n in names if "/" in n or "<" in n]
    assert not unnamed, f"URL patterns without a name: {unnamed}"
    known = set(_cases(_ids()))
    missing = [n for n in names if n not in known]
    assert not missing, f"add expectations for these URL patterns to _cases(): {missing}"
    stale = sorted(known - set(names))
    assert not stale, f"cases for URL patterns that no longer exist: {stale}"


def _client(persona, users) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(users[persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_project_urls_answer_as_expected_for_persona(persona, users, settings):
    settings.PUBLIC_PAGES = True  # the open pages' cases expect 200; off, see the next test
    cases = _cases(_ids())
    client = _client(persona, users)
    wrong = []
    for name, name_cases in cases.items():
        for case in name_cases:
            url = reverse(name, kwargs=case.kwargs)
            status = client.get(url).status_code
            expected = _expected(case, persona)
            if status not in expected:
                wrong.append(f"{url} ({name}): {status}, expected {sorted(expected)}")
            if persona == "anonymous" and status == 302 and case.kind not in ("login_page",):
                location = client.get(url)["Location"]
                if not location.startswith("/accounts/login/"):
                    wrong.append(f"{url}: anonymous redirected to {location}, not to login")
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("persona", PERSONAS)
def test_open_pages_follow_the_setting_for_persona(persona, users, settings):
    """With PUBLIC_PAGES off (the default) every open page answers 404, to everyone."""
    assert django_settings.PUBLIC_PAGES is False
    client = _client(persona, users)
    open_cases = [(n, c) for n, cs in _cases(_ids()).items() for c in cs if c.kind == "open"]
    assert open_cases
    wrong = [
        f"{url}: {status}"
        for url, status in (
            (url, client.get(url).status_code)
            for url in (reverse(name, kwargs=case.kwargs) for name, case in open_cases)
        )
        if status != 404
    ]
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)


def _admin_url(name: str, pattern: URLPattern) -> str:
    """Reverse an admin URL with a real object of the model it belongs to."""
    _ns, _, short = name.partition(":")
    registered = sorted(
        admin.site._registry,
        key=lambda m: -len(f"{m._meta.app_label}_{m._meta.model_name}"),
    )
    model = next(
        (m for m in registered if short.startswith(f"{m._meta.app_label}_{m._meta.model_name}_")),
        DirectionGoal,
    )
    obj = model._default_manager.order_by("pk").first()
    object_id = str(obj.pk) if obj else "1"
    regex = pattern.pattern.regex
    if regex.groups and not regex.groupindex:
        # simple-history's re_path: <object_id>/history/<history_id>/
        record = obj.history.order_by("pk").first() if hasattr(obj, "history") else None
        return reverse(name, args=[object_id, str(record.pk if record else 1)])
    kwargs = {}
    for key in regex.groupindex:
        if key == "app_label":
            kwargs[key] = "goals"
        elif key == "content_type_id":
            kwargs[key] = ContentType.objects.get_for_model(DirectionGoal).pk
        elif key in ("object_id", "id"):
            kwargs[key] = object_id
        else:
            raise AssertionError(f"no argument known for {key} in {name}")
    return reverse(name, kwargs=kwargs)


def _admin_urls():
    return [
        (f"admin:{p.name}", _admin_url(f"admin:{p.name}", p))
        for ns, p in _patterns()
        if ns == "admin" and p.name
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_urls_only_open_to_staff(persona, users):
    client = _client(persona, users)
    wrong = []
    for name, url in _admin_urls():
        response = client.get(url)
        if persona == "admin":
            # Logging out takes a POST; the autocomplete endpoint refuses a call without
            # its field parameters. Everything else opens (or redirects within the admin).
            # The demo's first indicator and outcome belong to published follow-up, which is
            # final: the admin refuses to delete them.
            allowed = {
                "admin:logout": 405,
                "admin:autocomplete": 403,
                "admin:goals_indicator_delete": 403,
                "admin:goals_measurement_delete": 403,
            }
            if name.startswith("admin:goals_auditentry_") and name.endswith(("_add", "_delete")):
                allowed[name] = 403  # the audit log is read-only
            if name.startswith("admin:quality_indicatormove_") and name.endswith(
                ("_add", "_delete")
            ):
                allowed[name] = 403  # moves are made and reversed on the quality pages
            if name.startswith("admin:goals_referencevalue_") and "history" in name:
                allowed[name] = 404  # the demo has no Riket values to show the history of
            if name.startswith("admin:axes_") and name.endswith("_add"):
                allowed[name] = 403  # login records are written by django-axes, not by hand
            if name.startswith("admin:django_tasks_database_") and name.endswith(
                ("_add", "_delete")
            ):
                allowed[name] = 403  # task results are written by the task backend only
            if name.startswith("admin:identity_") and "history" in name:
                allowed[name] = 404  # the demo signs in with passwords: no mappings, no links
            if name == "admin:identity_externalidentity_add":
                allowed[name] = 403  # links to the identity provider are made by signing in
            if name.endswith("_process_import"):
                allowed[name] = 405  # the second step of an admin import is a POST
            if response.status_code >= 400 and allowed.get(name) != response.status_code:
                wrong.append(f"{url} ({name}): {response.status_code}")
        elif name == "admin:logout":
            if response.status_code != 302:  # back to the admin, i.e. to its login
                wrong.append(f"{url}: {response.status_code}")
        elif name == "admin:login":
            if response.status_code != 200:
                wrong.append(f"{url}: {response.status_code}")
        elif response.status_code != 302 or not response["Location"].startswith("/admin/login/"):
            wrong.append(f"{url} ({name}): {response.status_code} {response.get('Location')}")
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)
