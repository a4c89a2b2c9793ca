"""What each staff role may do: the permissions of the two staff groups (created by
accounts' migration 0002). The permission functions in ``portal.backoffice.permissions``
ask for these."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ACCOUNT_MANAGER = "Accountmanager"
CUSTOMER_SERVICE = "Online klantenservice"

LOCATIONS = [
    f"{action}_{model}" for model in ("location", "department", "address") for action in ("add", "change", "delete", "view")
]
CATALOGUE = [f"{action}_{model}" for model in ("category", "product") for action in ("add", "change", "delete", "view")]

ROLES = {
    ACCOUNT_MANAGER: {
        "organizations": ["add_organization", "change_organization", "view_organization", "view_membership"],
        "locations": LOCATIONS,
        "ordering": CATALOGUE,
        "core": ["view_auditevent"],
    },
    CUSTOMER_SERVICE: {
        "organizations": ["view_organization", "view_membership", "change_membership"],
        "locations": ["view_location", "view_department", "view_address"],
        "service": ["view_servicerequest", "change_servicerequest"],
        "support": ["view_changerequest", "change_changerequest"],
        "core": ["view_auditevent"],
    },
}


def create_all_permissions(apps):
    """Django creates permissions after all migrations; a fresh database needs them now.
    (A migration's app configs have no models module, which ``create_permissions``
    asks for; the project's own registry, which tests pass, is left as it is.)"""
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module


def grant(apps, schema_editor):
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, by_app in ROLES.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        for app_label, codenames in by_app.items():
            permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            assert permissions.count() == len(codenames), (app_label, codenames)
            group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_staff_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_outgoing_mail"),
        ("locations", "0002_archived"),
        ("ordering", "0001_initial"),
        ("organizations", "0005_order_limit"),
        ("service", "0001_initial"),
        ("support", "0001_initial"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
