"""API tokens through the API: list, make and revoke one's own; administrators those of anyone.

A token is revoked, not deleted: it stays listed with when it was revoked. Another user's token is 404 to
everyone but an administrator, as if it did not exist.
"""

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from carnet.customers.schemas import Problem
from carnet.pagination import paginate

from . import services
from .models import User
from .permissions import require
from .roles import Action
from .schemas import TokenCreate, TokenCreated, TokenPage

router = Router(tags=["tokens"])

ERRORS: dict[int, Any] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: Problem}


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _owner(request: HttpRequest, username: str | None) -> User:
    """The user whose tokens are asked for: the actor, or the named user (the services check that the
    actor may manage that user's tokens)."""
    actor = _actor(request)
    if username is None or username == actor.username:
        return actor
    require(actor, Action.MANAGE_USERS)  # before the look-up: others may not learn who exists
    return services.get_user(username=username)


@router.get(
    "/tokens",
    response={200: TokenPage, **ERRORS},
    summary="List API tokens",
    description="Your tokens, newest first, expired and revoked ones included. Administrators may name "
    "another `user`.",
)
def list_tokens(
    request: HttpRequest,
    user: str | None = None,
    limit: int = Query(50, ge=1, le=200),
    cursor: str | None = None,
) -> dict[str, Any]:
    queryset = services.list_tokens(actor=_actor(request), user=_owner(request, user)).select_related("user")
    page = paginate(queryset, sort="-created_at", limit=limit, cursor=cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/tokens",
    response={201: TokenCreated, **WRITE_ERRORS},
    summary="Make an API token",
    description="The answer holds the token itself (`token`), once: only a hash of it is kept.",
)
def create_token(request: HttpRequest, response: HttpResponse, payload: TokenCreate) -> Status:
    token, raw = services.issue_token(
        actor=_actor(request),
        user=_owner(request, payload.user),
        name=payload.name,
        expires_days=payload.expires_days,
    )
    response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    setattr(token, "token", raw)  # for TokenCreated.token, in this answer only  # noqa: B010
    return Status(201, token)


@router.delete(
    "/tokens/{token_id}",
    response={204: None, **ERRORS},
    summary="Revoke an API token",
    description="The token stops working at once and stays listed as revoked. Revoking it again changes "
    "nothing.",
)
def revoke_token(request: HttpRequest, token_id: str) -> Status:
    try:
        pk = int(token_id)
    except ValueError:
        pk = 0  # no token has it: the same 404 as an unknown id
    services.revoke_token(actor=_actor(request), token_id=pk)
    return Status(204, None)
