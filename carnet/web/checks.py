"""Carnet's own deployment checks, in Django's system check framework: `carnet check --deploy` runs them
with Django's (`carnet check --deploy --tag carnet` alone). An Error makes the command exit non-zero."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

TAG = "carnet"
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


@register(TAG, deploy=True)
def check_secret_key(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    if not settings.SECRET_KEY or settings.SECRET_KEY == settings.DEFAULT_SECRET_KEY:
        return [
            Error(
                "CARNET_SECRET_KEY is not set: the server signs sessions with the key every installation "
                "shares.",
                hint="Set CARNET_SECRET_KEY to a long random value, e.g. the output of "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(50))', and keep it secret.",
                id="carnet.E001",
            )
        ]
    return []


@register(TAG, deploy=True)
def check_debug(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return [
            Error(
                "CARNET_DEBUG is on: an error shows its stack trace, settings and data to whoever caused it.",
                hint="Unset CARNET_DEBUG (or set it to 0) in production.",
                id="carnet.E002",
            )
        ]
    return []


@register(TAG, deploy=True)
def check_allowed_hosts(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    hosts = [h for h in settings.ALLOWED_HOSTS if h]
    if "*" in hosts:
        return [
            Warning(
                "CARNET_ALLOWED_HOSTS accepts any host name ('*'): forged Host headers reach the server.",
                hint="List the names people use to reach Carnet, e.g. carnet.example.com.",
                id="carnet.W003",
            )
        ]
    if hosts and set(hosts) <= LOOPBACK_HOSTS:
        return [
            Warning(
                f"CARNET_ALLOWED_HOSTS names only this machine ({', '.join(hosts)}): other computers "
                "cannot use Carnet.",
                hint="Add the names people use to reach Carnet, e.g. "
                "CARNET_ALLOWED_HOSTS=carnet.example.com.",
                id="carnet.W004",
            )
        ]
    return []


@register(TAG, deploy=True)
def check_database(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """The database answers, and every migration is applied."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return [
            Error(
                f"The database cannot be reached: {str(exc).strip()}",
                hint="Check DATABASE_URL, and that the database server is running and accepts this host.",
                id="carnet.E005",
            )
        ]
    if plan:
        return [
            Error(
                f"{len(plan)} migration(s) are not applied: {_names(m for m, _backwards in plan)}.",
                hint="Run `carnet migrate` (`carnet serve` does it when it starts).",
                id="carnet.E006",
            )
        ]
    return []


def _names(migrations: Iterable[Any], shown: int = 5) -> str:
    names = [f"{m.app_label}.{m.name}" for m in migrations]
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more
