"""On SQLite, a trigram index of the users' search text (FTS5), kept by triggers, and the
count of users per trigram by which a search chooses what to read (``accounts.search``).
PostgreSQL has its trigram index since 0003 and gets nothing here."""

from django.db import migrations

from portal.accounts import search


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
        if not cursor.fetchone()[0]:
            raise RuntimeError(
                "This SQLite is built without FTS5, which the search of accounts needs (SQLite 3.34 or newer, with FTS5)."
            )
        for statement in search.CREATE:
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {search.INDEX}({search.INDEX}) VALUES ('rebuild')")
    search.refresh_counts(schema_editor.connection.alias)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            for statement in search.DROP:
                cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_email_unique_except_elsewhere")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
