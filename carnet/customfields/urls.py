"""The custom-field settings pages, under /settings/custom-fields/ (admins only)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.field_list, name="settings-custom-fields"),
    path("new/", views.field_add, name="settings-custom-field-add"),
    path("<slug:target>/<slug:key>/", views.field_edit, name="settings-custom-field-edit"),
    path("<slug:target>/<slug:key>/active/", views.field_active, name="settings-custom-field-active"),
    path("<slug:target>/<slug:key>/delete/", views.field_delete, name="settings-custom-field-delete"),
]
