import django.db.models.deletion
from django.db import migrations, models


def move_texts(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO customers_searchtext (customer_id, text) SELECT id, search_text FROM customers_customer"
    )


def move_texts_back(apps, schema_editor):
    schema_editor.execute(
        "UPDATE customers_customer SET search_text = s.text FROM customers_searchtext s "
        "WHERE s.customer_id = customers_customer.id"
        if schema_editor.connection.vendor == "postgresql"
        else "UPDATE customers_customer SET search_text = "
        "(SELECT s.text FROM customers_searchtext s WHERE s.customer_id = customers_customer.id)"
    )


def index_texts(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS search_text_trgm ON customers_searchtext USING gin (text gin_trgm_ops)"
    )
    # A change to a customer's addresses or contacts gives the customer a new version and date only: with
    # room left on its page, the new row version stays there and none of the table's indexes is touched
    # (a HOT update), even when an import changes every customer at once.
    schema_editor.execute("ALTER TABLE customers_customer SET (fillfactor = 50)")


def unindex_texts(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE customers_customer RESET (fillfactor)")
    schema_editor.execute("DROP INDEX IF EXISTS search_text_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS customer_search_trgm ON customers_customer "
        "USING gin (search_text gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_history_source")]

    operations = [
        migrations.CreateModel(
            name="SearchText",
            fields=[
                (
                    "customer",
                    models.OneToOneField(
                        editable=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search",
                        serialize=False,
                        to="customers.customer",
                    ),
                ),
                ("text", models.TextField(default="", editable=False)),
            ],
            options={"verbose_name": "search text", "verbose_name_plural": "search texts"},
        ),
        migrations.RunPython(move_texts, move_texts_back),
        migrations.RunPython(index_texts, unindex_texts),
        migrations.RemoveField(model_name="customer", name="search_text"),
    ]
