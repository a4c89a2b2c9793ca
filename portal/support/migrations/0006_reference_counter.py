"""Change requests and contact messages take their numbers from the one counter of
every kind of reference (``core.ReferenceCounter``), gapless per year: numbers given
before (year and database id) stay, and the counters start after the highest of each
year."""

from django.db import migrations

from portal.core.references import seed_counters


def to_counters(apps, schema_editor):
    for model, prefix in (("ChangeRequest", "WV"), ("ContactMessage", "CM")):
        Model = apps.get_model("support", model)
        seed_counters(apps, prefix, Model.objects.exclude(reference=None).values_list("reference", flat=True))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_reference_counter"),
        ("support", "0005_faq_delivery_address_and_email"),
    ]

    operations = [
        migrations.RunPython(to_counters, migrations.RunPython.noop),
    ]
