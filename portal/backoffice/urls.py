from django.urls import path

from .inboxes import CHANGE_REQUESTS, CONTACT_MESSAGES, SERVICE_REQUESTS
from .views import accounts, audit, home, inbox, organizations

app_name = "backoffice"

service, change, contact = {"inbox": SERVICE_REQUESTS}, {"inbox": CHANGE_REQUESTS}, {"inbox": CONTACT_MESSAGES}

urlpatterns = [
    path("", home.home, name="home"),
    path("organisaties/", organizations.organization_list, name="organization_list"),
    path("organisaties/nieuw/", organizations.organization_create, name="organization_create"),
    path("organisaties/<int:pk>/", organizations.organization_detail, name="organization_detail"),
    path("organisaties/<int:pk>/wijzigen/", organizations.organization_update, name="organization_update"),
    path("organisaties/<int:pk>/toegang/", organizations.organization_access, name="organization_access"),
    path("organisaties/<int:pk>/administrator/", organizations.administrator_invite, name="administrator_invite"),
    path("serviceaanvragen/", inbox.inbox_list, service, name="service_request_list"),
    path("serviceaanvragen/<int:pk>/", inbox.inbox_detail, service, name="service_request_detail"),
    path(
        "serviceaanvragen/<int:pk>/bijlagen/<int:attachment_pk>/",
        inbox.service_attachment,
        service,
        name="service_request_attachment",
    ),
    path("wijzigingsverzoeken/", inbox.inbox_list, change, name="change_request_list"),
    path("wijzigingsverzoeken/<int:pk>/", inbox.inbox_detail, change, name="change_request_detail"),
    path("contactberichten/", inbox.inbox_list, contact, name="contact_message_list"),
    path("contactberichten/<int:pk>/", inbox.inbox_detail, contact, name="contact_message_detail"),
    path("contactberichten/<int:pk>/bijlage/", inbox.contact_attachment, contact, name="contact_message_attachment"),
    path("accounts/", accounts.account_list, name="account_list"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account_detail"),
    path("accounts/<int:pk>/<str:action>/", accounts.account_action, name="account_action"),
    path("audittrail/", audit.audit, name="audit"),
]
