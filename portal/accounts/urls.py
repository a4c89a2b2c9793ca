"""Login, logout, password reset and change come from django-allauth; only the views the
portal offers are routed (no sign-up, no e-mail management, no password set)."""

from allauth.account import views as allauth_views
from allauth.mfa.base import views as mfa_views
from allauth.mfa.recovery_codes import views as recovery_views
from allauth.mfa.totp import views as totp_views
from allauth.mfa.webauthn import views as webauthn_views
from django.urls import path, re_path

from . import login_page, views

app_name = "accounts"

urlpatterns = [
    path("mijn-account/", views.my_account, name="my_account"),
    path("mijn-account/sessies/", views.my_sessions, name="my_sessions"),
]

allauth_urlpatterns = [
    path("inloggen/", login_page.login, name="account_login"),  # allauth's, its plain page rendered once
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

# Two-step login (allauth's mfa views, at the portal's addresses).
MFA = "mijn-account/tweestapsverificatie/"
allauth_urlpatterns += [
    path(MFA, mfa_views.index, name="mfa_index"),
    path("inloggen/code/", mfa_views.authenticate, name="mfa_authenticate"),
    path("inloggen/passkey/", webauthn_views.login_webauthn, name="mfa_login_webauthn"),
    path("bevestig-code/", mfa_views.reauthenticate, name="mfa_reauthenticate"),
    path("bevestig-passkey/", webauthn_views.reauthenticate_webauthn, name="mfa_reauthenticate_webauthn"),
    path(MFA + "app/", totp_views.activate_totp, name="mfa_activate_totp"),
    path(MFA + "app/verwijderen/", totp_views.deactivate_totp, name="mfa_deactivate_totp"),
    path(MFA + "herstelcodes/", recovery_views.view_recovery_codes, name="mfa_view_recovery_codes"),
    path(MFA + "herstelcodes/nieuw/", recovery_views.generate_recovery_codes, name="mfa_generate_recovery_codes"),
    path(MFA + "herstelcodes/download/", recovery_views.download_recovery_codes, name="mfa_download_recovery_codes"),
    path(MFA + "passkeys/", webauthn_views.list_webauthn, name="mfa_list_webauthn"),
    path(MFA + "passkeys/nieuw/", webauthn_views.add_webauthn, name="mfa_add_webauthn"),
    path(MFA + "passkeys/<int:pk>/verwijderen/", webauthn_views.remove_webauthn, name="mfa_remove_webauthn"),
    path(MFA + "passkeys/<int:pk>/naam/", webauthn_views.edit_webauthn, name="mfa_edit_webauthn"),
]
