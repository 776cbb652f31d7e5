from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "carnet.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from carnet.customers import usage

        from .usage import customer_documents, has_sales

        # A customer with documents is used (it cannot be deleted) and has sales when it has orders or
        # invoices (its Customer category stays).
        usage.register_customer_usage(customer_documents)
        usage.register_sales_check(has_sales)
