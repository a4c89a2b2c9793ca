"""Orders take their numbers from the one counter of every kind of reference
(``core.ReferenceCounter``), gapless per year: numbers given before (year and database
id) stay, and the counter starts after the highest of each year."""

from django.db import migrations

from portal.core.references import seed_counters


def to_counters(apps, schema_editor):
    Order = apps.get_model("ordering", "Order")
    seed_counters(apps, "B", Order.objects.values_list("number", flat=True))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_reference_counter"),
        ("ordering", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_counters, migrations.RunPython.noop),
    ]
