"""Shared fixtures: one user per role, API clients authenticated with real tokens."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from carnet.accounts.models import ApiToken, Company, User
from carnet.accounts.roles import Role


@pytest.fixture
def main_company(db: Any) -> Company:
    return Company.objects.get(code="MAIN")


@pytest.fixture
def make_user(db: Any, main_company: Company) -> Callable[..., User]:
    def make(
        username: str = "user", role: str = Role.OPERATOR, companies: list[Company] | None = None
    ) -> User:
        user = User.objects.create_user(username=username, password="correct-horse-9", role=role)
        user.companies.set(companies if companies is not None else [main_company])
        return user

    return make


@pytest.fixture
def admin_user(make_user: Callable[..., User]) -> User:
    return make_user("admin", Role.ADMIN)


@pytest.fixture
def controller(make_user: Callable[..., User]) -> User:
    return make_user("controller", Role.CREDIT_CONTROLLER)


@pytest.fixture
def operator(make_user: Callable[..., User]) -> User:
    return make_user("operator", Role.OPERATOR)


@pytest.fixture
def viewer(make_user: Callable[..., User]) -> User:
    return make_user("viewer", Role.VIEWER)


class ApiClient:
    """A Django test client that speaks JSON to /api/v1 with a bearer token."""

    def __init__(self, user: User) -> None:
        self.user = user
        _token, self.token = ApiToken.issue(user=user, name="tests")
        self.client = Client()

    def _call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, **kw: Any
    ):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        extra = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        call = getattr(self.client, method)
        if body is None:
            return call(url, **kw, **extra)
        return call(url, data=body, content_type="application/json", **extra)

    def get(self, path: str, **kw: Any):
        return self._call("get", path, data=kw.pop("params", None), **kw)

    def post(self, path: str, body: Any = None, **kw: Any):
        return self._call("post", path, body if body is not None else {}, **kw)

    def patch(self, path: str, body: Any, **kw: Any):
        return self._call("patch", path, body, **kw)

    def put(self, path: str, body: Any, **kw: Any):
        return self._call("put", path, body, **kw)

    def delete(self, path: str, **kw: Any):
        return self._call("delete", path, **kw)


@pytest.fixture
def api_as() -> Callable[[User], ApiClient]:
    return ApiClient


@pytest.fixture
def api(api_as: Callable[[User], ApiClient], controller: User) -> ApiClient:
    """An API client acting as a credit controller (may do everything on the customer book)."""
    return api_as(controller)


@pytest.fixture(autouse=True)
def english_after_each_test() -> Iterator[None]:
    """Django leaves the language of the last request active in the thread; a test that asked for French
    must not make the next one read French messages."""
    yield
    from django.utils import translation

    translation.activate("en")


@pytest.fixture(autouse=True)
def installation_defaults(request: pytest.FixtureRequest) -> None:
    """For transactional tests: the rows that data migrations make (company MAIN, note categories, book
    settings). Such a test flushes the database when it ends, and serialized_rollback cannot always put
    them back: once Playwright's sync API has run (browser tests), Django may hand out a connection object
    that lacks the copy taken at setup. So they are made again, by the migrations' own functions."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("db")
    from importlib import import_module

    from django.apps import apps

    import_module("carnet.accounts.migrations.0002_main_company").create_main_company(apps, None)
    import_module("carnet.customers.migrations.0002_defaults_and_search_indexes").create_defaults(apps, None)
