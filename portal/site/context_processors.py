from .navigation import menu_for


def menu(request):
    """The main menu of every page (``site/navigation.py``)."""
    user = getattr(request, "user", None)
    return {"menu": menu_for(user, request.path) if user is not None else []}
