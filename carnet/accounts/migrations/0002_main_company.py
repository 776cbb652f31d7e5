from django.db import migrations


def create_main_company(apps, schema_editor):
    Company = apps.get_model("accounts", "Company")
    Company.objects.get_or_create(code="MAIN", defaults={"name": "Main company", "currency": "CAD"})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_main_company, migrations.RunPython.noop)]
