from django.urls import path

from . import views

app_name = "contact"

urlpatterns = [
    path("contact/", views.contact, name="form"),
    path("contact/verstuurd/", views.contact_sent, name="sent"),
    path("contact/berichten/", views.contact_list, name="list"),
    path("contact/berichten/<int:pk>/", views.contact_detail, name="detail"),
    path("contact/berichten/<int:pk>/bijlage/", views.contact_attachment, name="attachment"),
]
