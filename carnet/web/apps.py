from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "carnet.web"
    label = "web"
    verbose_name = "Web"
