from django.urls import path

from . import views

app_name = "api_keys"

urlpatterns = [
    path("", views.key_list, name="list"),
    path("nieuw/", views.key_create, name="create"),
    path("<int:pk>/intrekken/", views.key_revoke, name="revoke"),
    path("scim/", views.scim_settings, name="scim_settings"),
]
