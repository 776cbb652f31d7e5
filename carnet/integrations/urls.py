"""The integrations' pages: the webhooks (admins) and sending a customer to accounting."""

from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/", views.webhook_list, name="settings-webhooks"),
    path("webhooks/<int:endpoint_id>/", views.webhook_detail, name="settings-webhook"),
    path("webhooks/<int:endpoint_id>/secret/", views.webhook_secret, name="settings-webhook-secret"),
    path("webhooks/<int:endpoint_id>/delete/", views.webhook_delete, name="settings-webhook-delete"),
    path("deliveries/<int:delivery_id>/retry/", views.delivery_retry, name="settings-delivery-retry"),
    path("accounting/", views.accounting_settings, name="settings-accounting"),
    path("customers/<int:pk>/accounting-sync/", views.send_to_accounting, name="customer-accounting-sync"),
]
