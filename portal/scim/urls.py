from django.urls import path

from . import views

urlpatterns = [
    path("", views.base, name="scim_base"),
    path("ServiceProviderConfig", views.service_provider_config, name="scim_service_provider_config"),
    path("Schemas", views.schemas, name="scim_schemas"),
    path("Schemas/<str:schema_id>", views.schema, name="scim_schema"),
    path("ResourceTypes", views.resource_types, name="scim_resource_types"),
    path("ResourceTypes/<str:name>", views.resource_type, name="scim_resource_type"),
    path("Users", views.users, name="scim_users"),
    path(".search", views.users_search, name="scim_search"),  # the only resource type is User
    path("Users/.search", views.users_search, name="scim_users_search"),
    path("Users/<str:user_id>", views.user, name="scim_user"),
    path("<path:rest>", views.unknown),  # anything else: a SCIM 404, not the portal's page
]
