"""What an app above the API adds to Accountbeheer's API-sleutels page, registered from its
``AppConfig.ready`` (SCIM: the organization's choice for the accounts it creates): a
section the page shows below the keys, and the URLs under the page that its forms post
to, named in the page's namespace (``api_keys``). The API imports none of these apps."""

_sections = []
urlpatterns = []


def register_section(render, urls=()):
    """``render(request)`` answers the section's HTML, or "" when it has nothing to show."""
    if render in _sections:
        return
    _sections.append(render)
    urlpatterns.extend(urls)


def sections(request):
    return [html for html in (render(request) for render in _sections) if html]
