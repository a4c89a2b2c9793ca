from django.conf import settings


def phone_link(number):
    """A ``tel:`` address for a number as people write it ("030 123 45 67")."""
    return "tel:" + "".join(c for c in number if c.isdigit() or c == "+")


def portal(request):
    return {
        "customer_service_email": settings.CUSTOMER_SERVICE_EMAIL,
        "customer_service_phone": settings.CUSTOMER_SERVICE_PHONE,
        "customer_service_phone_link": phone_link(settings.CUSTOMER_SERVICE_PHONE),
    }
