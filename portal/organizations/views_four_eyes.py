"""Accountbeheer: four eyes (Vier ogen). The setting and the changes that wait for a
second administrator, who approves or refuses them; the one who asked, or any
administrator, withdraws one. The page and approving or refusing are the administrators';
a location manager withdraws a change they asked for from the account's page. For anyone
else, and for a change of another organization, every URL here answers 404."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.reauth import reauthentication_required
from portal.core.money import money
from portal.core.scoping import allowed_or_404, get_visible_or_404, membership_of

from .forms_four_eyes import FourEyesForm
from .models import PendingAccountChange, Status
from .permissions import can_manage_accounts, can_open_accountbeheer
from .services.four_eyes import (
    described,
    four_eyes_approve,
    four_eyes_refuse,
    four_eyes_withdraw,
    organization_four_eyes_set,
)
from .services.rules import AccountRuleError

administrator_required = allowed_or_404(can_manage_accounts)
account_managers_required = allowed_or_404(can_open_accountbeheer)

DECIDED_SHOWN = 20  # the latest decided changes the page lists


def _pending(request, pk):
    queryset = PendingAccountChange.objects.select_related("membership__user", "requested_by", "decided_by")
    return get_visible_or_404(queryset, request.user, pk=pk)


def rows(changes):
    """[(change, described lines)] for a list of changes."""
    return [(change, described(change)) for change in changes]


@administrator_required
@reauthentication_required
def four_eyes(request):
    """The setting, the changes waiting for a second administrator, and the latest decided."""
    organization = membership_of(request.user).organization
    initial = {"on": "1" if organization.four_eyes else "0", "amount": organization.four_eyes_amount}
    form = FourEyesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        on, amount = form.cleaned_data["on"], form.cleaned_data["amount"]
        try:
            organization_four_eyes_set(actor=request.user, organization=organization, on=on, amount=amount, request=request)
        except AccountRuleError as error:
            form.add_error(None, error.as_validation_error())
        else:
            if on:
                messages.success(
                    request,
                    _("Vier ogen staat aan. Iemand administrator maken en een bestellimiet boven %(amount)s wachten "
                      "voortaan op de goedkeuring van een tweede administrator.") % {"amount": money(amount)},
                )  # fmt: skip
            else:
                messages.success(
                    request, _("Vier ogen staat uit. De andere administrators hebben daar een e-mail over gekregen.")
                )
            return redirect("accountbeheer:four_eyes")
    changes = PendingAccountChange.objects.visible_to(request.user).select_related(
        "membership__user", "requested_by", "decided_by"
    )
    waiting = changes.filter(status=PendingAccountChange.Status.PENDING).exclude(membership__status=Status.DELETED)
    decided = changes.exclude(status=PendingAccountChange.Status.PENDING).order_by("-decided_at", "-pk")
    return render(
        request,
        "organizations/four_eyes.html",
        {
            "form": form,
            "organization": organization,
            "waiting": rows(waiting.order_by("requested_at", "pk")),
            "decided": rows(decided[:DECIDED_SHOWN]),
            "expiry_days": settings.FOUR_EYES_EXPIRY_DAYS,
            "tab": "four_eyes",
        },
    )


def _decided(request, pk, action, success):
    pending = _pending(request, pk)
    try:
        action(actor=request.user, pending=pending, request=request)
    except AccountRuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success % {"name": pending.membership.user.full_name})
    return pending


@require_POST
@administrator_required
@reauthentication_required
def four_eyes_approve_view(request, pk):
    _decided(request, pk, four_eyes_approve, _("De wijziging van het account van %(name)s is goedgekeurd en is ingegaan."))
    return redirect("accountbeheer:four_eyes")


@require_POST
@administrator_required
def four_eyes_refuse_view(request, pk):
    _decided(request, pk, four_eyes_refuse, _("De wijziging van het account van %(name)s is afgewezen; er is niets gewijzigd."))
    return redirect("accountbeheer:four_eyes")


@require_POST
@account_managers_required
def four_eyes_withdraw_view(request, pk):
    pending = _decided(
        request, pk, four_eyes_withdraw, _("De wijziging van het account van %(name)s is ingetrokken; er is niets gewijzigd.")
    )
    if request.POST.get("from") == "account" or not can_manage_accounts(request.user):
        return redirect("accountbeheer:detail", pk=pending.membership_id)
    return redirect("accountbeheer:four_eyes")


def waiting_message(changes):
    """The success message of Accountbeheer's change when part of it waits (``changes``
    as ``account_update`` returns them)."""
    text = _(
        "Het deel dat een tweede administrator moet goedkeuren (vier ogen) is nog niet ingegaan: het wacht op "
        "goedkeuring. De andere administrators hebben er een e-mail over gekregen."
    )
    if set(changes) - {"four_eyes", "email_pending"}:
        text = _("De andere wijzigingen zijn opgeslagen.") + " " + text
    if "email_pending" in changes:
        text += " " + _(
            "Het nieuwe e-mailadres gaat in zodra de gebruiker het bevestigt via de link die naar %(email)s is gestuurd."
        ) % {"email": changes["email_pending"][1]}
    return text
