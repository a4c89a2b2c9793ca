from django.conf import settings
from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from portal.core.prepared import PreparedQuery
from portal.core.scoping import membership_of
from portal.locations.models import Address, AddressKind, Department, Location

from .mfa import mfa_required, session_has_second_factor
from .middleware import idle_timeout
from .sessions import describe_user_agent, sessions_end_these, sessions_of


@require_safe
def my_account(request):
    """Mijn account: the user's own data, read-only, and how to have it changed."""
    membership = membership_of(request.user)
    is_administrator = membership is not None and membership.is_active_administrator
    return render(
        request,
        "accounts/my_account.html",
        {
            "membership": membership,
            "is_administrator": is_administrator,
            "locations": _locations(request.user) if membership is not None else [],
            "staff_groups": request.user.groups.all() if request.user.is_staff else [],
            "has_second_factor": session_has_second_factor(request),
            "mfa_required": mfa_required(request.user),
        },
    )


def _location_rows(user):
    """The locations linked to ``user``'s membership, or for an administrator all of the
    organization's, each marked whether it is linked."""
    membership = membership_of(user)
    if membership.is_active_administrator:
        linked = Location.objects.linked_to(membership).filter(pk=OuterRef("pk"))
        rows = Location.objects.visible_to(user).annotate(linked=Exists(linked)).values("pk", "name", "code", "linked")
    else:
        rows = Location.objects.linked_to(membership).values("pk", "name", "code")
    return rows.order_by("name")


def _shown_locations(user):
    return _location_rows(user).values("pk")


def _address_rows(user):
    addresses = Address.objects.filter(location__in=_shown_locations(user)).order_by("kind", "pk")
    return addresses.values("location_id", "kind", "street", "postal_code", "city")


def _department_rows(user):
    departments = Department.objects.filter(location__in=_shown_locations(user)).order_by("name", "pk")
    return departments.values("location_id", "name")


# Read on every visit of Mijn account, each with its SQL made once per kind of person.
_locations_of = PreparedQuery(_location_rows)
_addresses_of = PreparedQuery(_address_rows)
_departments_of = PreparedQuery(_department_rows)


def _locations(user):
    """The locations of ``_location_rows``, each with its addresses and departments, read
    as plain values in three small queries (prefetching model instances cost more than
    the rest of the page together)."""
    locations = {location["pk"]: {**location, "addresses": [], "departments": []} for location in _locations_of.rows(user)}
    if not locations:
        return []
    # (A location linked between these reads has no place on this page yet: left out.)
    for address in _addresses_of.rows(user):
        if (location := locations.get(address["location_id"])) is not None:
            address["kind_label"] = AddressKind(address["kind"]).label
            location["addresses"].append(address)
    for department in _departments_of.rows(user):
        if (location := locations.get(department["location_id"])) is not None:
            location["departments"].append(department["name"])
    return list(locations.values())


@require_http_methods(["GET", "HEAD", "POST"])
def my_sessions(request):
    """Mijn sessies: where the owner is logged in, with "end this session" and "end all
    others". Sessions past their idle or absolute timeout are ended on the way."""
    open_sessions = sessions_of(request.user)
    current = request.session.session_key
    if request.method == "POST":
        if "end_others" in request.POST:
            ended = [s for s in open_sessions if s.session_key != current]
        else:
            ended = [s for s in open_sessions if str(s.pk) == request.POST.get("session") and s.session_key != current]
        sessions_end_these(ended, reason="ended_by_owner")
        if ended:
            messages.success(
                request,
                ngettext("%(count)d sessie is beëindigd.", "%(count)d sessies zijn beëindigd.", len(ended))
                % {"count": len(ended)},
            )
        else:
            messages.info(request, _("Die sessie was al beëindigd."))
        return redirect("accounts:my_sessions")
    rows = [
        {"pk": s.pk, "device": describe_user_agent(s.user_agent), "created_at": s.created_at,
         "last_seen_at": s.last_seen_at, "current": s.session_key == current}
        for s in open_sessions
    ]  # fmt: skip
    rows.sort(key=lambda row: (not row["current"], -row["last_seen_at"].timestamp()))
    context = {
        "rows": rows,
        "idle_minutes": round(idle_timeout(request.user) / 60),
        "max_hours": round(settings.SESSION_MAX_AGE / 3600),
    }
    return render(request, "accounts/my_sessions.html", context)
