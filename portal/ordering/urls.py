from django.urls import path

from . import views

app_name = "ordering"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("artikel/<int:pk>/", views.product_detail, name="product"),
    path("winkelwagen/", views.cart, name="cart"),
    path("winkelwagen/toevoegen/<int:pk>/", views.cart_add, name="cart_add"),
    path("winkelwagen/<int:pk>/verwijderen/", views.cart_remove, name="cart_remove"),
    path("afrekenen/", views.checkout, name="checkout"),
    path("bestellingen/", views.order_list, name="orders"),
    path("bestellingen/<int:pk>/", views.order_detail, name="order_detail"),
    path("bestellingen/<int:pk>/annuleren/", views.order_cancel, name="order_cancel"),
    path("bestellingen/<int:pk>/opnieuw/", views.order_reorder, name="order_reorder"),
    path("bestellingen/<int:pk>/goedkeuren/", views.order_approve, name="order_approve"),
    path("bestellingen/<int:pk>/afwijzen/", views.order_reject, name="order_reject"),
    path("goedkeuren/", views.approvals, name="approvals"),
]
