"""Login, logout, password reset and change come from django-allauth; only the views the
portal offers are routed (no sign-up, no e-mail management, no password set)."""

from allauth.account import views as allauth_views
from django.urls import path, re_path

from . import views

app_name = "accounts"

urlpatterns = [
    path("mijn-account/", views.my_account, name="my_account"),
]

allauth_urlpatterns = [
    path("inloggen/", allauth_views.login, name="account_login"),
    path("uitloggen/", allauth_views.logout, name="account_logout"),
    path("inactief/", allauth_views.account_inactive, name="account_inactive"),
    path("bevestig-wachtwoord/", allauth_views.reauthenticate, name="account_reauthenticate"),
    path(
        "mijn-account/wachtwoord-wijzigen/",
        allauth_views.password_change,
        name="account_change_password",
    ),
    path("wachtwoord-vergeten/", allauth_views.password_reset, name="account_reset_password"),
    path(
        "wachtwoord-vergeten/verstuurd/",
        allauth_views.password_reset_done,
        name="account_reset_password_done",
    ),
    re_path(
        r"^wachtwoord-vergeten/link/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        allauth_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "wachtwoord-vergeten/gereed/",
        allauth_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
]
