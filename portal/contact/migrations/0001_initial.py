"""Contact messages leave the app "support" for their own: the tables stay as they are
(``support_contactmessage``, ``support_contactreply``, kept as ``db_table``), so this
migration only tells Django's state, and moves the content types and so the
permissions the staff roles hold."""

import django.db.models.deletion
import portal.contact.models
from django.conf import settings
from django.db import migrations, models

APP_LABEL = "contact"


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
                    name="ContactMessage",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="laatst bijgewerkt")),
                        (
                            "reference",
                            models.CharField(editable=False, max_length=20, null=True, unique=True, verbose_name="referentie"),
                        ),
                        ("name", models.CharField(max_length=150, verbose_name="naam")),
                        ("email", models.EmailField(max_length=254, verbose_name="e-mailadres")),
                        ("phone", models.CharField(blank=True, max_length=30, verbose_name="telefoonnummer")),
                        ("subject", models.CharField(max_length=150, verbose_name="onderwerp")),
                        ("message", models.TextField(max_length=5000, verbose_name="bericht")),
                        (
                            "attachment",
                            models.FileField(
                                blank=True,
                                max_length=200,
                                upload_to=portal.contact.models._attachment_path,
                                verbose_name="bijlage",
                            ),
                        ),
                        ("attachment_name", models.CharField(blank=True, max_length=200, verbose_name="bestandsnaam")),
                        ("attachment_type", models.CharField(blank=True, max_length=50, verbose_name="soort bestand")),
                        ("attachment_size", models.PositiveIntegerField(blank=True, null=True, verbose_name="grootte")),
                        (
                            "status",
                            models.CharField(
                                choices=[("new", "Nieuw"), ("in_progress", "In behandeling"), ("done", "Afgehandeld")],
                                default="new",
                                max_length=20,
                                verbose_name="status",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="verstuurd op")),
                        ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="afgehandeld op")),
                        (
                            "assigned_to",
                            models.ForeignKey(
                                blank=True,
                                limit_choices_to={"is_staff": True},
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="assigned_contact_messages",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="behandelaar",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="contact_messages",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="verstuurd door",
                            ),
                        ),
                        (
                            "organization",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="contact_messages",
                                to="organizations.organization",
                                verbose_name="organisatie",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "contactbericht",
                        "verbose_name_plural": "contactberichten",
                        "db_table": "support_contactmessage",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="ContactReply",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("from_staff", models.BooleanField(default=False, verbose_name="van de klantenservice")),
                        ("body", models.TextField(max_length=5000, verbose_name="bericht")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="geplaatst op")),
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
                            "contact_message",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="replies",
                                to="contact.contactmessage",
                                verbose_name="contactbericht",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "reactie op contactbericht",
                        "verbose_name_plural": "reacties op contactberichten",
                        "db_table": "support_contactreply",
                        "ordering": ["created_at", "id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="contactmessage",
                    index=models.Index(fields=["created_by", "-created_at"], name="contact_message_user_time"),
                ),
                migrations.AddIndex(
                    model_name="contactmessage",
                    index=models.Index(fields=["status", "-created_at"], name="contact_message_status_time"),
                ),
                migrations.AddConstraint(
                    model_name="contactmessage",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("status__in", ["new", "in_progress", "done"])), name="contact_message_status_valid"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="contactmessage",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("closed_at__isnull", True), ("status__in", ("done",)), _connector="OR"),
                        name="contact_message_closed_only_when_done",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="contactmessage",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("organization__isnull", True), ("created_by__isnull", False), _connector="OR"),
                        name="contact_message_organization_has_sender",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="contactmessage",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("attachment", ""),
                                ("attachment_name", ""),
                                ("attachment_size__isnull", True),
                                ("attachment_type", ""),
                            ),
                            models.Q(
                                models.Q(("attachment", ""), _negated=True),
                                models.Q(("attachment_name", ""), _negated=True),
                                models.Q(("attachment_type", ""), _negated=True),
                                ("attachment_size__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="contact_message_attachment_complete",
                    ),
                ),
                migrations.AddIndex(
                    model_name="contactreply",
                    index=models.Index(fields=["contact_message", "created_at"], name="contact_reply_thread"),
                ),
            ],
        ),
        content_types_from_support("contactmessage", "contactreply"),
    ]
