from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("wijzigingen/", views.change_list, name="change_list"),
    path("wijzigingen/nieuw/", views.change_create, name="change_create"),
    path("wijzigingen/<int:pk>/", views.change_detail, name="change_detail"),
    path("wijzigingen/<int:pk>/intrekken/", views.change_withdraw, name="change_withdraw"),
]
