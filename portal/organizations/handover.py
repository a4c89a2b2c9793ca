"""What an account that leaves (Uit dienst per) leaves behind for its administrators to
hand over: its orders waiting for approval, its open service requests.

Those live in apps on a floor above this one; each registers a source from its
``AppConfig.ready`` (``register_handover_source``), as they register their home panels.
A source is a function ``(membership) -> HandoverGroup | None`` that reads the account's
open items of its kind in one query (at most ``LIMIT``, and one more to know there are
more), and answers None when there are none."""

from dataclasses import dataclass, field

LIMIT = 50


@dataclass(frozen=True)
class HandoverItem:
    label: str
    url: str
    status: str = ""
    detail: str = ""


@dataclass(frozen=True)
class HandoverGroup:
    key: str
    title: str
    items: list = field(default_factory=list)
    more: bool = False  # there are more than LIMIT
    how: str = ""  # what the administrator can do with them


_sources = []


def register_handover_source(function, order=100):
    _sources.append((order, function))
    _sources.sort(key=lambda pair: pair[0])


def open_items(membership):
    """The groups of open items ``membership`` leaves behind (empty groups left out)."""
    groups = []
    for _order, source in _sources:
        group = source(membership)
        if group is not None and group.items:
            groups.append(group)
    return groups
