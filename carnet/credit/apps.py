from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "carnet.credit"
    label = "credit"
    verbose_name = "Credit"
