from django.urls import path

from . import views

app_name = "service"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("nieuw/", views.request_create, name="create"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/sluiten/", views.request_close, name="close"),
    path("<int:pk>/heropenen/", views.request_reopen, name="reopen"),
    path("<int:pk>/bijlagen/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
