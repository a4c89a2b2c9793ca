from django.urls import path

from . import page, views

app_name = "api_keys"

urlpatterns = [
    path("", views.key_list, name="list"),
    path("nieuw/", views.key_create, name="create"),
    path("<int:pk>/intrekken/", views.key_revoke, name="revoke"),
    # What apps above add to the page (SCIM's setting), registered from their ready (page.py).
    *page.urlpatterns,
]
