from django.urls import path

from . import views

urlpatterns = [
    path("", views.customer_list, name="customer-list"),
    path("export.csv", views.customer_export, name="customer-export"),
    path("new/", views.customer_create, name="customer-create"),
    path("provinces/", views.province_field, name="customer-provinces"),
    path("<int:pk>/", views.customer_detail, name="customer-detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer-edit"),
    path("<int:pk>/status/", views.customer_status, name="customer-status"),
    path("<int:pk>/delete/", views.customer_delete, name="customer-delete"),
    path("<int:pk>/close/", views.customer_close, name="customer-close"),
    path("<int:pk>/addresses/new/", views.address_add, name="address-add"),
    path("addresses/<int:address_id>/edit/", views.address_edit, name="address-edit"),
    path("addresses/<int:address_id>/main/", views.address_make_main, name="address-main"),
    path("addresses/<int:address_id>/remove/", views.address_remove, name="address-remove"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact-add"),
    path("contacts/<int:contact_id>/edit/", views.contact_edit, name="contact-edit"),
    path("contacts/<int:contact_id>/active/", views.contact_toggle_active, name="contact-active"),
    path("contacts/<int:contact_id>/remove/", views.contact_remove, name="contact-remove"),
    path("<int:pk>/notes/new/", views.note_add, name="note-add"),
    path("notes/<int:note_id>/pin/", views.note_pin, name="note-pin"),
    path("notes/<int:note_id>/delete/", views.note_delete, name="note-delete"),
]
