from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CustomersConfig(AppConfig):
    name = "carnet.customers"
    label = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from .sqlite_search import ensure_search_index

        post_migrate.connect(ensure_search_index, sender=self)
