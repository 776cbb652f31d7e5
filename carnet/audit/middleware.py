"""Every web and API request is one activity: the changes it makes share its request id and say where they
came from (the API under /api/, the web UI elsewhere)."""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import Source, activity, new_request_id

HEADER = "X-Request-ID"
# A caller's own id (a proxy's, a client's) is kept when it is a plain token: letters, digits and . _ : -
# up to the column's 64 characters. Anything else is replaced, so that nothing odd reaches logs or history.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,64}")
API_PREFIX = "/api/"


def request_id_from(request: HttpRequest) -> str:
    """The request's X-Request-ID when it is acceptable, a new id otherwise."""
    given = request.headers.get(HEADER, "").strip()
    return given if _ACCEPTED.fullmatch(given) else new_request_id()


class ActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = Source.API if request.path.startswith(API_PREFIX) else Source.UI
        with activity(source, request_id=request_id_from(request)) as current:
            request.request_id = current.request_id  # type: ignore[attr-defined]
            response = self.get_response(request)
        response[HEADER] = current.request_id
        return response
