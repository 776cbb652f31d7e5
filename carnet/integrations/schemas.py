"""The JSON shapes of the integrations' API: accounting sync states, webhook endpoints and deliveries.

Write bodies forbid unknown fields. Answers are built as plain JSON by the handlers (integrations/api.py).
"""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from carnet.customers.schemas import Id

from .models import EventType

SyncStateName = Literal["never", "pending", "synced", "failed"]
EVENT_TYPES_HELP = "Event types: " + ", ".join(EventType.values) + "."


# --- accounting sync -------------------------------------------------------------------------------------


class SyncOut(Schema):
    company: str
    state: SyncStateName = Field(description="never (not sent), pending, synced or failed.")
    external_id: str | None = Field(description="The customer's id in the accounting system, once synced.")
    last_error: str | None = Field(description="Why the accounting system refused it (state failed).")
    requested_at: datetime | None = Field(description="When it was last sent.")
    reported_at: datetime | None = Field(description="When the accounting system last answered.")
    synced_at: datetime | None = Field(description="When it was last synced.")


class CustomerSyncOut(Schema):
    customer: Id
    companies: list[SyncOut]


class SyncRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    company: str | None = Field(None, description="The company's code (or ?company=).", examples=["MAIN"])


class NoBody(Schema):
    """Nothing to send (an empty object, or no body)."""

    model_config = ConfigDict(extra="forbid")


class SyncReportIn(Schema):
    """What the accounting connector reports about a customer it was sent."""

    model_config = ConfigDict(extra="forbid")

    company: str = Field(description="The company's code.", examples=["MAIN"])
    state: Literal["synced", "failed"]
    external_id: str | None = Field(None, description="With synced: the customer's id in the accounting.")
    error: str | None = Field(None, description="With failed: why the accounting system refused it.")


# --- webhooks --------------------------------------------------------------------------------------------


class WebhookOut(Schema):
    id: Id
    url: str
    description: str
    company: str | None = Field(description="The company it follows; null: every company.")
    event_types: list[str] = Field(description=EVENT_TYPES_HELP)
    active: bool
    secret_set_at: datetime
    created_at: datetime
    version: int = Field(description="Send it in If-Match to change the webhook.")
    pending: int = Field(description="Deliveries not yet delivered.")


class WebhookSecretOut(WebhookOut):
    secret: str = Field(
        description="Signs every delivery (Carnet-Signature); give it to the receiver. Admins may reveal it "
        "again (GET /webhooks/{id}/secret) or rotate it."
    )


class SecretOut(Schema):
    secret: str


class WebhookPage(Schema):
    items: list[WebhookOut]
    next_cursor: str | None


class WebhookIn(Schema):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(description="http:// or https:// URL the events are posted to.")
    event_types: list[str] = Field(description=EVENT_TYPES_HELP)
    description: str = ""
    company: str | None = Field(None, description="Only this company's events; null: every company.")
    active: bool = True


class WebhookPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    company: str | None = Field(None, description='A company code, or "" for every company.')
    active: bool | None = None
    version: int | None = Field(None, description="The version read; a stale one is a 409 (as If-Match).")


class DeliveryOut(Schema):
    id: Id
    event_id: str
    event_type: str
    customer: str | None
    sequence: int | None
    status: Literal["pending", "delivered"]
    attempts: int
    next_attempt_at: datetime | None = Field(description="When it is tried again (pending).")
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    response_code: int | None
    last_error: str | None
    created_at: datetime


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    next_cursor: str | None
