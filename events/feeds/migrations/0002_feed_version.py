"""The feed version counter and the triggers that move it in every writing transaction.

PostgreSQL: one statement-level trigger per table (a bulk write moves it once). SQLite (the
demo): row-level triggers, SQLite has no other kind. Every writer serialises on the one row
only for the rest of its transaction, which a coordinators' tool never notices."""

from django.db import migrations, models
from django.utils import timezone

TABLES = (
    "events_event",
    "events_city",
    "events_participation",
    "events_partnership",
    "events_occurrencechange",
    "feeds_feedtoken",
)
# An upsert, so a flushed table (tests, ``manage.py flush``) gets its row back on the next write.
BUMP = (
    "INSERT INTO feeds_feedversion (id, counter, changed_at) VALUES (1, 1, {now}) "
    "ON CONFLICT (id) DO UPDATE SET counter = feeds_feedversion.counter + 1, changed_at = {now}"
)


def install(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION feeds_bump_version() RETURNS trigger AS $$ BEGIN "
                + BUMP.format(now="clock_timestamp()")
                + "; RETURN NULL; END; $$ LANGUAGE plpgsql"
            )
            for table in TABLES:
                cursor.execute(
                    f"CREATE TRIGGER {table}_feeds_version AFTER INSERT OR UPDATE OR DELETE "
                    f"OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION feeds_bump_version()"
                )
        elif connection.vendor == "sqlite":
            for table in TABLES:
                for action in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER {table}_feeds_version_{action.lower()} AFTER {action} "
                        f"ON {table} BEGIN "
                        + BUMP.format(now="strftime('%Y-%m-%d %H:%M:%f', 'now')")
                        + "; END"
                    )
        else:  # pragma: no cover - the two databases the product runs on
            raise RuntimeError(f"feed version triggers not written for {connection.vendor}")
        cursor.execute(
            "INSERT INTO feeds_feedversion (id, counter, changed_at) VALUES (1, 0, %s)",
            [timezone.now()],
        )


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_feeds_version ON {table}")
            else:
                for action in ("insert", "update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_feeds_version_{action}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS feeds_bump_version()")


class Migration(migrations.Migration):
    dependencies = [
        ("feeds", "0001_initial"),
        ("events", "0002_city_name_ru"),
    ]

    operations = [
        migrations.CreateModel(
            name="FeedVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("counter", models.BigIntegerField(default=0)),
                ("changed_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(install, uninstall),
    ]
