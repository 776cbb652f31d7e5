"""A GIN index on customers' custom values, for the list's filters by a custom field (PostgreSQL only).

jsonb_path_ops serves containment (custom_fields @> '{"segment": "PME"}'), the one operator the filters
use for equality, and is smaller and faster than the default operator class. Other databases have no GIN
indexes: there the filter compares json_extract() row by row.
"""

from django.db import migrations

INDEX = "customer_custom_fields_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON customers_customer USING gin (custom_fields jsonb_path_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("customfields", "0001_initial"),
        ("customers", "0005_custom_fields"),
    ]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
