"""The JSON shapes of the token API. A token's secret appears in one answer only: the one that made it."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from carnet.customers.schemas import Id

from . import services
from .models import ApiToken


class TokenOut(Schema):
    id: Id
    name: str
    user: str = Field(description="The username the token acts for, with that user's role and companies.")
    hint: str = Field(description="The first characters of the token, to recognise it; never the token.")
    created_at: datetime
    expires_at: datetime | None = Field(description="null: the token never expires.")
    last_used_at: datetime | None = Field(description="Recorded to the minute; null: never used.")
    revoked_at: datetime | None
    state: Literal["usable", "expired", "revoked"]

    @staticmethod
    def resolve_id(obj: ApiToken) -> str:
        return str(obj.pk)

    @staticmethod
    def resolve_user(obj: ApiToken) -> str:
        return obj.user.username

    @staticmethod
    def resolve_state(obj: ApiToken) -> str:
        return services.token_state(obj)


class TokenCreated(TokenOut):
    token: str = Field(
        description="The token itself, for `Authorization: Bearer`. Shown in this answer only: copy it now."
    )


class TokenCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="What the token is for, e.g. erp-sync.", examples=["erp-sync"])
    expires_days: int | None = Field(
        services.DEFAULT_TOKEN_DAYS,
        description=f"Days until the token stops working (1 to {services.MAX_TOKEN_DAYS}); "
        "null: it never expires.",
    )
    user: str | None = Field(
        None, description="Make the token for this user (administrators only); default: yourself."
    )


class TokenPage(Schema):
    items: list[TokenOut]
    next_cursor: str | None
