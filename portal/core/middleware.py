from django.utils.cache import add_never_cache_headers, patch_cache_control


class PrivateCacheMiddleware:
    """Pages shown to a logged-in person are never stored by a shared cache (proxy,
    CDN) nor kept by the browser: they carry personal data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
