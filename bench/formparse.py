"""The fields of an HTML form as a browser would send them (make loadtest's journeys).

Standard library only: the load test runs in .venv-bench, without the application's packages.
"""

import html
from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None
        self._select = None
        self._select_first = None
        self._textarea = None
        self._text = []
        self._option = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"attrs": a, "fields": [], "options": {}, "types": {}}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            self._form["types"][name] = kind
            if kind in ("checkbox", "radio"):
                self._form["options"].setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
                return
            self._form["fields"].append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
            self._form["types"][name] = "textarea"
        elif tag == "select" and name:
            self._select, self._select_first = name, None
            self._form["types"][name] = "select"
            self._form["options"][name] = []
            self._selected = False
        elif tag == "option" and self._select:
            value = a.get("value")
            self._option = {"value": value, "text": [], "selected": "selected" in a}

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        if self._option is not None:
            self._option["text"].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            if text.startswith("\n"):
                text = text[1:]  # as browsers drop the newline after <textarea>
            self._form["fields"].append((self._textarea, text))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value = self._option["value"]
            if value is None:
                value = "".join(self._option["text"]).strip()
            self._form["options"][self._select].append(value)
            if self._select_first is None:
                self._select_first = value
            if self._option["selected"] and not self._selected:
                self._form["fields"].append((self._select, value))
                self._selected = True
            self._option = None
        elif tag == "select" and self._select is not None:
            if not self._selected and self._select_first is not None:
                self._form["fields"].append((self._select, self._select_first))
            self._select = None


def forms(page: str) -> list[dict]:
    """Every form of the page: {"attrs", "fields": [(name, value)], "options", "types"}."""
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def post_form(page: str, *, field: str) -> dict | None:
    """The first POST form of the page that has a field named `field`."""
    for form in forms(page):
        if form["attrs"].get("method", "get").lower() != "post":
            continue
        if any(name == field for name, _value in form["fields"]) or field in form["types"]:
            return form
    return None


def unescape(text: str) -> str:
    return html.unescape(text)
