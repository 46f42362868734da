"""The Swedish words of the reports (shared/REPORTS.md): numbers in words, dates, verdicts."""

import datetime

from goals.models import ASSESSMENT_SYMBOLS, Assessment

MONTHS = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
]

_SMALL = [
    "noll",
    "ett",
    "två",
    "tre",
    "fyra",
    "fem",
    "sex",
    "sju",
    "åtta",
    "nio",
    "tio",
    "elva",
    "tolv",
    "tretton",
    "fjorton",
    "femton",
    "sexton",
    "sjutton",
    "arton",
    "nitton",
]
_TENS = ["", "", "tjugo", "trettio", "fyrtio", "femtio", "sextio", "sjuttio", "åttio", "nittio"]

LEVELS = [
    Assessment.FULFILLED,
    Assessment.PARTLY,
    Assessment.NOT_FULFILLED,
    Assessment.NOT_ASSESSED,
]

YEAR_END_PHRASES = {
    Assessment.FULFILLED: "Målet är uppfyllt",
    Assessment.PARTLY: "Målet är delvis uppfyllt",
    Assessment.NOT_FULFILLED: "Målet är inte uppfyllt",
    Assessment.NOT_ASSESSED: "Ej bedömt",
}
FORECAST_PHRASES = {
    Assessment.FULFILLED: "Målet bedöms uppfyllas vid årets slut",
    Assessment.PARTLY: "Målet bedöms delvis uppfyllas vid årets slut",
    Assessment.NOT_FULFILLED: "Målet bedöms inte uppfyllas vid årets slut",
    Assessment.NOT_ASSESSED: "Ej bedömt",
}


def number_word(n: int) -> str:
    """0–99 in words, neuter ('ett mål'); larger numbers as digits."""
    if n < 0 or n >= 100:
        return str(n)
    if n < 20:
        return _SMALL[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (_SMALL[ones] if ones else "")


def counted(n: int, singular: str, plural: str) -> str:
    """'ett inriktningsmål', 'åtta indikatorer' (neuter number words)."""
    return f"{number_word(n)} {singular if n == 1 else plural}"


def prose_date(value: datetime.date | str | None) -> str:
    """'30 april 2026' – dates in running text (UI.md)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def join_words(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " och " + parts[-1]


def level_info(level: str, *, forecast: bool = False, measurable: bool = True) -> dict:
    """Symbol, word and phrase of a level; '' (nothing handed in) reads as Ej bedömt."""
    level = level or Assessment.NOT_ASSESSED
    phrases = FORECAST_PHRASES if forecast else YEAR_END_PHRASES
    phrase = phrases[level]
    if level == Assessment.NOT_ASSESSED and not measurable:
        phrase = "Ej mätbart"
    return {
        "level": str(level),
        "symbol": ASSESSMENT_SYMBOLS[level],
        "label": str(Assessment(level).label),
        "phrase": phrase,
    }


def _adjective(n: int, singular: str, plural: str) -> str:
    return singular if n == 1 else plural


def summary_sentence(counts: dict, *, forecast: bool) -> str:
    """Counts in words, as Danderyd's own reports write them.

    Year end: "Av åtta inriktningsmål bedöms sex vara uppfyllda och två delvis uppfyllda."
    Mid-year: "Av tolv inriktningsmål bedöms sju uppfyllas vid årets slut, fyra delvis och
    ett inte."
    """
    f, p, n, na = (counts.get(level, 0) for level in LEVELS)
    total = f + p + n + na
    if total == 0:
        return "Det finns inga inriktningsmål att redovisa."
    assessed = f + p + n
    total_word = number_word(total)
    if assessed == 0:
        if total == 1:
            return "Inriktningsmålet är inte bedömt ännu."
        return f"Inget av de {total_word} inriktningsmålen är bedömt ännu."
    if forecast:
        parts = []
        verb_done = False
        for count, word in ((f, ""), (p, "delvis"), (n, "inte")):
            if not count:
                continue
            text = number_word(count) + (f" {word}" if word else "")
            if not verb_done:
                text += " uppfyllas vid årets slut"
                verb_done = True
            parts.append(text)
        sentence = f"Av {total_word} inriktningsmål bedöms {join_words(parts)}."
    else:
        parts = []
        for count, word in ((f, ""), (p, "delvis "), (n, "inte ")):
            if not count:
                continue
            adjective = word + _adjective(count, "uppfyllt", "uppfyllda")
            verb = "" if parts else "vara "
            parts.append(f"{number_word(count)} {verb}{adjective}")
        sentence = f"Av {total_word} inriktningsmål bedöms {join_words(parts)}."
    if na:
        word = number_word(na)
        sentence += f" {word[0].upper()}{word[1:]} är inte {_adjective(na, 'bedömt', 'bedömda')}."
    return sentence
