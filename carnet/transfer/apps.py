from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "carnet.transfer"
    label = "transfer"
    verbose_name = "Import and export"
