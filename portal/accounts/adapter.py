from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site

from portal.core.mail import mail_send


class PortalAccountAdapter(DefaultAccountAdapter):
    """allauth, the portal's way: nobody signs up by themselves (accounts are made by an
    organization's administrator or by HartingBank), and allauth's mails go through the
    portal's queue, so they are sent after the commit and retried on failure."""

    def is_open_for_signup(self, request):
        return False

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
