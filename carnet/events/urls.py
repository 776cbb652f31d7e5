from django.urls import path

from . import views

urlpatterns = [
    path("tasks/", views.my_tasks, name="my-tasks"),
    path("customers/<int:pk>/timeline/", views.timeline_entries, name="timeline-entries"),
    path("customers/<int:pk>/new/", views.event_add, name="event-add"),
    path("<int:event_id>/edit/", views.event_edit, name="event-edit"),
    path("<int:event_id>/done/", views.event_done, name="event-done"),
    path("<int:event_id>/delete/", views.event_delete, name="event-delete"),
]
