"""What the hostile-input test sends, and how it finds where to send it.

``discover`` logs in as one actor and walks the portal from its start pages the way a
person clicks: every link to a page of the portal is followed (at most a few pages per
URL pattern), every ``<form>`` on a page is written down with its fields, and every
query parameter seen in a link (filters, cursors, page numbers) is written down for its
page. What it finds is the portal as that actor sees it, so a new form or filter is
covered without this file knowing of it.
"""

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.urls import Resolver404, resolve

# Values that have broken web applications: NUL and other control characters, line
# breaks, numbers too large for a database column, dates at the ends of the calendar,
# text longer than any column, characters that grow when normalized or lower-cased, and
# text that means something to a spreadsheet, a shell or a database.
HOSTILE = [
    "",
    " ",
    "\x00",
    "ab\x00cd",
    "%00",
    "a\nb",
    "a\r\nb",
    "a\rb",
    "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029",
    "\x1b[31m\x07\x08\x7f",
    "\t",
    "9" * 40,
    "-" + "9" * 40,
    "9223372036854775808",
    "2147483648",
    "-1",
    "0",
    "\u00b2",
    "\u0661\u0662",
    "1.5",
    "1e400",
    "NaN",
    "Infinity",
    "0x10",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "0000-00-00",
    "2026-02-30",
    "31-12-9999",
    "\ufdfa" * 150,
    "\u0130" * 300,
    "\u3bbb" * 100,
    "x" * 260 + "@example.com",
    "a" * 5000,
    "a" * 20000,
    '=HYPERLINK("http://x")',
    "+1;-1;@x",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    '"; DROP TABLE x; --',
    "../../../etc/passwd",
    "\u202egnp.exe",
    "\U0001f600\u200d\U0001f4bb",
    "\ud7ff\ue000\uffff",
    "\ufeff",
    "true",
    "null",
    "[]",
    "{}",
]


def encodable(value):
    """``value`` as the test client can send it (no lone surrogates)."""
    return value.encode("utf-8", "replace").decode("utf-8")


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    values: list = field(default_factory=list)  # what the page offers or holds


@dataclass
class Target:
    """A form (or a page's query parameters) to send values to."""

    method: str  # "get" or "post"
    path: str
    fields: list
    enctype: str = "application/x-www-form-urlencoded"
    found_on: str = ""

    @property
    def key(self):
        return (self.method, route_of(self.path), tuple(sorted(f.name for f in self.fields)))


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action"),
                "enctype": attrs.get("enctype") or "application/x-www-form-urlencoded",
                "fields": {},
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "button") and attrs.get("name"):
            kind = (attrs.get("type") or ("submit" if tag == "button" else "text")).lower()
            self._add(attrs["name"], kind, attrs.get("value"))
        elif tag == "select" and attrs.get("name"):
            self._select = self._add(attrs["name"], "select", None)
        elif tag == "option" and self._select is not None:
            self._select.values.append(attrs.get("value", ""))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = self._add(attrs["name"], "textarea", None)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None and data.strip():
            self._textarea.values.append(data)

    def _add(self, name, kind, value):
        existing = self._form["fields"].get(name)
        if existing is None:
            existing = self._form["fields"][name] = Field(name, kind)
        if value is not None:
            existing.values.append(value)
        return existing


def route_of(path):
    """The URL pattern a path belongs to (its view's name), or None outside the portal."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name or match.route


def _same_site(url):
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and parts.path.startswith("/")


def discover(client, start, per_route=2, skip=()):
    """The forms and filters ``client`` reaches from the paths ``start``: a list of
    ``Target`` and the set of routes whose pages were read. Every start page is read;
    of the pages found by following links, at most ``per_route`` per URL pattern."""
    queue = deque(start)
    first = set(start)
    visited, pages, queries, targets = set(), Counter(), {}, {}
    while queue:
        url = queue.popleft()
        path = urlsplit(url).path
        route = route_of(path)
        if route is None or url in visited or any(re.search(s, path) for s in skip):
            continue
        if pages[route] >= per_route and url not in first:
            continue
        visited.add(url)
        response = client.get(url)
        pages[route] += 1
        if response.status_code in (301, 302) and _same_site(urljoin(url, response["Location"])):
            queue.append(urljoin(url, response["Location"]))  # a page that moves on (allauth's reset link)
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _PageParser()
        body = b"".join(response.streaming_content) if response.streaming else response.content  # a long page is streamed
        parser.feed(body.decode("utf-8", "replace"))
        for href in parser.links:
            link = urljoin(url, href)
            if not _same_site(link):
                continue
            parts = urlsplit(link)
            for name, value in parse_qsl(parts.query, keep_blank_values=True):
                queries.setdefault(parts.path, {}).setdefault(name, Field(name, "query")).values.append(value)
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        for form in parser.forms:
            action = urlsplit(urljoin(url, form["action"] or url)).path
            if route_of(action) is None:
                continue
            target = Target(form["method"], action, list(form["fields"].values()), form["enctype"], found_on=path)
            targets.setdefault(target.key, target)
    for path, fields in queries.items():
        if route_of(path) is not None:
            target = Target("get", path, list(fields.values()), found_on=path)
            targets.setdefault(target.key, target)
    return list(targets.values()), set(pages)
