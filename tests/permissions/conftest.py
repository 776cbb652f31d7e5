"""Fixtures of the access tests: the seeded book, users of each role, a fingerprint of the stored data."""

from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps

from carnet.accounts.models import Company, User

from .book import Book, seed_book

# The apps whose rows make the book; a refused request must leave every one of their rows as it was.
BOOK_APPS = ("customers", "credit", "documents", "integrations", "events", "customfields", "transfer")


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the book's tables (and the companies and API tokens), to compare before and after."""
    models = [
        m for label in BOOK_APPS if label in apps.app_configs for m in apps.get_app_config(label).get_models()
    ]
    models += [Company, apps.get_model("accounts", "ApiToken")]
    snapshot = {}
    for model in models:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_used_at"]
        snapshot[model._meta.label] = sorted(model.objects.values_list(*fields), key=repr)
    return snapshot


@pytest.fixture
def book(main_company: Company) -> Book:
    return seed_book(main_company)


@pytest.fixture
def other_company(db: Any) -> Company:
    return Company.objects.create(code="NORD", name="Distribution Nord", currency="CAD")


@pytest.fixture
def user_of(make_user: Callable[..., User]) -> Callable[..., User]:
    def make(role: str, companies: list[Company] | None = None) -> User:
        return make_user(f"{role}-user", role, companies)

    return make
