"""The command line as an activity: what a `carnet` command changes says it came from the command line and
shares one request id (an import or a review inside keeps the id and says its own source)."""

from typing import Any

from django.core.management.base import BaseCommand

from .context import Source, activity


class RecordedCommand(BaseCommand):
    """A management command whose changes are recorded as the command line's, under one request id.

    `carnet …` opens the same activity for every command (carnet/cli.py); this base class gives it to a
    command called any other way too (`call_command`, `django-admin`)."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        with activity(Source.CLI):
            return super().execute(*args, **options)
