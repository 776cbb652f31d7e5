"""Carnet's change history, kept by django-simple-history: the models' `history` fields are made here, and
every historical row is stamped with the activity under way (its source and request id).

    history = recorded_history(excluded_fields=[...])

Rows are never written by hand: simple-history records each save and delete of a tracked model, and the
history's readers (queries.py) diff consecutive rows with simple-history's `diff_against`.
"""

from collections.abc import Iterable
from typing import Any

from simple_history.models import HistoricalRecords

from .context import current
from .models import RecordedChange


def recorded_history(**options: Any) -> HistoricalRecords:
    """A model's history whose rows say where each change came from (source, request id)."""
    return HistoricalRecords(bases=[RecordedChange], **options)


class HistoryOfFields(HistoricalRecords):
    """A history that records a save only when it may touch one of `fields`.

    For rows that change far more often than what their history is for: the credit account's kept balances
    change with every document, while its history is about the limit. A save naming its `update_fields`
    without any of `fields` is not recorded; creations, deletions and full saves are (a full save that
    changed nothing shows no entry, as readers skip rows equal to the one before)."""

    def __init__(self, *, fields: Iterable[str], **options: Any) -> None:
        super().__init__(bases=[RecordedChange], **options)
        self.recorded_fields = frozenset(fields)

    def post_save(self, instance: Any, created: bool, using: str | None = None, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if not created and update_fields is not None and not self.recorded_fields & set(update_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)


def stamp_activity(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """simple-history's `pre_create_historical_record`: the row says the source and request id of the
    activity under way (a system change with an id of its own outside any)."""
    if isinstance(history_instance, RecordedChange):
        activity = current()
        history_instance.source = activity.source
        history_instance.request_id = activity.request_id
