from django.urls import include, path

from portal.accounts.urls import allauth_urlpatterns
from portal.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("", include(allauth_urlpatterns)),
    path("", include("portal.accounts.urls")),
]
