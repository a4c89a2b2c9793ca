"""Accountbeheer: unused accounts and leavers. The setting for unused accounts with who is
flagged and who leaves (Inactief en uit dienst), an account's leave date, and what a
leaver leaves to hand over. Only an active administrator of the organization reaches
these pages; for anyone else they answer 404, as every page of Accountbeheer."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.accounts.reauth import reauthentication_required
from portal.core.scoping import allowed_or_404, get_visible_or_404, membership_of

from .forms_inactivity import DormancyForm, LeaveDateForm
from .handover import open_items
from .models import Membership, Status
from .permissions import can_manage_accounts
from .services.dormancy import flagged, organization_dormancy_set, with_inactive_since
from .services.leavers import LeaverRuleError, account_leave_date_set, recent_leavers
from .services.rules import AccountRuleError

administrator_required = allowed_or_404(can_manage_accounts)

SHOWN = 200  # accounts a list on the page shows at most


def _account(request, pk):
    return get_visible_or_404(Membership.objects.select_related("user", "organization"), request.user, pk=pk)


@administrator_required
@reauthentication_required
def inactivity(request):
    """The dormancy setting, the accounts flagged as unused, and who leaves or left."""
    organization = membership_of(request.user).organization
    initial = {"days": organization.dormancy_days or "", "grace_days": organization.dormancy_grace_days}
    form = DormancyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            organization_dormancy_set(
                actor=request.user, organization=organization, request=request,
                days=form.cleaned_data["days"], grace_days=form.cleaned_data["grace_days"],
            )  # fmt: skip
        except AccountRuleError as error:
            form.add_error(None, error.as_validation_error())
        else:
            if form.cleaned_data["days"] is None:
                messages.success(request, _("Niet-gebruikte accounts worden niet langer gemarkeerd of gedeactiveerd."))
            else:
                messages.success(
                    request,
                    _("Opgeslagen. Vanaf vannacht krijgt wie %(days)s dagen niet heeft ingelogd een e-mail; "
                      "na nog %(grace)s dagen zonder inloggen wordt het account gedeactiveerd (een administrator niet).")
                    % {"days": form.cleaned_data["days"], "grace": form.cleaned_data["grace_days"]},
                )  # fmt: skip
            return redirect("accountbeheer:inactivity")
    accounts = Membership.objects.visible_to(request.user).select_related("user")
    dormant = with_inactive_since(flagged(accounts)).order_by("dormancy_deadline", "user__full_name", "pk")
    leaving = accounts.filter(leaves_on__isnull=False, left_at__isnull=True, leave_blocked_at__isnull=True).filter(
        status__in=(Status.ACTIVE, Status.DEACTIVATED)
    )
    return render(
        request,
        "organizations/inactivity.html",
        {
            "form": form,
            "organization": organization,
            "dormant": dormant[:SHOWN],
            "dormant_count": dormant.count(),
            "leaving": leaving.order_by("leaves_on", "pk")[:SHOWN],
            "left": recent_leavers(request.user)[:SHOWN],
            "shown": SHOWN,
            "tab": "inactivity",
        },
    )


@administrator_required
def account_leave(request, pk):
    """Set or clear the date an account's owner leaves (Uit dienst per)."""
    membership = _account(request, pk)
    if membership.user_id == request.user.pk:
        return _refused(request, membership, LeaverRuleError("leave_own"))
    if membership.status not in (Status.ACTIVE, Status.DEACTIVATED):
        return _refused(request, membership, LeaverRuleError("leave_not_possible"))
    clearing = request.method == "POST" and "clear" in request.POST
    form = LeaveDateForm(
        None if clearing or request.method != "POST" else request.POST, initial={"leaves_on": membership.leaves_on}
    )
    if clearing or (request.method == "POST" and form.is_valid()):
        leaves_on = None if clearing else form.cleaned_data["leaves_on"]
        try:
            account_leave_date_set(actor=request.user, membership=membership, leaves_on=leaves_on, request=request)
        except AccountRuleError as error:
            if clearing:
                return _refused(request, membership, error)
            form.add_error(None, error.as_validation_error())
        else:
            name = membership.user.full_name
            if leaves_on is None:
                messages.success(request, _("De datum uit dienst van %(name)s is gewist.") % {"name": name})
            else:
                messages.success(
                    request,
                    _("%(name)s is uit dienst per %(date)s. Op die datum wordt het account vanzelf gedeactiveerd.")
                    % {"name": name, "date": date_format(leaves_on, "j F Y")},
                )
            return redirect("accountbeheer:detail", pk=membership.pk)
    return render(request, "organizations/account_leave.html", {"account": membership, "form": form})


def _refused(request, membership, error):
    messages.error(request, error.message)
    return redirect("accountbeheer:detail", pk=membership.pk)


@require_safe
@administrator_required
def account_handover(request, pk):
    """Over te dragen: the open orders and service requests the account leaves behind."""
    membership = _account(request, pk)
    return render(request, "organizations/account_handover.html", {"account": membership, "groups": open_items(membership)})
