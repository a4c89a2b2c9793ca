"""The home page: what each person comes for, in one glance.

Apps above this floor register panels from their ``AppConfig.ready``
(``register_home_panel``), as Django's admin discovers its modules; a panel is a function
``(user, membership) -> HomePanel | None`` that reads at most a few rows in one or two
queries and answers None when it has nothing to say, so the page shows only what is
there. Panels that ask something of the person (an order to approve, a request waiting
for their answer) come first.
"""

from dataclasses import dataclass, field

PAGE = 5  # items a panel lists; one more is read to know whether there are more


def label_of(choices, value):
    """The label of ``value`` among the ``TextChoices`` ``choices`` (the value itself when it
    is none of them), as ``get_FOO_display()`` gives it: that builds a dictionary of all the
    field's choices on every call, each label translated to be hashed (50 µs a call, seven
    calls on a home page)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@dataclass(frozen=True)
class HomeItem:
    label: str
    url: str
    status: str = ""
    detail: str = ""
    attention: bool = False  # waits for this person


@dataclass(frozen=True)
class HomePanel:
    key: str
    title: str
    items: list = field(default_factory=list)
    more_url: str = ""
    more_label: str = ""
    attention: bool = False  # the panel asks something of this person
    empty_text: str = ""


_panels = []


def register_home_panel(function, order=100):
    """Add a panel to the home page (from an app's ``AppConfig.ready``)."""
    _panels.append((order, function))
    _panels.sort(key=lambda entry: entry[0])


def home_panels(user, membership):
    panels = [panel for _, function in _panels if (panel := function(user, membership)) is not None]
    return sorted(panels, key=lambda panel: not panel.attention)


def first_page(queryset):
    """The first PAGE rows, and whether there are more (one query). ``queryset`` may also
    be the rows already read, at least PAGE + 1 of them if there are (a prepared query's,
    ``core.prepared.PreparedQuery``)."""
    rows = list(queryset[: PAGE + 1])
    return rows[:PAGE], len(rows) > PAGE
