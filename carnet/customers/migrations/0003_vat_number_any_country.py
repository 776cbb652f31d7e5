# VAT numbers are checked for every country python-stdnum knows (vatin), not only the EU: a validator
# change, so no SQL runs.

import carnet.customers.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0002_defaults_and_search_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='customer',
            name='vat_number',
            field=models.CharField(blank=True, max_length=20, validators=[carnet.customers.validators.StdnumValidator('vatin', 'VAT number')], verbose_name='VAT number'),
        ),
        migrations.AlterField(
            model_name='historicalcustomer',
            name='vat_number',
            field=models.CharField(blank=True, max_length=20, validators=[carnet.customers.validators.StdnumValidator('vatin', 'VAT number')], verbose_name='VAT number'),
        ),
    ]
