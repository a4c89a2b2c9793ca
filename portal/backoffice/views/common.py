from django.shortcuts import render

from ..navigation import tabs_for


def render_tab(request, template, tab, context):
    """A back-office page, with the tabs of the staff member's role."""
    return render(request, template, {"tabs": tabs_for(request.user, tab), **context})
