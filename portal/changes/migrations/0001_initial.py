"""Change requests leave the app "support" for their own: the tables stay as they are
(``support_changerequest``, ``support_changerequestmessage``, kept as ``db_table``), so
this migration only tells Django's state, and moves the content types and so the
permissions the staff roles hold."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

APP_LABEL = "changes"


def content_types_from_support(*models):
    """The content types (and so the permissions the staff roles hold) of the models
    this app took over from "support" become this app's."""

    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        Permission = apps.get_model("auth", "Permission")
        for model in models:
            old = ContentType.objects.filter(app_label="support", model=model).first()
            if old is None:
                continue
            new = ContentType.objects.filter(app_label=APP_LABEL, model=model).first()
            if new is None:
                old.app_label = APP_LABEL
                old.save(update_fields=["app_label"])
                continue
            for permission in Permission.objects.filter(content_type=old):  # both exist: keep the roles' grants
                twin = Permission.objects.filter(content_type=new, codename=permission.codename).first()
                if twin is not None:
                    for group in permission.group_set.all():
                        group.permissions.add(twin)
            old.delete()

    def back(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        ContentType.objects.filter(app_label=APP_LABEL, model__in=models).update(app_label="support")

    return migrations.RunPython(move, back)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("support", "0006_reference_counter"),
        ("backoffice", "0002_contact_and_faq_permissions"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChangeRequest",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="laatst bijgewerkt")),
                        ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="gesloten op")),
                        (
                            "reference",
                            models.CharField(editable=False, max_length=20, null=True, unique=True, verbose_name="referentie"),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("personal_data", "Mijn persoonlijke gegevens wijzigen"),
                                    ("my_locations", "Mijn gekoppelde locaties wijzigen"),
                                    ("location_change", "Een locatie, afdeling of adres wijzigen"),
                                    ("location_remove", "Een locatie, afdeling of adres verwijderen"),
                                    ("other", "Iets anders"),
                                ],
                                max_length=20,
                                verbose_name="soort wijziging",
                            ),
                        ),
                        ("description", models.TextField(blank=True, max_length=4000, verbose_name="wat moet er veranderen")),
                        ("proposed", models.JSONField(blank=True, default=dict, verbose_name="gevraagde gegevens")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("new", "Nieuw"),
                                    ("in_progress", "In behandeling"),
                                    ("done", "Afgehandeld"),
                                    ("rejected", "Afgewezen"),
                                    ("withdrawn", "Ingetrokken"),
                                ],
                                default="new",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="ingediend op")),
                        (
                            "assigned_to",
                            models.ForeignKey(
                                blank=True,
                                limit_choices_to={"is_staff": True},
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="assigned_change_requests",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="behandelaar",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="change_requests",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="ingediend door",
                            ),
                        ),
                        (
                            "department",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="change_requests",
                                to="locations.department",
                                verbose_name="afdeling",
                            ),
                        ),
                        (
                            "location",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="change_requests",
                                to="locations.location",
                                verbose_name="locatie",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="change_requests",
                                to="organizations.organization",
                                verbose_name="organisatie",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "wijzigingsverzoek",
                        "verbose_name_plural": "wijzigingsverzoeken",
                        "db_table": "support_changerequest",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="ChangeRequestMessage",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("from_staff", models.BooleanField(default=False, verbose_name="van de klantenservice")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="geplaatst op")),
                        ("body", models.TextField(max_length=4000, verbose_name="bericht")),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="door",
                            ),
                        ),
                        (
                            "change_request",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="messages",
                                to="changes.changerequest",
                                verbose_name="wijzigingsverzoek",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "bericht bij wijzigingsverzoek",
                        "verbose_name_plural": "berichten bij wijzigingsverzoeken",
                        "db_table": "support_changerequestmessage",
                        "ordering": ["created_at", "id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="changerequest",
                    index=models.Index(fields=["organization", "-created_at"], name="change_request_org_time"),
                ),
                migrations.AddIndex(
                    model_name="changerequest",
                    index=models.Index(fields=["created_by", "-created_at"], name="change_request_user_time"),
                ),
                migrations.AddIndex(
                    model_name="changerequest",
                    index=models.Index(fields=["status", "-created_at"], name="change_request_status_time"),
                ),
                migrations.AddConstraint(
                    model_name="changerequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("kind__in", ["personal_data", "my_locations", "location_change", "location_remove", "other"])
                        ),
                        name="change_request_kind_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="changerequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status__in", ["new", "in_progress", "done", "rejected", "withdrawn"])),
                        name="change_request_status_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="changerequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("department__isnull", True), ("location__isnull", False), _connector="OR"),
                        name="change_request_department_needs_location",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="changerequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("closed_at__isnull", True), ("status__in", ("done", "rejected", "withdrawn")), _connector="OR"
                        ),
                        name="change_request_closed_only_when_closed",
                    ),
                ),
            ],
        ),
        content_types_from_support("changerequest", "changerequestmessage"),
    ]
