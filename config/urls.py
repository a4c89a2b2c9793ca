from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path, re_path

from portal.accounts.urls import allauth_urlpatterns
from portal.api import docs as api_docs
from portal.api import rest as api_rest
from portal.backoffice.admin import site as backoffice_admin
from portal.core import pwa
from portal.core import views as core_views
from portal.organizations import views as organization_views
from portal.site import views as site_views

urlpatterns = [
    path("", site_views.home, name="home"),
    path("taal/", core_views.language, name="set_language"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("", include(allauth_urlpatterns)),
    path("", include("portal.accounts.urls")),
    path("accountbeheer/api-sleutels/", include("portal.api.urls")),
    path("accountbeheer/toegangscontrole/", include("portal.reviews.urls")),
    path("accountbeheer/", include("portal.organizations.urls")),
    path("api/v1/", api_rest.urls()),
    path("api/v1/docs/", api_docs.docs, name="api_docs"),
    re_path(r"^api/v1/(?!docs$)", api_rest.unknown),  # any other path there: problem+json, not a page
    path("scim/v2/", include("portal.scim.urls")),
    path("locaties/", include("portal.locations.urls")),
    path("bestellen/", include("portal.ordering.urls")),
    path("serviceaanvragen/", include("portal.service.urls")),
    path("", include("portal.changes.urls")),
    path("", include("portal.contact.urls")),
    path("", include("portal.help.urls")),
    path("backoffice/stamgegevens/", backoffice_admin.urls),
    path("backoffice/", include("portal.backoffice.urls")),
    path("uitnodiging/<str:token>/", organization_views.invitation_accept, name="invitation_accept"),
    path(
        "mijn-account/e-mailadres-bevestigen/<str:token>/",
        organization_views.email_change_confirm,
        name="email_change_confirm",
    ),
]

handler400 = core_views.bad_request

if settings.BENCH_BARE_VIEW:  # the benchmark's baseline: a short text, same middleware

    def bench_bare(request):
        return HttpResponse("ok", content_type="text/plain")

    urlpatterns.append(path("bench/bare/", bench_bare))
