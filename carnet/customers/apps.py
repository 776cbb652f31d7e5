from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "carnet.customers"
    label = "customers"
    verbose_name = "Customers"
