"""The events API: a customer's calls, meetings, notes and tasks.

Handlers parse, call carnet.events.services (permission and rules in one transaction) and serialise.
Reads need the view permission; events belong to the customer, which every company shares.
"""

from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, PatchDict, Query, Router, Status

from carnet.accounts.models import User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.customers.api import (
    ETAG_HEADER,
    IF_MATCH_HELP,
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    expected_version,
)
from carnet.customers.models import Customer
from carnet.errors import NotFound
from carnet.pagination import paginate

from . import services
from .models import Event
from .queries import customer_events
from .schemas import EventListQuery, EventOut, EventPage, EventUpdate, EventWrite

router = Router(tags=["events"])


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _with_etag(status: int) -> dict[str, Any]:
    return {"responses": {status: {"headers": ETAG_HEADER}}}


def customer_exists(customer_id: str) -> int:
    pk = int(customer_id) if customer_id.isdigit() else 0
    if not Customer.objects.filter(pk=pk).exists():
        raise NotFound(_("No customer has the id %(id)s.") % {"id": customer_id})
    return pk


def _set_etag(response: HttpResponse, event: Event) -> None:
    response["ETag"] = f'"{event.version}"'


@router.get(
    "/customers/{customer_id}/events",
    response={200: EventPage, **LIST_ERRORS},
    summary="List a customer's events",
    description="Newest first: by start, else due date, else creation. Filters combine with AND.",
)
def list_events(request: HttpRequest, customer_id: str, filters: Query[EventListQuery]) -> dict[str, Any]:
    require(_actor(request), Action.VIEW_CUSTOMERS)
    events = customer_events(
        customer_exists(customer_id), status=filters.status, type=filters.type, due_before=filters.due_before
    )
    page = paginate(events, sort="-occurs_at", limit=filters.limit, cursor=filters.cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/customers/{customer_id}/events",
    response={201: EventOut, **WRITE_ERRORS},
    summary="Add an event (call, meeting, note, task)",
    description="Calls and meetings need starts_at; only tasks have due_on; the contact must be the "
    "customer's. An event that ends before it starts is refused (422, naming ends_at).",
    openapi_extra=_with_etag(201),
)
def create_event(
    request: HttpRequest, response: HttpResponse, customer_id: str, payload: EventWrite
) -> Status:
    event = services.create_event(
        actor=_actor(request), customer_id=customer_id, data=payload.model_dump(exclude_unset=True)
    )
    _set_etag(response, event)
    response["Location"] = f"/api/v1/events/{event.pk}"
    return Status(201, services.get_event(event.pk))


@router.get(
    "/events/{event_id}",
    response={200: EventOut, **READ_ERRORS},
    summary="Read an event",
    openapi_extra=_with_etag(200),
)
def get_event(request: HttpRequest, response: HttpResponse, event_id: str) -> Event:
    require(_actor(request), Action.VIEW_CUSTOMERS)
    event = services.get_event(event_id)
    _set_etag(response, event)
    return event


@router.patch(
    "/events/{event_id}",
    response={200: EventOut, **WRITE_ERRORS},
    summary='Change an event (mark it done: {"status": "done"})',
    description="Only the fields sent change. Send the version read in If-Match (or as `version`).",
    openapi_extra=_with_etag(200),
)
def update_event(
    request: HttpRequest,
    response: HttpResponse,
    event_id: str,
    payload: PatchDict[EventUpdate],
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_HELP),
) -> Event:
    require(_actor(request), Action.CHANGE_CUSTOMER)
    version = expected_version(if_match, payload.pop("version", None))
    event = services.update_event(
        actor=_actor(request), event_id=event_id, changes=payload, expected_version=version
    )
    _set_etag(response, event)
    return services.get_event(event.pk)


@router.delete("/events/{event_id}", response={204: None, **WRITE_ERRORS}, summary="Delete an event")
def delete_event(request: HttpRequest, event_id: str) -> Status:
    services.delete_event(actor=_actor(request), event_id=event_id)
    return Status(204, None)
