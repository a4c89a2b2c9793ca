from django.urls import path

from . import views, views_four_eyes, views_inactivity

app_name = "accountbeheer"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("export.csv", views.account_export, name="export"),
    path("nieuw/", views.account_invite, name="invite"),
    path("bulk/", views.account_bulk, name="bulk"),
    path("import/", views.import_upload, name="import"),
    path("import/voorbeeld.csv", views.import_sample, name="import_sample"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/bevestigen/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/annuleren/", views.import_cancel, name="import_cancel"),
    path("beveiliging/", views.security, name="security"),
    path("activiteit/", views.activity_list, name="activity"),
    path("activiteit/export.csv", views.activity_export, name="activity_export"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/wijzigen/", views.account_change, name="change"),
    path("<int:pk>/deactiveren/", views.account_deactivate, name="deactivate"),
    path("<int:pk>/activeren/", views.account_reactivate, name="reactivate"),
    path("<int:pk>/verwijderen/", views.account_delete, name="delete"),
    path("<int:pk>/tweestapsverificatie/", views.account_mfa_reset, name="mfa_reset"),
    path("<int:pk>/uitnodiging/opnieuw/", views.invitation_resend, name="invitation_resend"),
    path("<int:pk>/uitnodiging/intrekken/", views.invitation_withdraw, name="invitation_withdraw"),
    # Unused accounts and leavers
    path("inactief-en-uit-dienst/", views_inactivity.inactivity, name="inactivity"),
    path("<int:pk>/uit-dienst/", views_inactivity.account_leave, name="leave"),
    path("<int:pk>/over-te-dragen/", views_inactivity.account_handover, name="handover"),
    # Vier ogen: changes waiting for a second administrator
    path("vier-ogen/", views_four_eyes.four_eyes, name="four_eyes"),
    path("vier-ogen/<int:pk>/goedkeuren/", views_four_eyes.four_eyes_approve_view, name="four_eyes_approve"),
    path("vier-ogen/<int:pk>/afwijzen/", views_four_eyes.four_eyes_refuse_view, name="four_eyes_refuse"),
    path("vier-ogen/<int:pk>/intrekken/", views_four_eyes.four_eyes_withdraw_view, name="four_eyes_withdraw"),
]
