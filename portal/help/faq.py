"""How an FAQ answer is shown. Staff write answers as plain text with a little markup,
so that no HTML typed in the back office ever reaches a page:

- a blank line between paragraphs;
- lines starting with "1.", "2.", ... form a numbered list, lines starting with "-" a list;
- [text](target) is a link, where target is the name of a portal page
  (``accounts:my_account``, ``help:faq_topic topic=bestellen``), a path starting
  with "/", an https address or a mailto: address. A page name that does not exist
  (any more) shows the text without a link.

Everything else is escaped.
"""

import re
from itertools import groupby

from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+(?: [^)]*)?)\)")
NUMBERED = re.compile(r"^\d+[.)]\s+")
BULLET = re.compile(r"^[-*]\s+")
URL_NAME = re.compile(r"^[a-z_]+(?::[a-z_]+)?$")


def link_target(target):
    """The address a link points to, or None when it may not be linked."""
    name, *params = target.split(" ")
    if URL_NAME.match(name):
        kwargs = dict(param.split("=", 1) for param in params if "=" in param)
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            return None
    if params:
        return None
    if target.startswith("/") and not target.startswith("//"):
        return target
    if target.startswith(("https://", "mailto:")):
        return target
    return None


def _inline(text):
    """One line: escaped, with its links."""
    parts, position = [], 0
    for match in LINK.finditer(text):
        parts.append(escape(text[position : match.start()]))
        label, url = match.group(1), link_target(match.group(2))
        parts.append(format_html('<a href="{}">{}</a>', url, label) if url else escape(label))
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


def _kind(line):
    return "ol" if NUMBERED.match(line) else "ul" if BULLET.match(line) else "p"


def _block(lines):
    """Lines without a blank line between them: runs of list items become a list, other
    runs a paragraph."""
    html = []
    for kind, run in groupby(lines, key=_kind):
        run = list(run)
        if kind == "p":
            html.append("<p>" + "<br>".join(_inline(line) for line in run) + "</p>")
        else:
            marker = NUMBERED if kind == "ol" else BULLET
            items = "".join(f"<li>{_inline(marker.sub('', line))}</li>" for line in run)
            html.append(f"<{kind}>{items}</{kind}>")
    return "".join(html)


def render_answer(text):
    """The answer as safe HTML."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    html = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            html.append(_block(lines))
    return mark_safe("\n".join(html))  # noqa: S308 - every piece was escaped above
