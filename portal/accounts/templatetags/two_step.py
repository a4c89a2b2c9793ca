from allauth.mfa.models import Authenticator
from django import template

register = template.Library()


@register.filter
def has_passkey(user):
    """Whether ``user`` has a passkey or security key (the login's second step offers it)."""
    return user is not None and Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.WEBAUTHN).exists()
