"""User text with bidi controls (U+202E …) cannot reorder what stands around it (core/bidi.py).

A title "<U+202E>gnp.exe" shows as "exe.png" whatever is done; what must not happen is that the
override runs on past the title into the page's own words ("Fil: <U+202E>gnp.exe (2025)" showing as
"Fil: )5202( exe.png"). `reordered` reads a page as a browser lays out its bidi paragraphs and
lists every piece of text that an override in user text would pull into its run.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils.http import content_disposition_header

from core.bidi import content_disposition, download_name, isolate
from goals.models import Activity, DirectionGoal

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# What ends an override's reach on a page: a bidi paragraph (block elements) or an isolate:
# <bdi> and what static/css/app.css gives `unicode-bidi: isolate` (tags and .classes).
_CSS = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
_SELECTORS = {
    selector.strip()
    for rule in re.findall(r"([^{}]+)\{[^}]*unicode-bidi:\s*isolate", _CSS)
    for selector in re.sub(r"/\*.*?\*/", "", rule, flags=re.S).split(",")
}
_ISOLATING = {"bdi"} | {s for s in _SELECTORS if re.fullmatch(r"[a-z]+", s)}
_ISOLATING_CLASSES = {s[1:] for s in _SELECTORS if re.fullmatch(r"\.[a-z-]+", s)}
_BLOCKS = {
    *("html", "head", "title", "body", "header", "footer", "main", "nav", "section", "article"),
    *("aside", "div", "p", "ul", "ol", "li", "dl", "dt", "dd", "table", "caption", "thead"),
    *("tbody", "tfoot", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6", "form"),
    *("fieldset", "legend", "label", "details", "summary", "select", "option", "textarea"),
    "figure",
}
_VOID = {"br", "hr", "img", "input", "meta", "link", "col", "wbr", "source"}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, isolates)
        self.reach = None  # (depth, override's text): an override is open until depth closes
        self.pulled = []

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        isolates = tag in _ISOLATING or tag in _BLOCKS or bool(classes & _ISOLATING_CLASSES)
        self.stack.append((tag, isolates))

    def handle_endtag(self, tag):
        if tag in _VOID or all(t != tag for t, _ in self.stack):
            return
        while self.stack:
            closed, _isolates = self.stack.pop()
            if self.reach and len(self.stack) < self.reach[0]:
                self.reach = None
            if closed == tag:
                break

    def handle_data(self, data):
        if self.reach and data.strip():
            self.pulled.append((self.reach[1].strip(), data.strip()))
        if RLO in data:
            depth = max((i + 1 for i, (_t, iso) in enumerate(self.stack) if iso), default=0)
            self.reach = (depth, data)


def reordered(html: str) -> list[tuple[str, str]]:
    """(override's text, text it would reorder) for each piece of text an override reaches."""
    reader = _Reader()
    reader.feed(html)
    return reader.pulled


def page_title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


# --- the tools ---------------------------------------------------------------------------------


def test_reordered_sees_what_an_override_would_reach():
    assert {"a", "abbr"} <= _ISOLATING and {"code", "prewrap"} <= _ISOLATING_CLASSES  # app.css
    assert reordered(f"<p>Fil: {RLO}gnp.exe (2025)</p><p>Nästa</p>") == []  # one text node
    assert reordered(f"<p>Fil: {RLO}gnp.exe <span>(2025)</span></p>") == [
        (f"Fil: {RLO}gnp.exe", "(2025)")
    ]
    assert reordered(f"<p>Fil: <bdi>{RLO}gnp.exe</bdi> (2025)</p>") == []
    assert reordered(f'<p><a href="/">{RLO}gnp.exe</a> (2025)</p>') == []
    assert reordered(f"<li><strong>{RLO}Eva</strong>, 2026-01-02</li>") == [
        (f"{RLO}Eva", ", 2026-01-02")
    ]


def test_the_bdi_filter_escapes_and_isolates():
    template = Template("{% load styr %}Fil: {{ name|bdi }} (2025){{ empty|bdi }}")
    html = template.render(Context({"name": f"<b>{RLO}gnp.exe</b>", "empty": ""}))
    assert html == f"Fil: <bdi>&lt;b&gt;{RLO}gnp.exe&lt;/b&gt;</bdi> (2025)"


def test_isolate_drops_controls_and_isolates_right_to_left_text():
    assert isolate(f"Skol{RLO}gnp.exe") == "Skolgnp.exe"  # Latin: unchanged but for controls
    assert isolate("Mål för 2026") == "Mål för 2026"
    assert isolate("אבג") == "\u2068אבג\u2069"  # Hebrew: first-strong isolate
    assert isolate(None) == ""
    template = Template("{% load styr %}{{ name|bdi_text }} – <x>")
    assert template.render(Context({"name": f"A&B{RLO}"})) == "A&amp;B – <x>"


@pytest.mark.parametrize(
    ("stored", "sent"),
    [
        (f"{RLO}gnp.exe", "gnp.exe"),
        (f"Protokoll\u2066 \u200f{RLO}fdp.exe\u2069.pdf", "Protokoll fdp.exe.pdf"),
        ("Årsplan\r\n2026.pdf", "Årsplan  2026.pdf"),
        ("../../etc/passwd", ".._.._etc_passwd"),
        (f"\u200b{RLO}\u202c", "fil"),
        ("Riktlinje skolskjuts.PDF", "Riktlinje skolskjuts.PDF"),
    ],
)
def test_download_names_lose_every_control(stored, sent):
    assert download_name(stored) == sent
    assert not any(char in BIDI_CONTROLS for char in download_name(stored))


def test_content_disposition_encodes_swedish_names_per_rfc_6266():
    header = content_disposition(f"Årsplan {RLO}2026.pdf")
    assert header == "attachment; filename*=utf-8''%C3%85rsplan%202026.pdf"
    assert header == content_disposition_header(True, "Årsplan 2026.pdf")
    assert content_disposition("a.pdf", as_attachment=False) == 'inline; filename="a.pdf"'


# --- pages -------------------------------------------------------------------------------------


@pytest.fixture
def hostile_goal(db):
    """Utbildningsnämnden's first goal, its title ending in an override."""
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    goal.title = f"Trygga skolvägar {RLO}gnp.exe"
    goal.save(update_fields=["title"])
    return goal


@pytest.mark.django_db
def test_a_goal_title_with_an_override_is_isolated_on_its_page(client_for, hostile_goal):
    html = client_for("namnd").get(hostile_goal.get_absolute_url()).content.decode()
    assert (
        f'<h1><span class="code">UN-HK-1</span> <bdi>Trygga skolvägar {RLO}gnp.exe</bdi></h1>'
        in html
    )
    assert reordered(html) == []
    # The browser tab reads the title without the override, the municipality after it.
    title = page_title(html)
    assert RLO not in title and title.startswith("UN-HK-1 Trygga skolvägar gnp.exe – ")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [f"{reverse('chain')}?namnd=UN&ar=2026", f"{reverse('plan_committee', args=['UN'])}?ar=2026"],
    ids=["chain", "committee-plan"],
)
def test_pages_listing_the_goal_keep_its_override_to_itself(client_for, hostile_goal, url):
    html = client_for("namnd").get(url).content.decode()
    assert f'<span class="code">UN-HK-1</span> <bdi>Trygga skolvägar {RLO}gnp.exe</bdi></a>' in html
    assert reordered(html) == []


@pytest.mark.django_db
def test_a_unit_plan_keeps_the_goals_area_and_count_in_order(client_for, hostile_goal):
    """The plan's section heading: "<code> <title> (<area> · 2 aktiviteter)"."""
    plan = Activity.objects.filter(direction_goal=hostile_goal).first().plan
    html = client_for("admin").get(plan.get_absolute_url()).content.decode()
    assert f'<bdi>Trygga skolvägar {RLO}gnp.exe</bdi> <span class="muted">(' in html
    assert reordered(html) == []


@pytest.mark.django_db
def test_the_coverage_sentence_about_a_hostile_goal_stays_in_order(client_for, hostile_goal):
    """ "<goal> (<committee>) har ingen indikator." – the words after the title stay put."""
    DirectionGoal.objects.create(
        committee=hostile_goal.committee,
        strategic_area=hostile_goal.strategic_area,
        code="UN-BIDI-1",
        title=f"Ny {RLO}gnp.exe",
        valid_from=2026,
        valid_to=2026,
    )
    html = client_for("namnd").get(f"{reverse('chain_coverage')}?namnd=UN&ar=2026").content.decode()
    assert (
        f'<span class="code">UN-BIDI-1</span> <bdi>Ny {RLO}gnp.exe</bdi></a> '
        "(<bdi>Utbildningsnämnden</bdi>) har ingen indikator."
    ) in html
    assert reordered(html) == []


@pytest.mark.django_db
def test_an_activity_from_a_hostile_deviation_keeps_its_sentence(client_for, hostile_goal):
    """ "Från avvikelse: 2026-03-02 <title>" and the table cell's next line stay in order."""
    activity = Activity.objects.filter(direction_goal=hostile_goal).first()
    Activity.objects.filter(pk=activity.pk).update(
        title=f"{RLO}Läxhjälp för alla", responsible=f"{RLO}Rektor"
    )
    client = client_for("admin")
    for url in (activity.get_absolute_url(), hostile_goal.get_absolute_url()):
        html = client.get(url).content.decode()
        assert reordered(html) == [], url
    assert RLO not in page_title(client.get(activity.get_absolute_url()).content.decode())


@pytest.mark.django_db
def test_a_flash_message_isolates_the_title_it_names(client_for, hostile_goal):
    activity = Activity.objects.filter(direction_goal=hostile_goal).first()
    client = client_for("admin")
    edit = reverse("plan_activity_edit", args=[activity.pk])
    form = client.get(edit).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data["title"] = f"{RLO}gnp.exe"
    html = client.post(edit, data, follow=True).content.decode()
    assert f"Aktiviteten ”<bdi>{RLO}gnp.exe</bdi>” är sparad." in html
    assert reordered(html) == []
