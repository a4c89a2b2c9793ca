"""Numbered pages for the portal's shorter lists (orders, service and change requests):
``?pagina=N``, with the other query parameters kept in the pager's links."""

from django.core.paginator import Paginator

PAGE_SIZE = 25


def page_of(request, queryset, size=PAGE_SIZE, head=None, count=None):
    """The requested page of ``queryset`` and the query string without ``pagina``, for
    ``core/_pager.html``.

    The first page is read with one row more than it shows: when that row is not there,
    the list is no longer than the page and its rows are its count, so most people's
    lists (a shop's own orders and requests) take one query instead of a count and a
    page; a longer list is counted as before. ``head`` is that first read when it is
    already done (a prepared query's); ``queryset`` may then be a function that makes
    it, called only when the list is longer than the page or another page is asked.
    ``count``, when given, counts the same rows more cheaply than ``queryset.count()``
    (without a join that only the order needs)."""
    number = request.GET.get("pagina")
    first = number in (None, "", "1")
    if callable(queryset) and (head is None or not first or len(head) > size):
        queryset = queryset()
    paginator = Paginator(head if callable(queryset) else queryset, size)
    if not first:
        if count is not None:
            paginator.count = count()
        page = paginator.get_page(number)
    else:
        if head is None:
            head = list(queryset[: size + 1])
        if len(head) <= size:
            paginator.count = len(head)
        elif count is not None:
            paginator.count = count()
        page = paginator.page(1)
        page.object_list = head[:size]
    query = request.GET.copy()
    query.pop("pagina", None)
    return page, query.urlencode()
