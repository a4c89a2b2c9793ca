from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0007_location_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="dormancy_days",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="inactief na (dagen)"),
        ),
        migrations.AddField(
            model_name="organization",
            name="dormancy_grace_days",
            field=models.PositiveSmallIntegerField(default=30, verbose_name="gedeactiveerd na nog (dagen)"),
        ),
        migrations.AddField(
            model_name="membership",
            name="leaves_on",
            field=models.DateField(blank=True, null=True, verbose_name="uit dienst per"),
        ),
        migrations.AddField(
            model_name="membership",
            name="left_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="uit dienst verwerkt op"),
        ),
        migrations.AddField(
            model_name="membership",
            name="leave_blocked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="membership",
            name="dormancy_warned_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="gewaarschuwd wegens inactiviteit op"),
        ),
        migrations.AddField(
            model_name="membership",
            name="dormancy_deadline",
            field=models.DateField(blank=True, null=True, verbose_name="gedeactiveerd wegens inactiviteit op"),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(("dormancy_deadline__isnull", True), ("dormancy_warned_at__isnull", False), _connector="OR"),
                name="membership_dormancy_deadline_only_when_warned",
            ),
        ),
    ]
