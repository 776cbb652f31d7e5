from django.db import migrations

NOTE_CATEGORIES = [
    ("general", "General", "Général"),
    ("credit", "Credit", "Crédit"),
    ("billing", "Billing", "Facturation"),
    ("delivery", "Delivery", "Livraison"),
    ("sales", "Sales", "Ventes"),
]


def create_defaults(apps, schema_editor):
    NoteCategory = apps.get_model("customers", "NoteCategory")
    for position, (code, label_en, label_fr) in enumerate(NOTE_CATEGORIES):
        NoteCategory.objects.get_or_create(
            code=code, defaults={"label_en": label_en, "label_fr": label_fr, "position": position}
        )
    apps.get_model("customers", "BookSettings").objects.get_or_create(pk=1)


def create_trigram_indexes(apps, schema_editor):
    # Type-ahead search and twin detection use trigram indexes where the database has them.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS customer_search_trgm ON customers_customer "
        "USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS customer_name_key_trgm ON customers_customer "
        "USING gin (name_key gin_trgm_ops)"
    )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS customer_search_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS customer_name_key_trgm")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
