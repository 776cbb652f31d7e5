"""Request-level safeguards: a 503 with a retry hint instead of a stack trace while the database cannot be
reached, and the idle and absolute limits of a signed-in session.

The database: every request is one transaction (ATOMIC_REQUESTS), so a connection lost in the middle of a
request rolls back everything the request wrote. The view's exception reaches
DatabaseUnavailableMiddleware.process_exception; one raised by another middleware (loading the session,
say) reaches Django's 500 handler, which is `server_error` below. Django closes a connection that failed
when the request ends, and CONN_HEALTH_CHECKS tests a kept one before reusing it, so the first request
after the database is back simply works.
"""

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

# What a driver raises when the server is down, restarting, unreachable or dropped the connection (and,
# on PostgreSQL, deadlocks and serialization failures, after which trying again is the right advice too).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: problem+json under /api/, a short page elsewhere. Nothing here may touch the
    database, not even the signed-in user (the page is rendered without the request's context)."""
    if request.path.startswith("/api/"):
        from carnet.api import problem  # the API module imports every router: load it only when needed

        response = problem(
            request,
            status=503,
            code="database_unavailable",
            title="Service unavailable",
            detail=f"The database cannot be reached; nothing was changed. Try again in "
            f"{RETRY_AFTER_SECONDS} seconds.",
        )
    else:
        response = HttpResponse(
            render_to_string("web/unavailable.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        logger.warning("Database unavailable during %s %s: %s", request.method, request.path, exception)
        return database_unavailable(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler, but a 503 when the error is the database being unavailable."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    return defaults.server_error(request)


# --- sessions ------------------------------------------------------------------------------------

SIGNED_IN_AT = "carnet_signed_in_at"
SEEN_AT = "carnet_seen_at"
# The last request is recorded to the minute: a session write per minute, not per request.
SEEN_PRECISION = 60


def stamp_signed_in_session(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """On signing in (the user_logged_in signal): the session's start, written with the sign-in itself so
    that the requests of the next minute write nothing."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Signs out a session idle for longer than SESSION_IDLE_TIMEOUT, or older than SESSION_COOKIE_AGE
    since it signed in, whatever its activity. API requests with a token carry no session: untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = time.time()
            signed_in_at = session.get(SIGNED_IN_AT, now)
            seen_at = session.get(SEEN_AT, now)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            if now - seen_at > idle or now - signed_in_at > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, _("Your session has ended. Sign in again to go on."))
            else:
                if SIGNED_IN_AT not in session:
                    session[SIGNED_IN_AT] = now
                if SEEN_AT not in session or now - seen_at > SEEN_PRECISION:
                    session[SEEN_AT] = now
        return self.get_response(request)
