"""The FAQ leaves the app "support" for its own: the tables stay as they are
(``support_faqtopic``, ``support_faqquestion``, kept as ``db_table``), so this migration
only tells Django's state, and moves the content types and so the permissions the
staff roles hold."""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models

APP_LABEL = "help"


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
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FaqTopic",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("title", models.CharField(max_length=100, verbose_name="onderwerp")),
                        (
                            "slug",
                            models.SlugField(
                                help_text="Het deel van het webadres, bijvoorbeeld 'bestellen'.",
                                max_length=60,
                                unique=True,
                                verbose_name="adres",
                            ),
                        ),
                        ("intro", models.TextField(blank=True, max_length=1000, verbose_name="inleiding")),
                        ("order", models.PositiveSmallIntegerField(default=0, verbose_name="volgorde")),
                        ("is_published", models.BooleanField(default=True, verbose_name="gepubliceerd")),
                    ],
                    options={
                        "verbose_name": "onderwerp van de veelgestelde vragen",
                        "verbose_name_plural": "onderwerpen van de veelgestelde vragen",
                        "db_table": "support_faqtopic",
                        "ordering": ["order", "title", "id"],
                        "constraints": [
                            models.UniqueConstraint(django.db.models.functions.text.Lower("title"), name="faq_topic_title_unique")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="FaqQuestion",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("question", models.CharField(max_length=200, verbose_name="vraag")),
                        ("slug", models.SlugField(max_length=80, verbose_name="adres")),
                        ("answer", models.TextField(max_length=10000, verbose_name="antwoord")),
                        ("order", models.PositiveSmallIntegerField(default=0, verbose_name="volgorde")),
                        ("is_published", models.BooleanField(default=True, verbose_name="gepubliceerd")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="laatst bijgewerkt")),
                        ("search_text", models.TextField(default="", editable=False)),
                        (
                            "topic",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="questions",
                                to="help.faqtopic",
                                verbose_name="onderwerp",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "veelgestelde vraag",
                        "verbose_name_plural": "veelgestelde vragen",
                        "db_table": "support_faqquestion",
                        "ordering": ["topic__order", "topic_id", "order", "id"],
                        "constraints": [
                            models.UniqueConstraint(fields=("topic", "slug"), name="faq_question_slug_unique_in_topic")
                        ],
                    },
                ),
            ],
        ),
        content_types_from_support("faqtopic", "faqquestion"),
    ]
