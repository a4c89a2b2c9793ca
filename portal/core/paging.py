"""Numbered pages for the portal's shorter lists (orders, service and change requests):
``?pagina=N``, with the other query parameters kept in the pager's links."""

from django.core.paginator import Paginator

PAGE_SIZE = 25


def page_of(request, queryset, size=PAGE_SIZE):
    """The requested page of ``queryset`` and the query string without ``pagina``, for
    ``core/_pager.html``."""
    page = Paginator(queryset, size).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return page, query.urlencode()
