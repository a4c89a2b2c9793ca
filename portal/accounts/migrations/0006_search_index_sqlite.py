"""On SQLite, an index of each organization's users' search texts alone: a search scans
it (a third fewer pages to read than the wider name index it scanned before). PostgreSQL
has its trigram index for that (0003) and gets nothing here. A later migration that has
SQLite remake the table drops an index that the model does not declare: it must create
this one again (a test fails if the index is missing)."""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS user_org_search ON accounts_user (organization_id, search_text)"
DROP = "DROP INDEX IF EXISTS user_org_search"


def on_sqlite(statement):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_email_unique_except_elsewhere")]

    operations = [migrations.RunPython(on_sqlite(CREATE), on_sqlite(DROP))]
