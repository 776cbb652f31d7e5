from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    NOTE = "note", _("Note")
    TASK = "task", _("Task")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Types that happen at a moment: they need a start; tasks have a due date instead.
TIMED_TYPES = frozenset({EventType.CALL, EventType.MEETING})
