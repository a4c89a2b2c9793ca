from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("account/", views.account, name="account"),
    path("orders/", views.orders, name="orders"),
    path("bare/", views.bare),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
