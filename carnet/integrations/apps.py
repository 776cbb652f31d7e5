from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "carnet.integrations"
    label = "integrations"
    verbose_name = "Integrations"
