from django.conf import settings

from .navigation import menu_for


def portal(request):
    user = getattr(request, "user", None)
    return {
        "menu": menu_for(user, request.path) if user is not None else [],
        "customer_service_email": settings.CUSTOMER_SERVICE_EMAIL,
    }
