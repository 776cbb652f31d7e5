from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "carnet.events"
    label = "events"
    verbose_name = "Events"
