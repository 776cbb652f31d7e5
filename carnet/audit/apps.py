from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "carnet.audit"
    label = "audit"
    verbose_name = "Change history"

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from .history import stamp_activity

        pre_create_historical_record.connect(stamp_activity, dispatch_uid="carnet.audit.stamp_activity")
