"""Faults of the database: an unreachable database answers 503 with Retry-After (problem+json for the API, a
short page for people), never a stack trace, and the server recovers by itself when the database is back;
a connection killed in the middle of a request leaves nothing of it behind."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client

from carnet.accounts import services
from carnet.accounts.models import User
from carnet.customers.models import BookSettings, Customer
from carnet.web.middleware import RETRY_AFTER_SECONDS

ROOT = Path(__file__).resolve().parents[2]


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def closed_port() -> int:
    """A local TCP port on which nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def unreachable_database() -> Iterator[None]:
    """Points Django's connection at a database that is not there: a closed port for PostgreSQL, a file in
    a missing directory for SQLite. The real settings come back on exit."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict["PORT"] = closed_port()
        connection.settings_dict["HOST"] = "127.0.0.1"
    else:
        connection.settings_dict["NAME"] = "/nonexistent-carnet-directory/carnet.sqlite3"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def assert_503(answer: Any) -> None:
    assert answer.status_code == 503, answer.content
    assert answer["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert answer["Cache-Control"] == "no-store"
    assert b"Traceback" not in answer.content


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_unreachable_database_answers_503_and_the_next_request_after_it_is_back_works(
    operator: User,
) -> None:
    _token, raw = services.issue_token(actor=None, user=operator, name="erp")
    client = Client()
    assert client.get("/api/v1/customers", **bearer(raw)).status_code == 200
    # Signed in, the session is read by a middleware, before any view: Django's 500 handler meets that
    # error (the test client would otherwise raise it instead of answering).
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(operator)

    with unreachable_database():
        api = client.get("/api/v1/customers", **bearer(raw))
        page = client.get("/login/")
        session_page = signed_in.get("/customers/")
        write = client.post(
            "/api/v1/customers", {"name": "Pendant la panne"}, content_type="application/json", **bearer(raw)
        )

    assert_503(api)
    assert api["Content-Type"].startswith("application/problem+json")
    assert api.json()["status"] == 503 and api.json()["type"].endswith("database_unavailable")
    assert_503(page)
    assert page["Content-Type"].startswith("text/html")
    assert "Temporarily unavailable" in page.content.decode()
    assert page["Content-Security-Policy"]  # the outer middleware still did its work
    assert_503(write)
    assert_503(session_page)
    assert "Temporarily unavailable" in session_page.content.decode()

    assert client.get("/api/v1/customers", **bearer(raw)).status_code == 200
    assert client.get("/login/").status_code == 200
    assert signed_in.get("/customers/").status_code == 200
    assert not Customer.objects.filter(name="Pendant la panne").exists()


def test_the_page_shown_during_an_outage_speaks_french() -> None:
    from django.test import RequestFactory
    from django.utils import translation

    from carnet.web.middleware import database_unavailable

    with translation.override("fr"):
        page = database_unavailable(RequestFactory().get("/customers/")).content.decode()

    assert "Momentanément indisponible" in page


# --- PostgreSQL: connections killed by the server -------------------------------------------------


def admin_connection(dbname: str | None = None) -> psycopg.Connection[Any]:
    """A connection of our own beside Django's, to the test database or another of the same server."""
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=dbname or settings["NAME"],
        autocommit=True,
    )


def _terminate(pid: int) -> None:
    """Kill a server process from a connection of our own, and wait until it is gone."""
    with admin_connection() as killer:
        killed = killer.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()
    assert killed == (True,)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_request_whose_connection_is_killed_midway_leaves_no_row_behind(operator: User) -> None:
    _token, raw = services.issue_token(actor=None, user=operator, name="erp")
    client = Client()
    sequence_before = list(BookSettings.objects.values_list("next_code_number", flat=True))
    history_before = Customer.history.count()  # type: ignore[attr-defined]
    killed: list[int] = []

    def kill_after_the_customer_row(sender: Any, instance: Customer, created: bool, **kwargs: Any) -> None:
        # The customer row and its history row are written (the code's sequence moved before them); the
        # search text and the event are still to come when the connection dies.
        if created and instance.name == "Coupure au milieu" and not killed:
            pid = connection.connection.info.backend_pid
            killed.append(pid)
            _terminate(pid)

    post_save.connect(kill_after_the_customer_row, sender=Customer, weak=False)
    try:
        answer = client.post(
            "/api/v1/customers", {"name": "Coupure au milieu"}, content_type="application/json", **bearer(raw)
        )
    finally:
        post_save.disconnect(kill_after_the_customer_row, sender=Customer)

    assert killed, "the request never wrote its customer row"
    assert_503(answer)
    assert answer["Content-Type"].startswith("application/problem+json")
    assert not Customer.objects.filter(name="Coupure au milieu").exists()
    assert Customer.history.count() == history_before  # type: ignore[attr-defined]
    assert list(BookSettings.objects.values_list("next_code_number", flat=True)) == sequence_before

    # The connection that died is not reused: the same request again goes through.
    again = client.post(
        "/api/v1/customers", {"name": "Coupure au milieu"}, content_type="application/json", **bearer(raw)
    )
    assert again.status_code == 201, again.content
    assert Customer.objects.filter(name="Coupure au milieu").count() == 1


# --- PostgreSQL: a real server process through an outage -------------------------------------------


def _free_port() -> int:
    return closed_port()


@contextmanager
def running_server(database_url: str) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CARNET_"))}
    env.update(DATABASE_URL=database_url, CARNET_ALLOWED_HOSTS="127.0.0.1", CARNET_CONN_MAX_AGE="600")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "carnet.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/static/web/carnet.css", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        server.stderr.read().decode() if server.stderr else "no server"
                    ) from None
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def fetch(url: str, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@contextmanager
def database_closed_to_new_connections() -> Iterator[None]:
    """Refuses new connections to the test database and kills those open, except this test's own."""
    name = connection.settings_dict["NAME"]
    own_pid = connection.connection.info.backend_pid if connection.connection else 0
    # A database cannot close itself to connections: say it from the server's maintenance database.
    with admin_connection("postgres") as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
            [name, own_pid],
        )
    try:
        yield
    finally:
        with admin_connection("postgres") as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_running_server_answers_503_while_the_database_is_down_then_recovers(operator: User) -> None:
    _token, raw = services.issue_token(actor=None, user=operator, name="erp")
    settings = connection.settings_dict
    url = (
        f"postgresql://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        f"/{settings['NAME']}"
    )
    with running_server(url) as base:
        status, _headers, _body = fetch(base + "/api/v1/customers", raw)
        assert status == 200  # the server now holds a connection open (CONN_MAX_AGE)

        with database_closed_to_new_connections():
            api = fetch(base + "/api/v1/customers", raw)
            page = fetch(base + "/login/")

        status, _headers, _body = fetch(base + "/api/v1/customers", raw)
        assert status == 200
        assert fetch(base + "/login/")[0] == 200

    for status, headers, body in (api, page):
        assert status == 503, body
        assert headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        assert b"Traceback" not in body
    assert api[1]["Content-Type"].startswith("application/problem+json")
    assert b"Temporarily unavailable" in page[2]
