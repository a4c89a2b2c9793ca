from django.urls import path

from . import views

app_name = "help"

urlpatterns = [
    path("veelgestelde-vragen/", views.faq, name="faq"),
    path("veelgestelde-vragen/zoeken/", views.faq_search, name="faq_search"),
    path("veelgestelde-vragen/snelkoppeling-op-je-telefoon/", views.shortcut, name="shortcut"),
    path("veelgestelde-vragen/<slug:topic>/", views.faq_topic, name="faq_topic"),
    path("veelgestelde-vragen/<slug:topic>/<slug:question>/", views.faq_question, name="faq_question"),
    path("handleiding/", views.manual, name="manual"),
]
