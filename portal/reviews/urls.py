from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("starten/", views.review_start, name="start"),
    path("elk-kwartaal/", views.review_schedule, name="schedule"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/account/<int:item_pk>/klopt/", views.item_confirm, name="item_confirm"),
    path("<int:pk>/account/<int:item_pk>/gewijzigd/", views.item_record_change, name="item_record_change"),
    path("<int:pk>/afronden/", views.review_finish, name="finish"),
    path("<int:pk>/export.csv", views.review_export, name="export"),
    path("<int:pk>/afdrukken/", views.review_print, name="print"),
]
