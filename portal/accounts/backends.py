from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef

from portal.core.prepared import PreparedGet, PreparedRows

from .login_rule import may_log_in
from .mfa import FACTORS, SECOND_FACTOR_AT_LOGIN
from .models import User, normalize_email_address


def _user_with_membership():
    """Users with the membership and organization that the rule of who may log in reads."""
    return User.objects.select_related("membership__organization")


# The user of every request, by the id in its session (see ``core.prepared``).
_user_of_request = PreparedGet(_user_with_membership())
# The user of a login, by the address typed (its SQL made once, like the request's), with
# whether it has an app or passkey: the question of allauth's two-step stage, a moment
# later, answered in the same statement (``PortalMFAAdapter.is_mfa_enabled``).
_user_of_address = PreparedRows(
    lambda address: (
        _user_with_membership()
        .filter(email=address, email_elsewhere=False)
        .annotate(**{SECOND_FACTOR_AT_LOGIN: Exists(Authenticator.objects.filter(user_id=OuterRef("pk"), type__in=FACTORS))})
        .order_by("pk")[:1]
    )
)


class PortalBackend(AuthenticationBackend):
    """allauth's e-mail login, with the portal's rule of who may log in.

    The rule is checked at login and again on every request (``get_user``), so a
    deactivated account, a right taken away or an organization whose access is turned
    off is logged out at its next request.
    """

    def _authenticate_by_email(self, email, password):
        """The login is the user's own e-mail address (unique, stored in lower case):
        one query reads the user with what the rule of who may log in needs. allauth's
        lookup also searches its table of extra addresses, which the portal does not
        use, and the rule then read the membership and organization one at a time."""
        users = _user_of_address.rows(normalize_email_address(email)) if email else []
        return self._check_password(users[0] if users else None, password)

    def user_can_authenticate(self, user):
        return may_log_in(user)

    def get_user(self, user_id):
        user = _user_of_request.get(user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None
