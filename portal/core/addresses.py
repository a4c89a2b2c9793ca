"""Django's ``reverse``, with each address it looks up kept for the next time.

Every page names a dozen addresses or more (the head's, the menu's, the home page's
panels, a link per row), and Django's ``reverse`` takes about 15 µs for each: it matches
the arguments against the pattern and quotes them on every call. The address of a view
name with the same arguments, site prefix, URL configuration, language and application
instance is the same every time, so it is looked up once per process and kept: the last
ADDRESSES of them, as links per row name many. A change of settings forgets them all
(the tests change the URL configuration). ``NoReverseMatch`` is never kept.

The templates' ``{% url %}`` uses it (``core.templatetags.kept_url``), and so do the
pages that name many addresses.
"""

from django.urls import get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse
from django.utils.translation import get_language

from portal.core.once import per_settings

ADDRESSES = 4096


@per_settings(maxsize=ADDRESSES)
def _kept(view_name, args, kwargs, current_app, script_prefix, urlconf, language):
    args = [arg for _type, arg in args]
    kwargs = {name: value for name, _type, value in kwargs}
    return django_reverse(view_name, urlconf=urlconf, args=args, kwargs=kwargs, current_app=current_app)


def reverse(view_name, args=(), kwargs=None, current_app=None):
    """``django.urls.reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)``,
    kept. Arguments that cannot be a key (unhashable) are looked up as Django does."""
    # Each argument with its type: 1, 1.0 and True are equal keys, but not the same address.
    key_args = tuple((type(arg), arg) for arg in args)
    key_kwargs = tuple(sorted((name, type(value), value) for name, value in kwargs.items())) if kwargs else ()
    try:
        hash((view_name, key_args, key_kwargs, current_app))
    except TypeError:
        return django_reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _kept(view_name, key_args, key_kwargs, current_app, get_script_prefix(), get_urlconf(), get_language())
