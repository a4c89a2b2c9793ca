"""Numbered pages for the portal's shorter lists (orders, service and change requests):
``?pagina=N``, with the other query parameters kept in the pager's links."""

from django.core.paginator import Paginator

PAGE_SIZE = 25


def page_of(request, queryset, size=PAGE_SIZE):
    """The requested page of ``queryset`` and the query string without ``pagina``, for
    ``core/_pager.html``.

    The first page is read with one row more than it shows: when that row is not there,
    the list is no longer than the page and its rows are its count, so most people's
    lists (a shop's own orders and requests) take one query instead of a count and a
    page; a longer list is counted as before."""
    paginator = Paginator(queryset, size)
    number = request.GET.get("pagina")
    if number not in (None, "", "1"):
        page = paginator.get_page(number)
    else:
        head = list(queryset[: size + 1])
        if len(head) <= size:
            paginator.count = len(head)
        page = paginator.page(1)
        page.object_list = head[:size]
    query = request.GET.copy()
    query.pop("pagina", None)
    return page, query.urlencode()
