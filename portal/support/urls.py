from django.urls import path

from . import contact_views, faq_views, views

app_name = "support"

urlpatterns = [
    path("wijzigingen/", views.change_list, name="change_list"),
    path("wijzigingen/nieuw/", views.change_create, name="change_create"),
    path("wijzigingen/<int:pk>/", views.change_detail, name="change_detail"),
    path("wijzigingen/<int:pk>/intrekken/", views.change_withdraw, name="change_withdraw"),
    path("wijzigingen/<int:pk>/doorvoeren/", views.change_apply, name="change_apply"),
    path("contact/", contact_views.contact, name="contact"),
    path("contact/verstuurd/", contact_views.contact_sent, name="contact_sent"),
    path("contact/berichten/", contact_views.contact_list, name="contact_list"),
    path("contact/berichten/<int:pk>/", contact_views.contact_detail, name="contact_detail"),
    path("contact/berichten/<int:pk>/bijlage/", contact_views.contact_attachment, name="contact_attachment"),
    path("veelgestelde-vragen/", faq_views.faq, name="faq"),
    path("veelgestelde-vragen/zoeken/", faq_views.faq_search, name="faq_search"),
    path("veelgestelde-vragen/snelkoppeling-op-je-telefoon/", faq_views.shortcut, name="shortcut"),
    path("veelgestelde-vragen/<slug:topic>/", faq_views.faq_topic, name="faq_topic"),
    path("veelgestelde-vragen/<slug:topic>/<slug:question>/", faq_views.faq_question, name="faq_question"),
    path("handleiding/", faq_views.manual, name="manual"),
]
