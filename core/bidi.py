"""User text that cannot reorder what stands around it, and download names without controls.

Bidirectional controls in user text (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) reorder what a
reader sees: a file "<U+202E>gnp.exe" shows as "exe.png", and an unclosed override runs on past the
title into the rest of the line ("Fil: <U+202E>gnp.exe (2025)" shows as "Fil: )5202( exe.png"). A
right-to-left name does the same to a neighbouring number without any control character.

- HTML (pages, flash messages, the PDFs): inline user text beside other text goes in <bdi>
  (`bdi` here, the `|bdi` filter of the `styr` template library), and static/css/app.css
  isolates <bdi>, links and a few other holders of user text with `unicode-bidi: isolate`.
  WeasyPrint ignores `unicode-bidi` but lays out the text of each element apart, so the <bdi>
  element itself isolates the user text in the PDFs. Isolation keeps the text around in
  place; the user text itself still shows as its controls say ("<U+202E>gnp.exe" reads "exe.png"
  inside its <bdi>).
- Plain text (a page's <title>, a heading a view builds): `isolate` drops the bidi controls
  (plain text has no element whose end closes them) and puts text with right-to-left
  letters between U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE, which
  browsers and Pango honour. Text in Latin letters comes back unchanged but for the controls.
- Download names: `download_name` strips every bidi and control character, and
  `content_disposition` builds the header with Django's RFC 6266 encoding ("Årsplan.pdf" as
  filename*=utf-8''%C3%85rsplan.pdf); FileResponse(filename=download_name(…)) does the same.
"""

import unicodedata

from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString

FSI = "\u2068"  # FIRST STRONG ISOLATE
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE

# Every character that sets or changes direction without being a letter.
BIDI_CONTROLS = frozenset(
    "\u061c"  # ARABIC LETTER MARK
    "\u200e\u200f"  # LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK
    "\u202a\u202b\u202c\u202d\u202e"  # LRE, RLE, PDF, LRO, RLO
    "\u2066\u2067\u2068\u2069"  # LRI, RLI, FSI, PDI
)
_RIGHT_TO_LEFT = frozenset({"R", "AL"})  # Hebrew, Arabic … letters

# Format characters some scripts need inside words (Persian, Indic, emoji sequences).
_JOINERS = frozenset("\u200c\u200d")


def bdi(text) -> SafeString | str:
    """HTML: `text` escaped and isolated in <bdi>…</bdi> ('' for None or '')."""
    if text is None or text == "":
        return ""
    return format_html("<bdi>{}</bdi>", text)


def strip_bidi_controls(text) -> str:
    return "".join(char for char in str(text) if char not in BIDI_CONTROLS)


def isolate(text) -> str:
    """Plain text beside other plain text: without bidi controls, and between FSI and PDI if
    it has right-to-left letters ('' for None or '')."""
    text = "" if text is None else strip_bidi_controls(text)
    if any(unicodedata.bidirectional(char) in _RIGHT_TO_LEFT for char in text):
        return f"{FSI}{text}{PDI}"
    return text


def _unwanted(char: str) -> bool:
    if char in BIDI_CONTROLS:
        return True
    if char in _JOINERS:
        return False
    # Cc: C0/C1 controls (newlines, tabs, NUL…); Cf: invisible format characters (the bidi
    # controls, zero-width space, soft hyphen, BOM…); Zl/Zp: line and paragraph separators.
    return unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}


def download_name(name, default: str = "fil") -> str:
    """A file name for Content-Disposition: no bidi or control characters, no folders, no
    leading or trailing blanks; `default` when nothing is left."""
    kept = []
    for char in "" if name is None else str(name):
        if char in "\t\r\n":
            kept.append(" ")  # "a\nb" → "a b", not "ab"
        elif char in "/\\":
            kept.append("_")  # a name, never a path
        elif not _unwanted(char):
            kept.append(char)
    return "".join(kept).strip() or default


def content_disposition(name, *, as_attachment: bool = True, default: str = "fil") -> str:
    """The Content-Disposition header for a download named `name` (cleaned as above)."""
    return content_disposition_header(as_attachment, download_name(name, default))
