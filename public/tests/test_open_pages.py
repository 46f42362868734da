"""The open pages for residents (/oppet/): off by default, anonymous when on, only what is
published, cached per publication, rate-limited, with open data in the export's columns."""

import csv
import datetime
import io
import json
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from goals import cycle
from goals.models import (
    DirectionGoal,
    GoalAssessment,
    Indicator,
    Measurement,
    OrgUnit,
    PublishedFollowUp,
    ReportingOccasion,
    StrategicArea,
    Submission,
)
from goals.templatetags.styr import sv_number
from internal_control.models import Risk
from quality.models import Deviation

pytestmark = pytest.mark.django_db

PAGES = [
    "/oppet/",
    "/oppet/styrmodell/",
    "/oppet/namnd/SN/",
    "/oppet/maluppfyllelse/",
    "/oppet/rapporter/",
    "/oppet/data/",
    "/oppet/data/inriktningsmal.csv",
    "/oppet/data/inriktningsmal.json",
    "/oppet/data/utfall.csv",
    "/oppet/data/utfall.json",
]
GOAL_COLUMNS = [
    "kod",
    "nämnd",
    "strategiområde",
    "inriktningsmål",
    "beskrivning",
    "övergripande mål",
    "strategier",
    "gäller från",
    "gäller till",
    "arkiverat",
]
OUTCOME_COLUMNS = ["indikator", "år", "tillfälle", "utfall", "kommentar", "källa"]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def open_pages(settings):
    settings.PUBLIC_PAGES = True
    return settings


def _tertial():
    return ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")


def _annual_2025():
    return ReportingOccasion.objects.get(plan_year__year=2025, kind="annual_report")


def _sn_published_outcome():
    """A goal and an indicator outcome of SN's published Verksamhetsberättelse 2025."""
    record = PublishedFollowUp.objects.get(
        submission__occasion=_annual_2025(), submission__org_unit__code="SN"
    )
    for goal in record.data["goals"]:
        for indicator in goal["followup_indicators"]:
            if indicator["outcome"]:
                return goal, indicator
    raise AssertionError("the demo's SN annual report has no published outcome")


# --- on and off -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [None, "admin", "namnd", "politiker"])
def test_with_public_pages_off_every_open_url_answers_404(settings, users, persona):
    assert settings.PUBLIC_PAGES is False  # the default
    client = Client()
    if persona:
        client.force_login(users[persona])
    for url in PAGES + ["/oppet/namnd/UN/", "/oppet/maluppfyllelse/?tillfalle=1"]:
        assert client.get(url).status_code == 404, url


def test_anonymous_visitor_reads_every_open_page_in_swedish_without_the_staff_menu(open_pages):
    client = Client()
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith("/"):
            html = response.content.decode()
            assert '<html lang="sv">' in html
            assert "Huvudmeny" not in html and "Logga ut" not in html
            assert 'aria-label="Öppna sidor"' in html
            # Linked to the machine-readable data from every page.
            assert reverse("public_data") in html
            assert "Set-Cookie" not in response.headers


def test_a_logged_in_visitor_gets_the_same_anonymous_page(open_pages, users):
    client = Client()
    client.force_login(users["klk"])
    response = client.get("/oppet/namnd/SN/")
    html = response.content.decode()
    assert "Logga ut" not in html and "Huvudmeny" not in html
    # Its answer renews the session cookie, so no shared cache may keep it.
    assert response["Cache-Control"].startswith("private")
    assert Client().get("/oppet/namnd/SN/")["Cache-Control"].startswith("public")


def test_unknown_committee_occasion_or_area_answers_404(open_pages):
    client = Client()
    un_tertial = _tertial()  # UN has not published its tertial report
    assert client.get("/oppet/namnd/FINNS-EJ/").status_code == 404
    assert client.get(f"/oppet/namnd/UN/?tillfalle={un_tertial.pk}").status_code == 404
    assert client.get("/oppet/namnd/UN/?tillfalle=abc").status_code == 404
    assert client.get("/oppet/maluppfyllelse/?omrade=99").status_code == 404
    interim = ReportingOccasion.objects.get(plan_year__year=2026, kind="interim_report")
    assert client.get(f"/oppet/maluppfyllelse/?tillfalle={interim.pk}").status_code == 404
    assert client.get("/oppet/data/hemligt.csv").status_code == 404
    assert client.get("/oppet/data/utfall.xml").status_code == 404


# --- what is shown --------------------------------------------------------------------------


def test_committee_page_shows_the_published_goals_targets_outcomes_and_assessments(open_pages):
    goal, indicator = _sn_published_outcome()
    html = Client().get(f"/oppet/namnd/SN/?tillfalle={_annual_2025().pk}").content.decode()
    assert goal["title"] in html
    assert indicator["name"] in html
    assert sv_number(indicator["outcome"]["value"]) in html
    if indicator["year_target"]:
        assert sv_number(indicator["year_target"]["value"]) in html
    assert "Verksamhetsberättelse 2025" in html
    assert re.search(r"Bedömning: <span class=\"assessment assessment--\w+\">", html)


def test_a_goal_changed_after_publication_shows_as_published(open_pages):
    goal, _indicator = _sn_published_outcome()
    DirectionGoal.objects.filter(pk=goal["pk"]).update(title="Omskrivet efteråt UTKAST-TITEL")
    client = Client()
    occasion = _annual_2025().pk
    for url in (
        f"/oppet/namnd/SN/?tillfalle={occasion}",
        f"/oppet/maluppfyllelse/?tillfalle={occasion}",
    ):
        html = client.get(url).content.decode()
        assert goal["title"] in html, url
        assert "UTKAST-TITEL" not in html, url


def test_overview_counts_only_published_committees(open_pages):
    html = Client().get(f"/oppet/maluppfyllelse/?tillfalle={_tertial().pk}").content.decode()
    # At Tertialrapport 1 2026 KS, SN and KFN have published; MHN and BN are approved, FN is
    # in review: they are not counted, not even named.
    for name in ("Kommunstyrelsen", "Socialnämnden", "Kultur- och fritidsnämnden"):
        assert name in html
    for code in ("MHN", "BN", "FN"):
        name = OrgUnit.objects.get(code=code).name
        assert name not in html
    assert "Räknat på de 3 nämnder" in html


# --- the marker test: nothing unpublished on any open page -----------------------------------

MARKERS = {
    "draft": "MARKÖR-UTKAST-7f3a",
    "review": "MARKÖR-GRANSKNING-91bc",
    "approved": "MARKÖR-GODKÄND-44de",
    "comment": "MARKÖR-KOMMENTAR-c0de",
    "staff_first": "Markörförnamn",
    "staff_last": "Markörefternamnsson",
    "deviation": "MARKÖR-AVVIKELSE-5e5e",
    "new_goal": "MARKÖR-NYTT-MÅL-0a0a",
    "live_outcome": "MARKÖR-UTFALL-EFTERÅT-6b6b",
    "unpublished_outcome": "MARKÖR-UTFALL-OPUBLICERAT-2c2c",
    "return_reason": "MARKÖR-ÅTERLÄMNAD-8d8d",
    "risk": "MARKÖR-RISK-3e3e",
}


def _create_unpublished_markers(users):
    tertial = _tertial()
    interim = ReportingOccasion.objects.get(plan_year__year=2026, kind="interim_report")
    klk, namnd = users["klk"], users["namnd"]
    # Staff with marker names; klk reviews, approves and publishes below, so the frozen record
    # of FN's follow-up holds the name in its events and on its review comment.
    for user in (klk, namnd):
        user.first_name, user.last_name = MARKERS["staff_first"], MARKERS["staff_last"]
        user.save()
    un, sn, mhn, fn = (OrgUnit.objects.get(code=c) for c in ("UN", "SN", "MHN", "FN"))
    # A draft (UN's Delårsrapport) with an assessment and an outcome.
    draft = Submission.objects.create(occasion=interim, org_unit=un)
    un_goal = DirectionGoal.objects.filter(committee=un).order_by("code").first()
    GoalAssessment.objects.create(
        submission=draft,
        direction_goal=un_goal,
        level="fulfilled",
        justification=MARKERS["draft"],
        comment=MARKERS["draft"],
    )
    un_indicator = Indicator.objects.filter(direction_goal=un_goal).first()
    Measurement.objects.update_or_create(
        indicator=un_indicator,
        occasion=interim,
        defaults={"value": 987654.25, "comment": MARKERS["unpublished_outcome"]},
    )
    # A follow-up in review (SN's Delårsrapport is submitted in the demo).
    in_review = Submission.objects.get(occasion=interim, org_unit=sn)
    sn_goal = DirectionGoal.objects.filter(committee=sn).order_by("code").first()
    GoalAssessment.objects.update_or_create(
        submission=in_review,
        direction_goal=sn_goal,
        defaults={"level": "partly", "justification": MARKERS["review"]},
    )
    cycle.comment_add(submission=in_review, user=klk, text=MARKERS["comment"])
    # Approved, not yet published (MHN's Tertialrapport 1).
    approved = Submission.objects.get(occasion=tertial, org_unit=mhn)
    GoalAssessment.objects.filter(submission=approved).update(justification=MARKERS["approved"])
    # FN's Tertialrapport 1: commented in review, returned with a reason, handed in again,
    # approved and published. Its frozen record holds the comment, the reason and klk's name;
    # the open pages read none of them.
    fn_sub = Submission.objects.get(occasion=tertial, org_unit=fn)
    cycle.comment_add(submission=fn_sub, user=klk, text=MARKERS["comment"])
    cycle.submission_return(submission=fn_sub, user=klk, reason=MARKERS["return_reason"])
    fn_sub.refresh_from_db()
    fn_sub.state = Submission.State.SUBMITTED  # handed in again (the editor's step)
    fn_sub.save(update_fields=["state"])
    for comment in fn_sub.comments.all():
        cycle.comment_resolve(comment=comment, user=klk)
    cycle.submission_approve(submission=fn_sub, user=klk)
    cycle.submission_publish(submission=fn_sub, user=klk)
    # A quality deviation.
    Deviation.objects.create(
        org_unit=sn,
        occurred_on=datetime.date(2026, 3, 1),
        title=MARKERS["deviation"],
        description=MARKERS["deviation"],
        reported_by=namnd,
    )
    # A risk in a committee's risk analysis (internal control is never open).
    Risk.objects.create(
        committee=sn,
        plan_year=interim.plan_year,
        title=MARKERS["risk"],
        description=MARKERS["risk"],
        reasoning=MARKERS["risk"],
        probability=4,
        consequence=4,
        decision=Risk.Decision.CONTROL_PLAN,
    )
    # A goal that no published follow-up holds (written today, not yet followed up).
    DirectionGoal.objects.create(
        committee=un,
        strategic_area=StrategicArea.objects.get(number=1),
        code="UN-MARK-1",
        title=MARKERS["new_goal"],
        description=MARKERS["new_goal"],
        valid_from=2026,
        valid_to=2026,
    )
    # An outcome of a published occasion changed live after it was published.
    published_outcome = Measurement.objects.get(
        occasion=_annual_2025(), indicator__code=_sn_published_outcome()[1]["code"]
    )
    Measurement.objects.filter(pk=published_outcome.pk).update(comment=MARKERS["live_outcome"])
    return fn_sub


def _crawl(client) -> dict[str, str]:
    """Every page reachable from /oppet/ by links that stay within /oppet/: {url: text}."""
    seen: dict[str, str] = {}
    queue = ["/oppet/"]
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        text = response.content.decode("utf-8-sig")
        seen[url] = text
        if "html" not in response["Content-Type"]:
            continue
        for href in re.findall(r'href="([^"]+)"', text):
            href = href.replace("&amp;", "&")
            absolute = urljoin(url, href)
            parts = urlsplit(absolute)
            if parts.netloc or not parts.path.startswith("/oppet/"):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen and target not in queue:
                queue.append(target)
        assert len(seen) < 400, "the crawl does not end"
    return seen


def test_no_unpublished_marker_appears_on_any_open_page(open_pages, users):
    fn_sub = _create_unpublished_markers(users)
    record = PublishedFollowUp.objects.get(submission=fn_sub)
    stored = json.dumps(record.data, ensure_ascii=False)
    # The frozen record does hold them: the pages must leave them out, not find them absent.
    for key in ("comment", "return_reason", "staff_last"):
        assert MARKERS[key] in stored, key

    pages = _crawl(Client())

    names = set()
    for url in pages:
        from django.urls import resolve

        names.add(resolve(urlsplit(url).path).url_name)
    assert names == {
        "public_start",
        "public_steering_model",
        "public_committee",
        "public_goal_fulfilment",
        "public_reports",
        "public_data",
        "public_data_file",
    }, names
    found = [
        f"{url}: {key} ({marker})"
        for url, text in pages.items()
        for key, marker in MARKERS.items()
        if marker.lower() in text.lower()
    ]
    assert not found, "unpublished content on the open pages:\n" + "\n".join(found)

    # Not vacuous: what was published is there, FN's newly published follow-up included.
    everything = "\n".join(pages.values())
    goal, indicator = _sn_published_outcome()
    assert goal["title"] in everything
    assert sv_number(indicator["outcome"]["value"]) in everything
    fn_goal = record.data["goals"][0]
    assert fn_goal["title"] in everything
    assert "Fastighetsnämnden" in everything or OrgUnit.objects.get(code="FN").name in everything
    assert any(u.startswith("/oppet/namnd/FN/") for u in pages)


# --- cache and rate limit -------------------------------------------------------------------


def test_pages_are_cached_until_something_new_is_published(
    open_pages, users, django_assert_max_num_queries
):
    client = Client()
    url = f"/oppet/maluppfyllelse/?tillfalle={_tertial().pk}"
    first = client.get(url)
    assert first["Cache-Control"].startswith("public")
    # Once rendered, a page costs the publication stamp's queries only.
    with django_assert_max_num_queries(2):
        again = client.get(url)
    assert again.content == first.content
    # A change that publishes nothing waits for the cache to expire ...
    fn = OrgUnit.objects.get(code="FN")
    assert fn.name not in first.content.decode()
    fn_sub = Submission.objects.get(occasion=_tertial(), org_unit=fn)
    cycle.submission_approve(submission=fn_sub, user=users["klk"])
    assert client.get(url).content == first.content
    # ... a publication shows at once.
    cycle.submission_publish(submission=fn_sub, user=users["klk"])
    assert fn.name in client.get(url).content.decode()


def test_too_many_requests_from_one_address_get_a_swedish_429(open_pages):
    open_pages.PUBLIC_RATE_LIMIT_PER_MINUTE = 3
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(3):
        assert client.get("/oppet/").status_code == 200
    refused = client.get("/oppet/styrmodell/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    html = refused.content.decode()
    assert "För många förfrågningar" in html and "Vänta" in html
    # Another address is not held back by the first one.
    assert Client(REMOTE_ADDR="198.51.100.8").get("/oppet/").status_code == 200


def test_behind_a_proxy_the_forwarded_address_is_counted(open_pages):
    open_pages.PUBLIC_RATE_LIMIT_PER_MINUTE = 2
    open_pages.AXES_IPWARE_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for visitor in ("203.0.113.1", "203.0.113.2"):
        client = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=visitor)
        assert client.get("/oppet/").status_code == 200
        assert client.get("/oppet/").status_code == 200
    blocked = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert blocked.get("/oppet/").status_code == 429


# --- open data ------------------------------------------------------------------------------


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_open_data_has_the_columns_of_the_staff_export(open_pages, client_for):
    anonymous = Client()
    staff = client_for("admin")
    for kind, staff_kind, columns in (
        ("inriktningsmal", "mal", GOAL_COLUMNS),
        ("utfall", "utfall", OUTCOME_COLUMNS),
    ):
        rows = _csv(anonymous, f"/oppet/data/{kind}.csv")
        assert rows[0] == columns
        # The staff's export ends with each versioned row's version, for their own imports.
        staff_columns = _csv(staff, f"/export/{staff_kind}.csv")[0]
        versioned = kind == "inriktningsmal"
        assert staff_columns == (columns + ["version"] if versioned else columns)
        data = json.loads(anonymous.get(f"/oppet/data/{kind}.json").content)
        assert data and all(list(row) == columns for row in data)
        assert len(data) == len(rows) - 1


def test_open_data_holds_published_goals_and_outcomes_only(open_pages, users):
    _create_unpublished_markers(users)
    client = Client()
    goals = _csv(client, "/oppet/data/inriktningsmal.csv")
    codes = {row[0] for row in goals[1:]}
    assert "UN-MARK-1" not in codes
    published = {
        g["code"]
        for r in PublishedFollowUp.objects.filter(submission__org_unit__kind="committee")
        for g in r.data["goals"]
    }
    assert codes == published
    goal, indicator = _sn_published_outcome()
    outcomes = json.loads(client.get("/oppet/data/utfall.json").content)
    mine = [
        o
        for o in outcomes
        if o["indikator"] == indicator["code"] and o["tillfälle"] == "Verksamhetsberättelse"
    ]
    assert len(mine) == 1
    assert mine[0]["utfall"] == float(indicator["outcome"]["value"])
    assert mine[0]["kommentar"] == indicator["outcome"]["comment"]
    assert mine[0]["år"] == 2025
    text = json.dumps(outcomes, ensure_ascii=False)
    assert MARKERS["live_outcome"] not in text
    assert MARKERS["unpublished_outcome"] not in text
    assert not any(o["tillfälle"] == "Delårsrapport" for o in outcomes)


# --- published reports ----------------------------------------------------------------------


def _stored_report(code: str, occasion, *, published: bool, marker: str):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from reporting.models import GeneratedReport, sha256_bytes

    pdf = f"%PDF-1.7 {marker}".encode()
    report = GeneratedReport(
        kind=GeneratedReport.Kind.COMMITTEE,
        occasion=occasion,
        org_unit=OrgUnit.objects.get(code=code),
        version=1,
        content_hash=sha256_bytes(pdf),
        status=GeneratedReport.Status.DONE,
        sha256=sha256_bytes(pdf),
        size=len(pdf),
        pages=7,
        published=published,
        title=marker,
        finished_at=timezone.now(),
    )
    report.file.save("report.pdf", ContentFile(pdf), save=False)
    report.save()
    return report


def test_published_reports_are_listed_and_downloadable_drafts_never(open_pages):
    open_pages.REPORTS_PUBLIC = True
    published = _stored_report("SN", _tertial(), published=True, marker="publicerad-rapport")
    draft = _stored_report("MHN", _tertial(), published=False, marker="UTKAST-RAPPORT")
    client = Client()
    html = client.get("/oppet/rapporter/").content.decode()
    download = reverse("report_download", args=[published.pk])
    assert download in html
    assert "Tertialrapport 1 2026" in html and "Socialnämnden" in html
    assert reverse("report_download", args=[draft.pk]) not in html
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # The draft stays closed to an anonymous visitor (sent to log in).
    assert client.get(reverse("report_download", args=[draft.pk])).status_code == 302


def test_without_reports_public_the_open_pages_list_no_reports(open_pages):
    open_pages.REPORTS_PUBLIC = False
    published = _stored_report("SN", _tertial(), published=True, marker="publicerad-rapport")
    html = Client().get("/oppet/rapporter/").content.decode()
    assert reverse("report_download", args=[published.pk]) not in html
    assert "inga publicerade rapporter" in html


@pytest.mark.parametrize(
    ("url", "most"),
    [
        ("/oppet/", 8),
        ("/oppet/styrmodell/", 8),
        ("/oppet/namnd/SN/", 6),
        ("/oppet/maluppfyllelse/", 12),
        ("/oppet/rapporter/", 4),
        ("/oppet/data/", 3),
        ("/oppet/data/inriktningsmal.csv", 10),
        ("/oppet/data/utfall.json", 10),
    ],
)
def test_open_pages_render_in_a_fixed_number_of_queries(
    open_pages, url, most, django_assert_max_num_queries
):
    open_pages.REPORTS_PUBLIC = True
    _stored_report("SN", _tertial(), published=True, marker="publicerad-rapport")
    _stored_report("KS", _tertial(), published=True, marker="publicerad-rapport-2")
    with django_assert_max_num_queries(most):
        assert Client().get(url).status_code == 200


def test_unknown_query_parameters_share_the_cached_page(open_pages, django_assert_max_num_queries):
    client = Client()
    first = client.get("/oppet/")
    with django_assert_max_num_queries(2):
        again = client.get("/oppet/?utm_source=nyhetsbrev&x=1")
    assert again.status_code == 200 and again.content == first.content
