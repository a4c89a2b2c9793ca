"""Who is asking: the key in ``Authorization: Bearer <key>``, for the REST API and SCIM.

``authenticate`` answers with the key's principal (``keys.principal_of``) or raises
``Refused``: no usable key (401), too many requests (429), or a scope the key lacks
(404, as a page answers what a person may not see).
"""

from django.utils.translation import gettext_lazy as _

from . import ratelimit
from .keys import key_for, principal_of


class Refused(Exception):
    MESSAGES = {
        "unauthenticated": _("Geen geldige API-sleutel: de sleutel ontbreekt, is onbekend, verlopen of ingetrokken."),
        "rate_limited": _("Te veel verzoeken met deze sleutel; probeer het over enkele seconden opnieuw."),
        "not_found": _("Niet gevonden."),
    }
    STATUS = {"unauthenticated": 401, "rate_limited": 429, "not_found": 404}

    def __init__(self, code, retry_after=None):
        self.code = code
        self.status = self.STATUS[code]
        self.message = self.MESSAGES[code]
        self.retry_after = retry_after
        super().__init__(code)


def bearer(request):
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def authenticate(request, scope_needed):
    """The principal acting for the request's key, within ``scope_needed`` (one scope,
    or a set of which one suffices)."""
    cached = getattr(request, "_api_principal", None)
    if cached is None:
        key = key_for(bearer(request))
        if key is None:
            raise Refused("unauthenticated")
        wait = ratelimit.consume(key.pk)
        if wait:
            raise Refused("rate_limited", retry_after=wait)
        cached = principal_of(key)
        request._api_principal = cached
        request.user = cached  # for what reads the request's user (the audit trail's context)
    if scope_needed is None:
        return cached
    needed = {scope_needed} if isinstance(scope_needed, str) else set(scope_needed)
    if not needed & set(cached.api_key_in_use.scopes):
        raise Refused("not_found")
    return cached
