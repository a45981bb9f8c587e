"""A small browser for bench/http_sequential.py: one person's cookies, timed requests, HTML forms.

Standard library only (http.client, html.parser), so that it runs with any Python 3.11 and
imports nothing of the project it measures.
"""
from __future__ import annotations

import http.client
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

#: a kept-alive connection idle this long is replaced before the next request (gunicorn's keepalive is 2 s)
IDLE_SECONDS = 1.0
FORM_CONTENT = "application/x-www-form-urlencoded"
Values = dict[str, str | list[str]]


class BenchError(RuntimeError):
    """The site did not answer as a working site would: the measurement is void."""


@dataclass(frozen=True)
class Response:
    status: int
    location: str
    text: str
    ms: float

    @property
    def location_path(self) -> str:
        return urlsplit(self.location).path


@dataclass
class Form:
    action: str
    method: str
    pairs: list[tuple[str, str]] = field(default_factory=list)
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: every field's name, also of radio buttons and checkboxes left unchecked
    names: set[str] = field(default_factory=set)

    def option_value(self, name: str, label: str) -> str:
        """The value of the option of select `name` whose text contains `label`."""
        for value, text in self.options.get(name, []):
            if label in text:
                return value
        raise BenchError(f"no option {label!r} in {name!r}")

    def filled(self, values: Values) -> list[tuple[str, str]]:
        """The form's defaults (what a browser would send) with `values` in place of the fields they name."""
        pairs = [(name, value) for name, value in self.pairs if name not in values]
        for name, value in values.items():
            pairs.extend((name, item) for item in ([value] if isinstance(value, str) else value))
        return pairs


class FormParser(HTMLParser):
    """Every <form> of a page with the values a browser would submit untouched."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: tuple[str, bool, list[str]] | None = None
        self._option: list[str] | None = None
        self._option_value = ""
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input":
            self._input(a)
        elif tag == "select" and "name" in a:
            self._select = (a["name"], "multiple" in a, [])
            self.forms[-1].names.add(a["name"])
            self.forms[-1].options[a["name"]] = []
        elif tag == "option" and self._select is not None:
            self._option, self._option_value = [], a.get("value", "")
            if "selected" in a:
                self._select[2].append(self._option_value)
        elif tag == "textarea" and "name" in a:
            self._textarea = (a["name"], [])
            self.forms[-1].names.add(a["name"])

    def _input(self, a: dict[str, str]) -> None:
        kind, name = a.get("type", "text").lower(), a.get("name")
        if not name or kind in ("submit", "button", "file", "reset", "image"):
            return
        self.forms[-1].names.add(name)
        if kind in ("checkbox", "radio") and "checked" not in a:
            return
        self.forms[-1].pairs.append((name, a.get("value", "on" if kind in ("checkbox", "radio") else "")))

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option.append(data)
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            self.forms[-1].options[self._select[0]].append((self._option_value, "".join(self._option).strip()))
            self._option = None
        elif tag == "select" and self._select is not None:
            self._end_select(*self._select)
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            self.forms[-1].pairs.append((name, "".join(parts).removeprefix("\n")))
            self._textarea = None

    def _end_select(self, name: str, multiple: bool, chosen: list[str]) -> None:
        options = self.forms[-1].options[name]
        if not chosen and not multiple and options:
            chosen = [options[0][0]]  # a browser sends the first option of a single select
        self.forms[-1].pairs.extend((name, value) for value in chosen)
        self._select = None


def find_form(html: str, needed: set[str]) -> Form:
    """The first POST form of the page that has every field in `needed`."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form.method == "post" and needed <= form.names:
            return form
    raise BenchError(f"no form with fields {sorted(needed)} on the page")


def has_form(html: str, needed: set[str]) -> bool:
    try:
        find_form(html, needed)
    except BenchError:
        return False
    return True


def links(html: str, pattern: str) -> list[int]:
    """The ids of the links matching `pattern` (a regular expression with one group), in page order."""
    return [int(found) for found in re.findall(pattern, html)]


class Browser:
    """One logged-in person: a cookie jar and a kept-alive connection to the site."""

    def __init__(self, port: int, name: str) -> None:
        self.port, self.name = port, name
        self.cookies: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None
        self._last_use = 0.0

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, pairs: list[tuple[str, str]]) -> Response:
        return self.request("POST", path, urlencode(pairs).encode())

    def request(self, method: str, path: str, body: bytes | None = None) -> Response:
        """One request, timed from sending it to the last byte of the answer (connecting is not timed)."""
        conn = self._connection()
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Accept-Language": "zh-CN"}
        if body is not None:
            headers["Content-Type"] = FORM_CONTENT
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        answer = conn.getresponse()
        data = answer.read()
        ms = (time.perf_counter() - start) * 1000
        self._last_use = time.monotonic()
        self._keep_cookies(answer.headers.get_all("Set-Cookie") or [])
        if answer.will_close:
            self.close()
        return Response(answer.status, answer.headers.get("Location", ""), data.decode("utf-8", "replace"), ms)

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is not None and time.monotonic() - self._last_use > IDLE_SECONDS:
            self.close()
        if self._conn is None:
            self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            self._conn.connect()
        return self._conn

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"] or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def page(self, path: str) -> Response:
        """A page this person may open: 200, or the run stops."""
        answer = self.get(path)
        if answer.status != 200:
            raise BenchError(f"{self.name}: GET {path} answered {answer.status} {answer.location}")
        return answer

    def submit(self, path: str, values: Values | Callable[[Form], Values], needed: set[str] | None = None,
               expect: str = "") -> tuple[Response, Response, Response]:
        """Open the form page, post the form (its defaults and CSRF token, `values` over them), follow the
        redirect. Returns the form page, the POST's answer and the page it led to, which must show `expect`."""
        return self.send(path, self.page(path), values, needed, expect)

    def send(self, path: str, form_page: Response, values: Values | Callable[[Form], Values],
             needed: set[str] | None = None, expect: str = "") -> tuple[Response, Response, Response]:
        """submit() with the form page already open."""
        form = find_form(form_page.text, needed or set(values))
        filled = form.filled(values(form) if callable(values) else values)
        answer = self.post(form.action or path, filled)
        if answer.status not in (302, 303):
            raise BenchError(f"{self.name}: POST {path} answered {answer.status}, not a redirect: "
                             f"{form_errors(answer.text)}")
        landed = self.page(answer.location_path)
        if expect not in landed.text:
            raise BenchError(f"{self.name}: POST {path} led to {answer.location_path} without {expect!r}")
        return form_page, answer, landed

    def login(self, username: str, password: str) -> None:
        self.cookies.clear()
        _, _, landed = self.submit("/login", {"username": username, "password": password})
        if "/login" in landed.text and 'name="password"' in landed.text:
            raise BenchError(f"{username} could not log in")


def form_errors(html: str) -> str:
    """The error messages a re-shown form carries (for the message of a failed POST)."""
    found = re.findall(r'class="[^"]*(?:invalid-feedback|alert-danger)[^"]*"[^>]*>([^<]+)<', html)
    return "; ".join(text.strip() for text in found)[:300] or "(no message found)"
