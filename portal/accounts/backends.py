from allauth.account.auth_backends import AuthenticationBackend

from portal.organizations.permissions import may_log_in

from .models import User


class PortalBackend(AuthenticationBackend):
    """allauth's e-mail login, with the portal's rule of who may log in.

    The rule is checked at login and again on every request (``get_user``), so a
    deactivated account, a right taken away or an organization whose access is turned
    off is logged out at its next request.
    """

    def user_can_authenticate(self, user):
        return may_log_in(user)

    def get_user(self, user_id):
        try:
            user = User.objects.select_related("membership__organization").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
