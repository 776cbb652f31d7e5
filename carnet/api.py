"""The REST API root: authentication, problem+json errors, and the routers of each app."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import HttpBearer, SessionAuth

from carnet.accounts.models import ApiToken
from carnet.errors import CarnetError
from carnet.web.middleware import DATABASE_UNAVAILABLE

logger = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
PROBLEM_TYPE = "https://carnet.invalid/problems/"


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = ApiToken.authenticate(token)
        if api_token is None:
            return None
        # Services and the change history read the acting user from the request.
        request.user = api_token.user
        return api_token.user


class CarnetAPI(NinjaAPI):
    def on_exception(self, request: HttpRequest, exc: Any) -> HttpResponse:
        """An error answer changes nothing. Ninja turns exceptions into answers inside the request's
        transaction (ATOMIC_REQUESTS), which would then commit: roll it back instead. A database that
        cannot be reached is left to carnet.web.middleware (503), past the transaction."""
        if isinstance(exc, DATABASE_UNAVAILABLE):
            raise exc
        response = super().on_exception(request, exc)
        if response.status_code >= 400 and _in_request_transaction(request):
            transaction.set_rollback(True)
        return response

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        """The generated document, with error answers under their real media type, problem+json."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    if str(status).isdigit() and int(status) >= 400 and "content" in answer:
                        answer["content"] = {PROBLEM: next(iter(answer["content"].values()))}
        from carnet.customfields.openapi import describe

        describe(schema)  # this installation's custom fields, as defined when the document is served
        return schema


api = CarnetAPI(
    title="Carnet API",
    version="1",
    description="The customer book and credit desk. Errors are application/problem+json.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _in_request_transaction(request: HttpRequest) -> bool:
    """Whether the request runs in its own transaction: not for a route that opted out (carnet/urls.py),
    whose error must not roll back a transaction around it that is not its own."""
    view = getattr(getattr(request, "resolver_match", None), "func", None)
    opted_out = DEFAULT_DB_ALIAS in getattr(view, "_non_atomic_requests", ())
    return transaction.get_connection().in_atomic_block and not opted_out


def problem(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {"type": PROBLEM_TYPE + code, "title": title, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


def field_errors(exc: DjangoValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": "" if field == "__all__" else field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": m} for m in exc.messages]


# Where ninja found a value (and the names of our handlers' parameter groups), not part of the field name.
_LOCATIONS = frozenset({"body", "payload", "query", "path", "header", "filters"})


@api.exception_handler(SchemaValidationError)
def on_schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        location = [str(p) for p in error.get("loc", []) if p not in _LOCATIONS]
        message = str(error.get("msg", "Invalid value."))
        if error.get("type") == "extra_forbidden":
            message = "Unknown field: remove it, or check its spelling."
        errors.append({"field": ".".join(location), "message": message})
    return problem(
        request,
        status=400,
        code="malformed",
        title="Malformed request",
        detail="The request does not match the expected shape; see errors.",
        errors=errors,
    )


@api.exception_handler(DjangoValidationError)
def on_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return problem(
        request,
        status=422,
        code="invalid",
        title="Invalid data",
        detail="Some fields break a rule; nothing was saved.",
        errors=field_errors(exc),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if hasattr(value, "customer") and hasattr(value, "why"):  # a duplicate twin
        return {
            "id": str(value.customer.pk),
            "code": value.customer.code,
            "name": value.customer.name,
            "why": value.why,
        }
    return value


@api.exception_handler(CarnetError)
def on_carnet_error(request: HttpRequest, exc: CarnetError) -> HttpResponse:
    extra = {k: _jsonable(v) for k, v in exc.extra.items()}
    return problem(
        request,
        status=exc.status,
        code=exc.code,
        title=exc.code.replace("_", " ").capitalize(),
        detail=exc.detail,
        **extra,
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(
        request, status=403, code="forbidden", title="Forbidden", detail=str(exc) or "Not allowed."
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(
        request,
        status=401,
        code="unauthenticated",
        title="Unauthenticated",
        detail="Send a valid token: Authorization: Bearer <token> (see `carnet token`). Unknown, expired "
        "and revoked tokens are refused.",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, status=404, code="not_found", title="Not found", detail=str(exc) or "Not found.")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # Raised by ninja when the body is not JSON at all.
        return problem(
            request,
            status=400,
            code="malformed",
            title="Malformed request",
            detail=f"{exc}: send a JSON object.",
            errors=[{"field": "", "message": str(exc)}],
        )
    return problem(request, status=exc.status_code, code="http_error", title=str(exc), detail=str(exc))


def _register_routers() -> None:
    from carnet.customers.api import router as customers_router

    api.add_router("/", customers_router)
    api.add_router("/", "carnet.accounts.api.router")
    api.add_router("/", "carnet.customers.settings_api.router")
    api.add_router("/", "carnet.customfields.api.router")
    api.add_router("/", "carnet.documents.api.router")
    api.add_router("/", "carnet.credit.api.router")
    api.add_router("/", "carnet.credit.review_api.router")
    api.add_router("/", "carnet.integrations.api.router")
    api.add_router("/", "carnet.audit.api.router")
    api.add_router("/", "carnet.events.api.router")
    api.add_router("/", "carnet.transfer.api.router")


_register_routers()
