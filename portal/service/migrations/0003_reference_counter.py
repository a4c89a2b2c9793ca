"""Service requests take their numbers from the one counter of every kind of reference
(``core.ReferenceCounter``): the counters start where this app's own sequence was, and
the sequence goes."""

from django.db import migrations

from portal.core.references import seed_counters


def to_counters(apps, schema_editor):
    Sequence = apps.get_model("service", "ReferenceSequence")
    ServiceRequest = apps.get_model("service", "ServiceRequest")
    references = list(ServiceRequest.objects.values_list("reference", flat=True))
    references += [f"SA-{row.year}-{row.last_number:06d}" for row in Sequence.objects.all()]
    seed_counters(apps, "SA", references)


def from_counters(apps, schema_editor):
    Sequence = apps.get_model("service", "ReferenceSequence")
    Counter = apps.get_model("core", "ReferenceCounter")
    for counter in Counter.objects.filter(prefix="SA"):
        Sequence.objects.update_or_create(year=counter.year, defaults={"last_number": counter.last_number})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_reference_counter"),
        ("service", "0002_service_request_org_created"),
    ]

    operations = [
        migrations.RunPython(to_counters, from_counters),
        migrations.DeleteModel(name="ReferenceSequence"),
    ]
