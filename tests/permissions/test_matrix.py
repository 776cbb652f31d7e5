"""Every role against every protected action of the matrix, in the web UI and in the API: an allowed role
succeeds and the change is made; a refused one gets 403 and nothing is changed. The table of attempts is in
cases.py; the expectations come from PERMISSIONS itself."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from carnet.accounts.models import User
from carnet.accounts.roles import PERMISSIONS, Action, Role, role_allows

from .book import Book
from .cases import API, NO_API, NO_UI, UI, Attempt
from .conftest import fingerprint


def _table(attempts: dict[str, Attempt]) -> list[Any]:
    return [
        pytest.param(action, role, id=f"{action}-{role}")
        for action in sorted(attempts)
        for role in Role.values
    ]


def _check(attempt: Attempt, book: Book, role: str, action: str, call: Callable[[], Any]) -> None:
    if attempt.arrange is not None:
        attempt.arrange(book)
    before = fingerprint()
    response = call()
    if role_allows(role, action):
        assert response.status_code < 400, (response.status_code, response.content[:500])
        if attempt.done is not None:
            assert attempt.done(book), "allowed, but the change was not made"
    else:
        assert response.status_code in attempt.refused_with, (response.status_code, response.content[:300])
        if response.status_code == 403:
            assert fingerprint() == before, "refused, yet something changed"
        if attempt.done is not None:
            assert not attempt.done(book), "refused, yet the change was made"


@pytest.mark.parametrize(("action", "role"), _table(UI))
def test_ui(action: str, role: str, book: Book, user_of: Callable[..., User]) -> None:
    attempt = UI[action]
    client = Client()
    client.force_login(user_of(role))
    data = attempt.data(book) if attempt.data is not None else None
    path = attempt.path(book)
    _check(attempt, book, role, action, lambda: getattr(client, attempt.method)(path, data or {}))


@pytest.mark.parametrize(("action", "role"), _table(API))
def test_api(action: str, role: str, book: Book, user_of: Callable[..., User], api_as: Any) -> None:
    attempt = API[action]
    api = api_as(user_of(role))
    path = attempt.path(book)
    data = attempt.data(book) if attempt.data is not None else None

    def call() -> Any:
        if attempt.method in ("get", "delete"):
            return getattr(api, attempt.method)(path)
        return getattr(api, attempt.method)(path, data or {})

    _check(attempt, book, role, action, call)


@pytest.mark.parametrize("action", Action.values)
def test_every_action_is_tried_in_the_ui_and_the_api(action: str) -> None:
    assert action in UI or action in NO_UI, f"{action}: add a UI attempt to tests/permissions/cases.py"
    assert action in API or action in NO_API, f"{action}: add an API attempt to tests/permissions/cases.py"


def test_the_tables_name_only_actions_of_the_matrix() -> None:
    for table in (UI, API, NO_UI, NO_API):
        assert set(table) <= set(PERMISSIONS)
    assert not set(UI) & set(NO_UI) and not set(API) & set(NO_API)


def test_a_viewer_may_change_nothing() -> None:
    allowed = {action for action in PERMISSIONS if role_allows(Role.VIEWER, action)}
    assert allowed == {Action.VIEW_CUSTOMERS, Action.EXPORT_CUSTOMERS}


def test_a_token_made_on_the_command_line_acts_with_its_users_role(
    book: Book, user_of: Callable[..., User]
) -> None:
    """The command line runs as the installation (docs/permissions.md); what it makes for a user, a token,
    carries that user's role and nothing more."""
    from io import StringIO

    from django.core.management import call_command

    viewer = user_of(Role.VIEWER)
    out = StringIO()
    call_command("token", viewer.username, stdout=out, stderr=StringIO())
    token = out.getvalue().strip().splitlines()[-1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(f"/api/v1/customers/{book.customer.pk}").status_code == 200
    before = fingerprint()
    response = client.patch(
        f"/api/v1/customers/{book.customer.pk}", {"name": "Changed"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert fingerprint() == before
