"""The change history in JSON."""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from .context import Source


class HistoryEntryOut(Schema):
    id: str = Field(description="The entry's id: object, history row and field.")
    at: datetime
    user: str | None = Field(description="Who made the change (username); null: the installation.")
    source: str = Field(description=f"Where it came from: {', '.join(Source.values)}.")
    request_id: str = Field(
        description="Shared by every change of one action (a request, a command, an import)."
    )
    object: str = Field(
        description="customer, address, contact, note, hold, credit_limit or review_criteria."
    )
    object_id: int
    object_label: str = Field(description="What the object was at that moment, for people.")
    field: str = Field(description="The field; custom fields are custom_fields.<key>.")
    old: Any = Field(description="The value before (null on creation). References by code or username.")
    new: Any = Field(description="The value after (null on deletion).")
    change: Literal["created", "changed", "deleted"]


class HistoryPage(Schema):
    items: list[HistoryEntryOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class HistoryQuery(Schema):
    field: str = Field("", description="One field (custom_fields: every custom field).")
    user: str = Field("", description="A username.")
    since: str = Field("", description="From this day (YYYY-MM-DD) or moment (ISO 8601), included.")
    until: str = Field("", description="Up to this day included, or this moment excluded.")
    source: str = Field("", description=f"One of {', '.join(Source.values)}.")
    request_id: str = ""
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = None
