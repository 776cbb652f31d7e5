"""The change history in the API: read only. No route writes it, so PUT, PATCH, POST and DELETE on it
answer 405."""

from typing import Any, cast

from django.http import HttpRequest
from ninja import Query, Router

from carnet.accounts.models import User
from carnet.customers.schemas import Problem

from .queries import history_filters, read_history
from .schemas import HistoryPage, HistoryQuery

router = Router(tags=["history"])


@router.get(
    "/customers/{customer_id}/history",
    response={200: HistoryPage, 401: Problem, 403: Problem, 404: Problem, 422: Problem},
    summary="A customer's change history",
    description="Newest first: one entry per field changed, for the customer, its addresses, contacts, "
    "notes, holds, credit limits and review criteria (per-company ones of your companies only). Filters "
    "combine with AND.",
)
def customer_history(request: HttpRequest, customer_id: str, query: Query[HistoryQuery]) -> dict[str, Any]:
    filters = history_filters(
        field=query.field,
        user=query.user,
        since=query.since,
        until=query.until,
        source=query.source,
        request_id=query.request_id,
    )
    page = read_history(
        reader=cast(User, request.user),
        customer_id=customer_id,
        filters=filters,
        limit=query.limit,
        cursor=query.cursor,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}
