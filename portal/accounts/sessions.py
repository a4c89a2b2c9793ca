from allauth.usersessions.adapter import get_adapter
from allauth.usersessions.models import UserSession


def sessions_end(user, *, keep_request=None):
    """End every open session of ``user`` at once, except the one of ``keep_request``."""
    sessions = UserSession.objects.filter(user=user)
    if keep_request is not None and keep_request.session.session_key:
        sessions = sessions.exclude(session_key=keep_request.session.session_key)
    get_adapter().end_sessions(list(sessions))
