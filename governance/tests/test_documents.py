"""Governing documents: who sees and changes them, Att revidera, PDF uploads, history, 409."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from goals.models import DirectionGoal, OrgUnit
from governance.models import GoverningDocument

from .conftest import stored_files

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def document(title="Riktlinje för skolskjuts", owner="UN", **values) -> GoverningDocument:
    defaults = {
        "kind": GoverningDocument.Kind.GUIDELINE,
        "level": GoverningDocument.Level.MUNICIPAL,
        "decided_by": "Utbildningsnämnden",
        "decided_on": datetime.date(2024, 5, 13),
        "link": "https://www.danderyd.se/",
        "owning_unit": OrgUnit.objects.get(code=owner),
    }
    defaults.update(values)
    return GoverningDocument.objects.create(title=title, **defaults)


def form_data(**overrides) -> dict:
    data = {
        "version": "0",
        "title": "Riktlinje för skolskjuts",
        "kind": "riktlinje",
        "level": "kommunal",
        "decided_by": "Utbildningsnämnden",
        "decided_on": "2024-05-13",
        "next_review_on": "2027-05-31",
        "link": "https://www.danderyd.se/",
        "owning_unit": str(OrgUnit.objects.get(code="UN").pk),
    }
    data.update(overrides)
    return data


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "detail", "edit"),
    [
        ("admin", 200, 200),
        ("namnd", 200, 200),  # editor of the owning committee
        ("enhet", 200, 403),  # a unit head below it reads
        ("klk", 200, 403),  # reviewer
        ("politiker", 200, 403),  # reader
        ("outsider", 404, 404),
    ],
)
def test_who_sees_and_who_edits_a_committees_document(client_for, persona, detail, edit):
    doc = document()
    client = client_for(persona)
    assert client.get(doc.get_absolute_url()).status_code == detail
    assert client.get(reverse("governance:document_edit", args=[doc.pk])).status_code == edit
    response = client.post(
        reverse("governance:document_edit", args=[doc.pk]), form_data(version="1", title="X")
    )
    assert response.status_code == (302 if edit == 200 else edit)
    doc.refresh_from_db()
    assert (doc.title == "X") == (edit == 200)


def test_another_committees_document_is_not_found_and_not_listed(client_for):
    doc = document(title="Riktlinje för försörjningsstöd", owner="SN", decided_by="Socialnämnden")
    client = client_for("namnd")
    assert client.get(doc.get_absolute_url()).status_code == 404
    listed = client.get(reverse("governance:document_list")).content.decode()
    assert "Riktlinje för försörjningsstöd" not in listed
    assert "Skollagen (2010:800)" in listed
    # Linked to Utbildningsnämnden, it is seen there too.
    doc.units.add(OrgUnit.objects.get(code="UN"))
    assert client.get(doc.get_absolute_url()).status_code == 200


def test_a_document_linked_to_a_goal_is_seen_by_whoever_sees_the_goal(client_for):
    """Owned by Socialnämnden but resting under an Utbildningsnämnden goal: listed on the
    goal's page and opened from there by those who see the goal, still 404 to others."""
    doc = document(title="Riktlinje för elevhälsans samverkan", owner="SN")
    goal = DirectionGoal.objects.get(code="UN-HK-2")
    doc.direction_goals.add(goal)
    for persona in ("namnd", "enhet"):
        client = client_for(persona)
        page = client.get(goal.get_absolute_url()).content.decode()
        assert "Riktlinje för elevhälsans samverkan" in page, persona
        assert client.get(doc.get_absolute_url()).status_code == 200, persona
        assert client.get(reverse("governance:document_edit", args=[doc.pk])).status_code == 403
    assert client_for("outsider").get(doc.get_absolute_url()).status_code == 404


def test_readers_and_outsiders_cannot_create(client_for):
    url = reverse("governance:document_create")
    assert client_for("politiker").get(url).status_code == 403
    assert client_for("outsider").get(url).status_code == 404
    assert client_for("namnd").get(url).status_code == 200


def test_list_filters_by_kind_level_unit_and_title(client_for):
    client = client_for("politiker")
    url = reverse("governance:document_list")
    laws = client.get(url, {"typ": "lag"}).context["documents"]
    assert {d.title for d in laws} >= {"Skollagen (2010:800)", "Kommunallagen (2017:725)"}
    assert all(d.kind == "lag" for d in laws)
    municipal = client.get(url, {"niva": "kommunal"}).context["documents"]
    assert municipal and all(d.level == "kommunal" for d in municipal)
    un = client.get(url, {"enhet": "UN"}).context["documents"]
    assert "Skollagen (2010:800)" in {d.title for d in un}
    assert "Lag (1993:387) om stöd och service till vissa funktionshindrade" not in {
        d.title for d in un
    }
    found = client.get(url, {"q": "kommunal"}).context["documents"]
    assert [d.title for d in found] == ["Kommunallagen (2017:725)"]
    found = client.get(url, {"q": "ÄLDREOMSORGEN"}).context["documents"]
    assert [d.title for d in found] == ["Riktlinje för biståndsbedömning inom äldreomsorgen"]
    # Unknown values are ignored, not errors.
    assert client.get(url, {"typ": "x", "niva": "'", "enhet": "\x00"}).status_code == 200


# --- Att revidera -------------------------------------------------------------------------------


def test_review_list_shows_late_and_near_ones_by_date(client_for):
    today = timezone.localdate()
    document(title="Sen plan", next_review_on=today - datetime.timedelta(days=10))
    document(title="Nära policy", next_review_on=today + datetime.timedelta(days=30))
    document(title="Avlägsen taxa", next_review_on=today + datetime.timedelta(days=200))
    client = client_for("namnd")
    url = reverse("governance:documents_review")
    response = client.get(url)
    titles = [row.document.title for row in response.context["rows"]]
    assert "Sen plan" in titles and "Nära policy" in titles and "Avlägsen taxa" not in titles
    dates = [row.document.next_review_on for row in response.context["rows"]]
    assert dates == sorted(dates)
    rows = response.content.decode().split("<tr")
    late_row = next(r for r in rows if "Sen plan" in r)
    assert "⚠</span> Försenad" in late_row and "10 dagar sedan" in late_row  # not colour alone
    near_row = next(r for r in rows if "Nära policy" in r)
    assert "Försenad" not in near_row and "Om 30 dagar" in near_row
    wider = client.get(url, {"dagar": "365"}).context["rows"]
    assert "Avlägsen taxa" in [row.document.title for row in wider]
    narrower = client.get(url, {"dagar": "0"}).context["rows"]
    mine = {"Sen plan", "Nära policy", "Avlägsen taxa"}
    assert [r.document.title for r in narrower if r.document.title in mine] == ["Sen plan"]


def test_review_list_names_municipal_documents_without_a_review_date(client_for):
    document(title="Plan utan datum", next_review_on=None)
    document(title="Lag utan datum", level=GoverningDocument.Level.STATE, next_review_on=None)
    page = client_for("namnd").get(reverse("governance:documents_review"))
    assert [d.title for d in page.context["without_date"]] == ["Plan utan datum"]
    assert "utan revideringsdatum" in page.content.decode()


@pytest.mark.parametrize("bad", ["abc", "-5", "1,5", "99999999999999", "\x00", "٣"])
def test_review_list_refuses_bad_days_in_swedish(client_for, bad):
    response = client_for("namnd").get(reverse("governance:documents_review"), {"dagar": bad})
    assert response.status_code == 400
    assert "Antal dagar ska vara ett heltal mellan 0 och 3650." in response.content.decode()


def test_review_list_is_for_those_with_a_role(client_for):
    assert client_for("outsider").get(reverse("governance:documents_review")).status_code == 404


# --- uploads ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("beslut.docx", PDF, "är inte en PDF"),
        ("beslut.pdf", b"PK\x03\x04 not a pdf", "heter .pdf men är ingen PDF"),
        ("beslut", PDF, "är inte en PDF"),
    ],
)
def test_an_upload_that_is_not_a_pdf_is_refused_and_nothing_stored(
    client_for, media_root, name, content, message
):
    before = GoverningDocument.objects.count()
    data = form_data(link="", upload=SimpleUploadedFile(name, content))
    response = client_for("namnd").post(reverse("governance:document_create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    error = html[html.index('id="id_upload_fel"') :][:300]
    assert message in error  # under the field it is about
    assert "Formuläret har fel" in html and 'href="#id_upload"' in html  # and in the summary
    assert 'value="Riktlinje för skolskjuts"' in html  # what was typed is kept
    assert GoverningDocument.objects.count() == before
    assert stored_files(media_root) == []


def test_a_too_large_pdf_is_refused_by_the_setting(client_for, media_root, settings):
    settings.GOVERNING_DOCUMENT_MAX_MB = 1
    big = SimpleUploadedFile("stor.pdf", PDF + b"0" * (1024 * 1024))
    response = client_for("namnd").post(
        reverse("governance:document_create"), form_data(link="", upload=big)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Största tillåtna storlek är 1 MB" in html[html.index('id="id_upload_fel"') :][:300]
    assert not GoverningDocument.objects.filter(title="Riktlinje för skolskjuts").exists()
    assert stored_files(media_root) == []


def test_a_link_or_a_file_is_needed_and_only_http(client_for, media_root):
    client = client_for("namnd")
    url = reverse("governance:document_create")
    html = client.post(url, form_data(link="")).content.decode()
    assert "Ange en länk eller ladda upp dokumentet som PDF." in html
    html = client.post(url, form_data(link="javascript:alert(1)")).content.decode()
    assert "börjar med https:// eller http://" in html
    html = client.post(url, form_data(link="ftp://example.se/a.pdf")).content.decode()
    assert "börjar med https:// eller http://" in html
    assert not GoverningDocument.objects.filter(title="Riktlinje för skolskjuts").exists()


def test_an_accepted_pdf_is_downloaded_only_by_those_who_see_the_document(
    client_for, media_root, client
):
    response = client_for("namnd").post(
        reverse("governance:document_create"),
        form_data(link="", upload=SimpleUploadedFile("Riktlinje skolskjuts.PDF", PDF)),
    )
    assert response.status_code == 302
    doc = GoverningDocument.objects.get(title="Riktlinje för skolskjuts")
    files = stored_files(media_root)
    assert len(files) == 1 and files[0].parts[0] == "styrdokument"
    assert "skolskjuts" not in str(files[0])  # stored under a name of its own
    url = reverse("governance:document_file", args=[doc.pk])
    for persona in ("namnd", "enhet", "politiker"):
        got = client_for(persona).get(url)
        assert got.status_code == 200, persona
        assert b"".join(got.streaming_content) == PDF
        assert got["Content-Type"] == "application/pdf"
        assert "Riktlinje skolskjuts.PDF" in got["Content-Disposition"]
    assert client_for("outsider").get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    # Nothing under MEDIA_URL serves it.
    assert client_for("admin").get(f"/media/{files[0].as_posix()}").status_code == 404


def test_a_document_without_a_file_has_no_download(client_for):
    doc = document()
    assert (
        client_for("namnd").get(reverse("governance:document_file", args=[doc.pk])).status_code
        == 404
    )


def test_hostile_input_gets_swedish_errors_never_a_server_error(client_for, media_root):
    client = client_for("namnd")
    hostile = form_data(
        title="Nul\x00l",
        owning_unit="99999999999999999999999",
        units=["x", "1" * 30, "-1"],
        direction_goals=["\x00"],
        decided_on="2024-02-30",
        link="https://exa mple.se/" + "a" * 600,
        upload=SimpleUploadedFile("\x00../../etc/passwd.pdf", b"%PDF-" + b"\x00" * 10),
    )
    response = client.post(reverse("governance:document_create"), hostile)
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("title", "owning_unit", "units", "decided_on", "link"):
        assert f'id="id_{field}_fel"' in html, field
    assert "Skriv datumet som ÅÅÅÅ-MM-DD" in html
    assert stored_files(media_root) == []
    response = client.post(
        reverse("governance:assignment_create"),
        {"given_by": "-1", "receiving_unit": "1e9", "given_on": "x", "text": "\x00"},
    )
    assert response.status_code == 400


# --- history and concurrent edits -------------------------------------------------------------


def test_every_change_is_in_the_history(client_for, users):
    client = client_for("namnd")
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    created = client.post(
        reverse("governance:document_create"), form_data(direction_goals=[goal.pk])
    )
    assert created.status_code == 302
    doc = GoverningDocument.objects.get(title="Riktlinje för skolskjuts")
    edit = reverse("governance:document_edit", args=[doc.pk])
    response = client.post(
        edit,
        form_data(
            version=str(doc.version),
            title="Riktlinje för skolskjuts i grundskolan",
            link="https://www.danderyd.se/",
            units=[OrgUnit.objects.get(code="UF").pk],
        ),
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.version == 2
    page = client.get(doc.get_absolute_url())
    entries = page.context["history"]
    assert entries[0].who == (users["namnd"].get_full_name() or "namnd")
    changes = {c.field.lower(): (c.old, c.new) for c in entries[0].changes}
    assert changes["titel"] == (
        "Riktlinje för skolskjuts",
        "Riktlinje för skolskjuts i grundskolan",
    )
    assert "Utbildningsförvaltningen" in changes["enheter vars uppdrag vilar på dokumentet"][1]
    assert entries[-1].action == "Skapad"
    assert "Riktlinje för skolskjuts i grundskolan" in page.content.decode()


def test_a_stale_edit_is_refused_with_409_and_the_typed_values_kept(client_for, users):
    doc = document()
    edit = reverse("governance:document_edit", args=[doc.pk])
    stale = form_data(version="1", title="Namnds titel", link="https://www.danderyd.se/")
    theirs = client_for("admin").post(edit, form_data(version="1", title="Adminens titel"))
    assert theirs.status_code == 302
    response = client_for("namnd").post(edit, stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'value="Namnds titel"' in html
    assert "Ändrat av någon annan medan du redigerade" in html
    assert "Adminens titel" in html  # what changed meanwhile
    doc.refresh_from_db()
    assert doc.title == "Adminens titel" and doc.version == 2
    # Saving again from the form as it came back is a deliberate choice, and wins.
    stale["version"] = "2"
    assert client_for("namnd").post(edit, stale).status_code == 302
    doc.refresh_from_db()
    assert doc.title == "Namnds titel"


def test_a_stale_edit_with_a_file_stores_no_file(client_for, media_root):
    doc = document()
    edit = reverse("governance:document_edit", args=[doc.pk])
    theirs = client_for("admin").post(edit, form_data(version="1", title="Ny titel"))
    assert theirs.status_code == 302
    response = client_for("namnd").post(
        edit, form_data(version="1", upload=SimpleUploadedFile("ny.pdf", PDF))
    )
    assert response.status_code == 409
    assert "En vald fil behöver väljas igen." in response.content.decode()
    assert stored_files(media_root) == []


def test_an_admin_save_is_versioned_too(client_for):
    doc = document()
    url = reverse("admin:governance_governingdocument_change", args=[doc.pk])
    client = client_for("admin")
    page = client.get(url)
    assert page.status_code == 200 and "Riktlinje för skolskjuts" in page.content.decode()
    data = {
        "base_version": "1",
        "title": "Riktlinje för skolskjuts (reviderad)",
        "kind": "riktlinje",
        "level": "kommunal",
        "decided_by": "Utbildningsnämnden",
        "decided_on": "2024-05-13",
        "next_review_on": "",
        "link": "https://www.danderyd.se/",
        "owning_unit": str(doc.owning_unit_id),
    }
    assert client.post(url, data).status_code == 302
    doc.refresh_from_db()
    assert doc.version == 2 and doc.title.endswith("(reviderad)")
    stale = client.post(url, {**data, "title": "Gammal"})
    assert stale.status_code == 200 and "Någon annan har sparat" in stale.content.decode()
    doc.refresh_from_db()
    assert doc.title.endswith("(reviderad)")


# --- beside the chain ---------------------------------------------------------------------------


def test_goal_and_unit_pages_list_their_documents_in_constant_queries(
    client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    goal = DirectionGoal.objects.get(code="UN-HK-1")
    un = OrgUnit.objects.get(code="UN")
    client = client_for("namnd")
    goal_url, unit_url = goal.get_absolute_url(), un.get_absolute_url()
    with CaptureQueriesContext(connection) as few:
        html = client.get(goal_url).content.decode()
    assert "Skollagen (2010:800)" in html and "Styrdokument" in html
    with CaptureQueriesContext(connection) as few_unit:
        html = client.get(unit_url).content.decode()
    assert "Skollagen (2010:800)" in html and "Delegationsordning för utbildningsnämnden" in html
    for i in range(15):
        d = document(title=f"Extra dokument {i}")
        d.direction_goals.add(goal)
        d.units.add(un)
    with CaptureQueriesContext(connection) as many:
        html = client.get(goal_url).content.decode()
    assert "Extra dokument 14" in html
    with CaptureQueriesContext(connection) as many_unit:
        client.get(unit_url)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many_unit.captured_queries) == len(few_unit.captured_queries)
