import html

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.core.mail import mail_send
from portal.core.once import per_settings

from .login_rule import may_log_in
from .ratelimits import PER_ADDRESS, login_attempt_begin


class PortalAccountAdapter(DefaultAccountAdapter):
    """allauth, the portal's way: nobody signs up by themselves (accounts are made by an
    organization's administrator or by HartingBank), and allauth's mails go through the
    portal's queue, so they are sent after the commit and retried on failure."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Te veel mislukte inlogpogingen. Wacht een paar minuten en probeer het dan "
            "opnieuw, of kies een nieuw wachtwoord via 'Wachtwoord vergeten?'."
        ),
        "email_password_mismatch": _("Het e-mailadres of het wachtwoord klopt niet."),
        # allauth's "type your current password": it was typed, and it was wrong.
        "enter_current_password": _("Dit is niet je huidige wachtwoord."),
    }

    def is_open_for_signup(self, request):
        return False

    def pre_authenticate(self, request, **credentials):
        """Count the attempt against the limits on failed logins before the password
        is checked (``accounts.ratelimits``, in three queries where allauth's own
        count takes some forty cache operations). allauth takes the attempt back
        through ``_login_failed_rl_usage`` when the password was right."""
        login = credentials.get("email") or credentials.get("username") or ""
        attempt = login_attempt_begin(request, login=login)
        if attempt == PER_ADDRESS:  # the limit on logins per address: the 429 page, as allauth's
            raise ImmediateHttpResponse(respond_429(request))
        self._login_failed_rl_usage = attempt
        if not attempt:
            raise self.validation_error("too_many_login_attempts")

    def pre_login(self, request, user, **kwargs):
        """The portal's rule of who may log in (see ``may_log_in``), not only
        ``is_active``: a deactivated account, one without rights, or one of an
        organization without access lands on the "account niet actief" page."""
        if not may_log_in(user):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)

    def get_password_change_redirect_url(self, request):
        """Back to Mijn account, where the message says it worked (not the empty form)."""
        return reverse("accounts:my_account")

    def add_message(self, request, level, message_template=None, message_context=None, extra_tags="", message=None):
        """After a reset the page itself says the password is saved: not twice.

        The message's template is rendered without the request: none of allauth's or the
        portal's message templates reads it, and with it every context processor (the
        menu among them) would run for one sentence, at every login."""
        match = getattr(request, "resolver_match", None)
        reset = match is not None and match.url_name == "account_reset_password_from_key"
        if reset and message_template == "account/messages/password_changed.txt":
            return
        if message is None and message_template:
            try:
                message = html.unescape(render_to_string(message_template, message_context or {}).strip())
            except TemplateDoesNotExist:
                return
            if not message:
                return
        super().add_message(request, level, None, None, extra_tags, message)

    def get_login_stages(self):
        """allauth's, read once until a setting changes: allauth reads three of its
        settings for them at every login."""
        return list(_login_stages())

    def get_client_ip(self, request):
        """allauth's, worked out once per request: a login asks three times (the limits,
        the audit trail, the session remembered)."""
        try:
            return request._client_ip
        except AttributeError:
            request._client_ip = super().get_client_ip(request)
            return request._client_ip

    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        ctx = {
            "email": email,
            "request": request,
            "customer_service_email": settings.CUSTOMER_SERVICE_EMAIL,
        }
        if request is not None:
            ctx["current_site"] = get_current_site(request)
        ctx.update(context)
        msg = self.render_mail(template_prefix, email, ctx)
        mail_send(to=msg.to, subject=msg.subject, body=msg.body)


@per_settings
def _login_stages():
    return tuple(DefaultAccountAdapter().get_login_stages())
