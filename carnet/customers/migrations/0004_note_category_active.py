# Note categories can be deactivated (no longer offered for new notes) instead of deleted once notes use
# them; every existing category stays active.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0003_vat_number_any_country'),
    ]

    operations = [
        migrations.AddField(
            model_name='notecategory',
            name='active',
            field=models.BooleanField(default=True, verbose_name='active'),
        ),
    ]
