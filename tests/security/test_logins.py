"""Signing in: Argon2 hashes, the lockout after repeated failures (django-axes), and sessions that end."""

import time
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from carnet.accounts import services
from carnet.accounts.models import User
from carnet.web.middleware import SEEN_AT, SIGNED_IN_AT

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-9"  # the password of tests/conftest.py's users


def sign_in(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post("/login/", {"username": username, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- hashes ---------------------------------------------------------------------------------------


def test_new_passwords_are_hashed_with_argon2(operator: User) -> None:
    assert operator.password.startswith("argon2")
    assert operator.check_password(PASSWORD)


def test_an_older_hash_is_upgraded_to_argon2_when_its_user_signs_in(operator: User) -> None:
    User.objects.filter(pk=operator.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    client = Client()

    assert sign_in(client, "operator", PASSWORD).status_code == 302
    operator.refresh_from_db()
    assert operator.password.startswith("argon2")


# --- lockout ---------------------------------------------------------------------------------------


def fail(client: Client, times: int, username: str = "operator", **extra: Any) -> Any:
    answer = None
    for _ in range(times):
        answer = sign_in(client, username, "wrong-password", **extra)
    return answer


def test_the_fifth_failure_locks_the_user_name_out_even_with_the_right_password(operator: User) -> None:
    client = Client()

    assert fail(client, settings.AXES_FAILURE_LIMIT - 1).status_code == 200  # the form again, with an error
    locked = fail(client, 1)

    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    assert "Sign-in locked" in locked.content.decode()
    refused = sign_in(client, "operator", PASSWORD)
    assert refused.status_code == 429
    assert not signed_in(client)


def test_a_success_before_the_limit_starts_the_count_again(operator: User) -> None:
    client = Client()
    fail(client, settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "operator", PASSWORD).status_code == 302
    client.post("/logout/")

    assert fail(client, settings.AXES_FAILURE_LIMIT - 1).status_code == 200
    assert sign_in(client, "operator", PASSWORD).status_code == 302


def test_the_lock_is_per_user_name_and_address(operator: User, viewer: User) -> None:
    fail(Client(), settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="203.0.113.7")

    # The same user from another address, and another user from the same address, still sign in.
    assert sign_in(Client(), "operator", PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302
    assert sign_in(Client(), "viewer", PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 302
    assert sign_in(Client(), "operator", PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 429


def test_the_lock_ends_after_the_lockout_period(operator: User) -> None:
    client = Client()
    fail(client, settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "operator", PASSWORD).status_code == 429

    # The attempts recorded are made older than the lockout period, as if it had passed.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )

    assert sign_in(client, "operator", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_lockout_page_speaks_french(operator: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")

    locked = fail(client, settings.AXES_FAILURE_LIMIT)

    assert locked.status_code == 429
    page = locked.content.decode()
    assert 'lang="fr"' in page
    assert "Connexion bloquée" in page and "15 minutes" in page


def test_api_tokens_work_while_their_user_is_locked_out_of_the_web_ui(operator: User) -> None:
    _token, raw = services.issue_token(actor=None, user=operator, name="erp")
    fail(Client(), settings.AXES_FAILURE_LIMIT)

    answer = Client().get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert answer.status_code == 200


# --- sessions ------------------------------------------------------------------------------------


def test_the_session_cookie_ends_with_the_browser(operator: User) -> None:
    client = Client()
    sign_in(client, "operator", PASSWORD)

    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert not cookie["max-age"] and not cookie["expires"]
    assert cookie["httponly"]


def test_an_idle_session_is_signed_out(operator: User) -> None:
    client = Client()
    sign_in(client, "operator", PASSWORD)
    assert client.get("/customers/").status_code == 200

    session = client.session
    session[SEEN_AT] = time.time() - settings.SESSION_IDLE_TIMEOUT.total_seconds() - 5
    session.save()

    answer = client.get("/customers/")
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    assert not signed_in(client)


def test_an_active_session_still_ends_after_its_maximum_age(operator: User) -> None:
    client = Client()
    sign_in(client, "operator", PASSWORD)
    client.get("/customers/")

    session = client.session
    session[SIGNED_IN_AT] = time.time() - settings.SESSION_COOKIE_AGE - 5
    session[SEEN_AT] = time.time() - 30  # busy until a moment ago
    session.save()

    assert client.get("/customers/").status_code == 302
    assert not signed_in(client)


def test_activity_keeps_a_session_going(operator: User) -> None:
    client = Client()
    sign_in(client, "operator", PASSWORD)
    client.get("/customers/")

    session = client.session
    session[SEEN_AT] = time.time() - settings.SESSION_IDLE_TIMEOUT.total_seconds() + 120
    session.save()

    assert client.get("/customers/").status_code == 200
    assert client.session[SEEN_AT] > time.time() - 60  # the request was recorded as activity
    assert client.get("/customers/").status_code == 200
