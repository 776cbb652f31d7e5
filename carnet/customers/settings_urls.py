"""The settings pages, under /settings/ (admins only)."""

from django.urls import path

from . import settings_views as views

urlpatterns = [
    path("", views.settings_home, name="settings"),
    path("book/", views.book_settings, name="settings-book"),
    path("book/preview/", views.code_preview, name="settings-code-preview"),
    path("book/provinces/", views.province_field, name="settings-provinces"),
    path("note-categories/", views.note_categories, name="settings-note-categories"),
    path("note-categories/new/", views.note_category_add, name="settings-note-category-add"),
    path("note-categories/<slug:code>/edit/", views.note_category_edit, name="settings-note-category-edit"),
    path(
        "note-categories/<slug:code>/active/",
        views.note_category_active,
        name="settings-note-category-active",
    ),
    path(
        "note-categories/<slug:code>/delete/",
        views.note_category_delete,
        name="settings-note-category-delete",
    ),
]
