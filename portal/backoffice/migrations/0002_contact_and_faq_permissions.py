"""Online customer service answers contact messages and keeps the FAQ up to date."""

from django.db import migrations

CUSTOMER_SERVICE = "Online klantenservice"
CODENAMES = [
    "view_contactmessage",
    "change_contactmessage",
    *(f"{action}_{model}" for model in ("faqtopic", "faqquestion") for action in ("add", "change", "delete", "view")),
]


def grant(apps, schema_editor):
    from importlib import import_module

    create_all = import_module("portal.backoffice.migrations.0001_staff_permissions").create_all_permissions
    create_all(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=CUSTOMER_SERVICE)
    permissions = Permission.objects.filter(content_type__app_label="support", codename__in=CODENAMES)
    assert permissions.count() == len(CODENAMES), CODENAMES
    group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=CUSTOMER_SERVICE):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="support", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0001_staff_permissions"), ("support", "0002_contact_and_faq")]
    operations = [migrations.RunPython(grant, revoke)]
