from django.urls import path

from . import views

app_name = "changes"

urlpatterns = [
    path("wijzigingen/", views.change_list, name="list"),
    path("wijzigingen/nieuw/", views.change_create, name="create"),
    path("wijzigingen/<int:pk>/", views.change_detail, name="detail"),
    path("wijzigingen/<int:pk>/intrekken/", views.change_withdraw, name="withdraw"),
    path("wijzigingen/<int:pk>/doorvoeren/", views.change_apply, name="apply"),
]
