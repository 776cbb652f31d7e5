"""The Import / Export page, under /transfer/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.transfer_page, name="transfer"),
    path("import/", views.import_preview, name="transfer-import-preview"),
    path("import/confirm/", views.import_confirm, name="transfer-import-confirm"),
    path("import/result/", views.import_result, name="transfer-import-result"),
    path("export/<slug:kind>.csv", views.export_download, name="transfer-export"),
]
