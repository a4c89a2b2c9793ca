"""The search text of a user (name and e-mail address, lower case, no accents), and on
PostgreSQL a trigram index on it, so that "contains" searches use an index. SQLite has
no such index; there the search reads the organization's rows."""

from django.db import migrations, models

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS user_search_trgm ON accounts_user USING gin (search_text gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS user_search_trgm"]


def fill_search_text(apps, schema_editor):
    from portal.accounts.models import search_key

    User = apps.get_model("accounts", "User")
    for user in User.objects.only("pk", "full_name", "email").iterator(chunk_size=2000):
        User.objects.filter(pk=user.pk).update(search_text=search_key(user.full_name, user.email))


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_organization")]
    operations = [
        migrations.AddField(
            model_name="user",
            name="search_text",
            field=models.CharField(blank=True, editable=False, max_length=500),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(run(CREATE), run(DROP)),
    ]
