"""Phones checked ahead in a second process give the answers, and the messages, of phones checked here."""

import time

import pytest

from carnet.customers import validators
from carnet.customers.models import Contact
from carnet.transfer import phones

from .conftest import import_text

pytestmark = pytest.mark.skipif(not phones.sys.platform.startswith("linux"), reason="fork: Linux only")


def _numbers(n: int) -> list[str]:
    return [f"819 {200 + i // 10000} {i % 10000:04d}" for i in range(n)]


def test_the_second_process_answers_every_valid_phone_as_this_one_would() -> None:
    values = [*_numbers(phones.MINIMUM), "12", "819 000 0000", ""]
    with phones.checked_ahead(values):
        answers = validators.checked_ahead.get()
        assert answers is not None
        deadline = time.monotonic() + 30
        while len(answers) < 2 * phones.MINIMUM and time.monotonic() < deadline:
            answers.get("")  # reads what came
            time.sleep(0.05)
        assert len(answers) == 2 * phones.MINIMUM  # each number, and its international form
        for value in values:
            expected = validators.format_phone(value)
            assert answers.get(value) == (expected if isinstance(expected, str) else None)
    assert validators.checked_ahead.get() is None


def test_too_few_phones_start_no_process() -> None:
    with phones.checked_ahead(_numbers(10)):
        assert validators.checked_ahead.get() is None


@pytest.mark.django_db
def test_a_large_import_stores_and_refuses_phones_as_a_small_one(main_company: object) -> None:
    numbers = _numbers(phones.MINIMUM + 500)
    customers = "".join(f"P{i},Client {i}\r\n" for i in range(len(numbers)))
    assert import_text("customers", f"code,name\r\n{customers}").ok
    bad = {10: "12", 2000: "819 000 0000", 2400: "not a phone"}
    cells = [bad.get(i, number) for i, number in enumerate(numbers)]
    contacts = "".join(f"P{i},Contact {i},{cell}\r\n" for i, cell in enumerate(cells))
    report = import_text("contacts", f"customer_code,name,phone\r\n{contacts}")
    assert [(p.row, p.column, p.message) for p in report.sorted_problems()] == [
        (12, "phone", "This phone number has the wrong number of digits for its country."),
        (2002, "phone", "This phone number does not exist in its country (check the area code)."),
        (2402, "phone", "This is not a phone number (write it as +1 819 555 0100)."),
    ]
    del cells[2400], cells[2000], cells[10]
    fixed = "".join(f"P{i},Contact {i},{cell}\r\n" for i, cell in enumerate(cells))
    assert import_text("contacts", f"customer_code,name,phone\r\n{fixed}").ok
    stored = dict(Contact.objects.values_list("customer__code", "phone"))
    assert stored["P0"] == "+1 819-200-0000" and stored["P2496"] == "+1 819-200-2499"
