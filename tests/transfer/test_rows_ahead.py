"""Rows of parts checked ahead in a second process: the import stores, and refuses, what it would alone."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from carnet.customers.models import Contact, Customer
from carnet.transfer import phones, rows_ahead
from carnet.transfer.kinds import parts
from carnet.transfer.kinds.contacts import ContactKind

from .conftest import import_text

pytestmark = pytest.mark.skipif(not phones.sys.platform.startswith("linux"), reason="fork: Linux only")

HEADER = "customer_code,number,name,email,phone,mobile,default,billing,invoice_copy\r\n"


class _Counted(phones.Answers):
    """The answers, counting those taken."""

    taken = 0

    def get(self, value: Any, default: Any = None) -> Any:
        answer = super().get(value, default)
        _Counted.taken += answer is not None
        return answer


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> type[_Counted]:
    """Answers counted; and all of them come before the first row is checked (a small file is checked
    here sooner than a process starts)."""
    monkeypatch.setattr(rows_ahead, "Answers", _Counted)
    _Counted.taken = 0
    started = rows_ahead.rows_checked_ahead

    @contextmanager
    def patient(*args: Any) -> Iterator[Any]:
        with started(*args) as answers:
            deadline = time.monotonic() + 30
            while answers is not None and answers.pipe is not None and time.monotonic() < deadline:
                answers._read()
                time.sleep(0.01)
            yield answers

    monkeypatch.setattr(parts, "rows_checked_ahead", patient)
    return _Counted


def _book(prefix: str) -> None:
    customers = "".join(f"{prefix}{i},Client {i}\r\n" for i in range(6))
    assert import_text("customers", f"code,name\r\n{customers}").ok
    # Two contacts each, the first the default one, that the file then changes by their numbers.
    first = "".join(
        f"{prefix}{i},,Ancien {i},ancien{i}@example.ca,819 555 01{i:02d},,true,,\r\n"
        f"{prefix}{i},,Autre {i},,,,,,\r\n"
        for i in range(6)
    )
    assert import_text("contacts", HEADER + first).ok


def _rows(prefix: str, bad: bool) -> str:
    rows = [
        f"{prefix}0,1,Renommé 0,RENOMME0@Example.CA,(819) 555-0142,,true,,\r\n",
        f"{prefix}0,,Nouveau 0,nouveau0@example.ca,,514 555 0199,,true,true\r\n",
        f"{prefix}1,2,Autre 1,autre1@example.ca,,,true,,\r\n",  # takes the default from number 1
        f"{prefix}2,,Sans courriel,,,,,,true\r\n" if bad else f"{prefix}2,,Avec courriel,a@b.ca,,,,,\r\n",
        f"{prefix}3,,Mauvais numéro,,12,,,,\r\n" if bad else f"{prefix}3,,Bon numéro,,819 555 0123,,,,\r\n",
        f"{prefix}4,,Nouveau défaut 4,,,,true,,\r\n",
        f"{prefix}5,1,Ancien 5,ancien5@example.ca,819 555 0105,,true,,\r\n",  # unchanged
    ]
    return "".join(rows)


def _stored(prefix: str) -> list[tuple[Any, ...]]:
    rows = Contact.objects.filter(customer__code__startswith=prefix).order_by("customer__code", "id")
    fields = ("name", "email", "phone", "mobile", "is_default", "is_billing", "invoice_copy", "version")
    return [(c.customer.code[len(prefix) :], *(getattr(c, f) for f in fields)) for c in rows]


def _import(prefix: str, bad: bool, minimum: int, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(rows_ahead, "MINIMUM", minimum)
    return import_text("contacts", HEADER + _rows(prefix, bad))


@pytest.mark.django_db
def test_rows_checked_ahead_are_stored_as_rows_checked_here(
    monkeypatch: pytest.MonkeyPatch, counted: type[_Counted]
) -> None:
    _book("A")
    _book("H")

    ahead = _import("A", False, 1, monkeypatch)
    assert counted.taken > 0  # the second process answered
    taken = counted.taken
    here = _import("H", False, 10**9, monkeypatch)
    assert counted.taken == taken  # none asked for without it

    assert ahead.ok and here.ok, (ahead.sorted_problems(), here.sorted_problems())
    assert [(a.row, a.action) for a in ahead.actions] == [(a.row, a.action) for a in here.actions]
    assert _stored("A") == _stored("H")
    renamed = _stored("A")[0]
    assert renamed[1:4] == ("Renommé 0", "renomme0@example.ca", "+1 819-555-0142")
    searched = Customer.objects.get(code="A0").search_text
    assert "renomme 0" in searched and "18195550142" in searched


@pytest.mark.django_db
def test_rows_that_fail_ahead_are_reported_here_as_without_it(
    monkeypatch: pytest.MonkeyPatch, counted: type[_Counted]
) -> None:
    _book("A")
    _book("H")
    before = _stored("A")

    ahead = _import("A", True, 1, monkeypatch)
    here = _import("H", True, 10**9, monkeypatch)

    problems = [(p.row, p.column, p.message) for p in ahead.sorted_problems()]
    assert problems == [(p.row, p.column, p.message) for p in here.sorted_problems()]
    assert [(row, column) for row, column, _m in problems] == [(5, "email"), (6, "phone")]
    assert counted.taken > 0
    assert _stored("A") == before  # all or nothing


@pytest.mark.django_db
def test_a_check_that_reads_the_database_is_made_here_not_ahead(
    monkeypatch: pytest.MonkeyPatch, counted: type[_Counted]
) -> None:
    _book("A")
    checked = ContactKind.check

    def reading(self: ContactKind, part: Any, job: Any, values: Any) -> None:
        # The second process shares this one's connection: a query there would break the import's.
        Customer.objects.filter(pk=part.customer_id).exists()
        checked(self, part, job, values)

    monkeypatch.setattr(ContactKind, "check", reading)

    report = _import("A", False, 1, monkeypatch)

    assert report.ok, report.sorted_problems()
    assert counted.taken == 0
    assert _stored("A")[0][1:4] == ("Renommé 0", "renomme0@example.ca", "+1 819-555-0142")
    with connection.cursor() as cursor:  # the connection still answers
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
