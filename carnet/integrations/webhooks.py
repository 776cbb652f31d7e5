"""Webhook endpoints, for admins (Action.MANAGE_WEBHOOKS): add, change, rotate or reveal the secret,
remove, and see or hurry the deliveries.

The secret is shown when the endpoint is added and when it is rotated; an admin may reveal it again. It is
kept as given (a receiver needs the same secret to check the signature, so it cannot be stored hashed).
"""

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from carnet.accounts.models import Company, User
from carnet.accounts.permissions import require
from carnet.accounts.roles import Action
from carnet.errors import NotFound, StaleVersion

from . import delivery as posting
from .models import Delivery, EventType, WebhookEndpoint
from .signing import new_secret

ENDPOINT_FIELDS = frozenset({"url", "description", "company", "event_types", "active"})
URL_MAX = 500


def _admin(actor: User | None) -> None:
    if actor is not None:
        require(actor, Action.MANAGE_WEBHOOKS)


def url_errors(url: str) -> list[str]:
    if not url:
        return [_("Give the URL Carnet posts the events to, like https://erp.example.com/carnet.")]
    if len(url) > URL_MAX:
        return [_("At most %(n)d characters.") % {"n": URL_MAX}]
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return [_("This is not a URL.")]
    if parts.scheme not in {"http", "https"}:
        return [_("Use an http:// or https:// URL.")]
    if not parts.hostname:
        return [_("The URL needs a host name, like https://erp.example.com/carnet.")]
    if parts.username or parts.password:
        return [_("Leave the user name and password out of the URL: the signature authenticates Carnet.")]
    return []


def event_type_errors(types: Any) -> list[str]:
    if not isinstance(types, list | tuple) or not all(isinstance(t, str) for t in types):
        return [_("A list of event types.")]
    unknown = sorted(set(types) - set(EventType.values))
    if unknown:
        return [
            _("Unknown event type %(types)s; use some of: %(known)s.")
            % {"types": ", ".join(unknown), "known": ", ".join(EventType.values)}
        ]
    if not types:
        return [_("Choose at least one event type.")]
    return []


def _company(value: Any) -> Company | None:
    if value is None or value == "" or isinstance(value, Company):
        return value or None
    company = Company.objects.filter(code=str(value).strip().upper()).first()
    if company is None:
        raise ValidationError({"company": _("No company has the code %(code)s.") % {"code": value}})
    return company


def _apply(endpoint: WebhookEndpoint, data: Mapping[str, Any]) -> None:
    unknown = sorted(set(data) - ENDPOINT_FIELDS)
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in unknown})
    errors: dict[str, list[str]] = {}
    if "url" in data:
        endpoint.url = str(data["url"] or "").strip()
        errors["url"] = url_errors(endpoint.url)
    if "event_types" in data:
        errors["event_types"] = event_type_errors(data["event_types"])
        if not errors["event_types"]:
            endpoint.event_types = [t for t in EventType.values if t in set(data["event_types"])]
    if "description" in data:
        endpoint.description = str(data["description"] or "").strip()
        if len(endpoint.description) > 200:
            errors["description"] = [_("At most %(n)d characters.") % {"n": 200}]
    if "active" in data:
        if not isinstance(data["active"], bool):
            errors["active"] = [_("true or false.")]
        else:
            endpoint.active = data["active"]
    if "company" in data:
        try:
            endpoint.company = _company(data["company"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


def endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.select_related("company").order_by("id")


def get_endpoint(*, actor: User | None, endpoint_id: int | str) -> WebhookEndpoint:
    _admin(actor)
    try:
        return endpoints().get(pk=int(endpoint_id))
    except (WebhookEndpoint.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("No webhook has the id %(id)s.") % {"id": endpoint_id}) from None


@transaction.atomic
def create_endpoint(*, actor: User | None, data: Mapping[str, Any]) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint (active unless said otherwise). Answers it and its secret, to give the receiver."""
    _admin(actor)
    data = dict(data)
    data.setdefault("url", "")
    data.setdefault("event_types", [])
    endpoint = WebhookEndpoint(secret=new_secret(), created_by=actor if actor and actor.pk else None)
    _apply(endpoint, data)
    endpoint.save()
    return endpoint, endpoint.secret


@transaction.atomic
def update_endpoint(
    *,
    actor: User | None,
    endpoint_id: int | str,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
) -> WebhookEndpoint:
    """Change what is given. A paused (inactive) endpoint keeps receiving deliveries, posted once it is
    active again; a change of subscription applies to the events emitted from now on."""
    endpoint = get_endpoint(actor=actor, endpoint_id=endpoint_id)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if expected_version is not None and endpoint.version != expected_version:
        raise StaleVersion(
            _("Someone else changed this webhook since you read it (version %(expected)s, now %(current)s).")
            % {"expected": expected_version, "current": endpoint.version},
            current_version=endpoint.version,
        )
    _apply(endpoint, changes)
    endpoint.version += 1
    endpoint.save()
    return endpoint


@transaction.atomic
def rotate_secret(*, actor: User | None, endpoint_id: int | str) -> tuple[WebhookEndpoint, str]:
    """A new secret, used from the next attempt on (the old one stops at once)."""
    endpoint = get_endpoint(actor=actor, endpoint_id=endpoint_id)
    endpoint.secret = new_secret()
    endpoint.secret_set_at = timezone.now()
    endpoint.version += 1
    endpoint.save(update_fields=["secret", "secret_set_at", "version", "updated_at"])
    return endpoint, endpoint.secret


def reveal_secret(*, actor: User | None, endpoint_id: int | str) -> str:
    return get_endpoint(actor=actor, endpoint_id=endpoint_id).secret


@transaction.atomic
def delete_endpoint(*, actor: User | None, endpoint_id: int | str) -> None:
    """Remove the endpoint and its delivery log (the events stay in the outbox)."""
    get_endpoint(actor=actor, endpoint_id=endpoint_id).delete()


def deliveries(*, actor: User | None, endpoint_id: int | str) -> QuerySet[Delivery]:
    """The endpoint's deliveries, newest first."""
    endpoint = get_endpoint(actor=actor, endpoint_id=endpoint_id)
    return (
        Delivery.objects.filter(endpoint=endpoint)
        .select_related("event", "event__company")
        .order_by("-created_at", "-id")
    )


def retry_now(*, actor: User | None, delivery_id: int | str) -> Delivery:
    """Make a pending delivery due at once (a delivered one is left as it is)."""
    _admin(actor)
    try:
        found = Delivery.objects.get(pk=int(delivery_id))
    except (Delivery.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("No delivery has the id %(id)s.") % {"id": delivery_id}) from None
    return posting.retry_now(found)


def subscribers(event_type: str, company: Company) -> Iterable[WebhookEndpoint]:
    """The active endpoints that receive this type of event about this company."""
    return [e for e in WebhookEndpoint.objects.filter(active=True) if e.wants(event_type, company.pk)]
