"""`carnet verify`: the kept balances agree with the documents after any sequence of document operations,
and a balance that drifted is reported (exit status 1)."""

import contextlib
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from factories import CustomerFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carnet.credit import services as credit
from carnet.credit.models import CreditAccount
from carnet.credit.verification import find_differences
from carnet.customers.models import Customer
from carnet.documents import services
from carnet.documents.models import CreditNote, Invoice, Order, Payment
from carnet.errors import CarnetError

from .support import D, invoice, order

pytestmark = pytest.mark.django_db


def verify() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_verify_on_an_empty_book() -> None:
    assert verify() == ("", "all 0 balances agree\n")


def test_verify_reports_a_drifted_balance(customer: Customer) -> None:
    first = order(customer, "100.00")
    inv = invoice(customer, "50.00")
    CreditAccount.objects.update(open_orders=D("90.00"))
    Invoice.objects.filter(pk=inv.pk).update(open_balance=D("49.00"))

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify", stdout=out, stderr=err)

    assert exc.value.returncode == 1
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["customer", "company", "balance", "kept", "recomputed"]
    assert lines[1].split() == ["C1001", "MAIN", "open_orders", "90.00", "100.00"]
    assert lines[2].split() == ["C1001", "MAIN", "invoice", inv.number, "open_balance", "49.00", "50.00"]
    assert "2 of" in str(exc.value)
    assert first.amount == D("100.00")


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "order",
                "order",
                "cancel",
                "reopen",
                "raise",
                "invoice_order",
                "invoice",
                "post",
                "pay",
                "credit",
                "allocate",
                "release",
                "reject",
            ]
        ),
        st.integers(min_value=0, max_value=9),
        st.integers(min_value=1, max_value=200_000).map(lambda cents: Decimal(cents) / 100),
        st.booleans(),
    ),
    max_size=25,
)


def _pick(items: list[Any], index: int) -> Any:
    return items[index % len(items)] if items else None


def _run(customer: Customer, operation: str, index: int, amount: Decimal, flag: bool) -> None:
    pk = customer.pk
    orders = list(Order.objects.filter(customer=customer).order_by("id"))
    invoices = list(Invoice.objects.filter(customer=customer).order_by("id"))
    posted = [i for i in invoices if i.status == "posted" and i.open_balance > 0]
    common: dict[str, Any] = {"actor": None, "customer": pk, "company": "MAIN", "amount": amount}
    ack: dict[str, Any] = {"acknowledge_warnings": flag, "override_reason": "test"}
    target = _pick(orders, index)
    allocations = (
        [{"invoice": i.pk, "amount": min(i.open_balance, amount)} for i in posted[:2]] if flag else []
    )
    if operation == "order":
        services.enter_order(**common, **ack)
    elif operation == "cancel" and target:
        services.cancel_order(actor=None, order_id=target.pk)
    elif operation == "reopen" and target:
        services.reopen_order(actor=None, order_id=target.pk, **ack)
    elif operation == "raise" and target:
        services.change_order_amount(actor=None, order_id=target.pk, amount=target.amount + amount, **ack)
    elif operation == "release" and target:
        services.release_order(actor=None, order_id=target.pk, reason="ok")
    elif operation == "reject" and target:
        services.reject_order(actor=None, order_id=target.pk, reason="non")
    elif operation == "invoice_order" and target:
        services.enter_invoice(actor=None, customer=pk, company="MAIN", order=target.pk, post=flag, **ack)
    elif operation == "invoice":
        services.enter_invoice(**common, post=flag, **ack)
    elif operation == "post" and invoices:
        services.post_invoice(actor=None, invoice_id=_pick(invoices, index).pk)
    elif operation == "pay":
        services.enter_payment(**common, allocations=allocations)
    elif operation == "credit":
        services.enter_credit_note(**common, allocations=allocations[:1])
    elif operation == "allocate" and posted:
        sources = list(Payment.objects.filter(customer=customer, unallocated__gt=0)) + list(
            CreditNote.objects.filter(customer=customer, unallocated__gt=0)
        )
        source = _pick(sources, index)
        if source is not None:
            key = "payment_id" if isinstance(source, Payment) else "credit_note_id"
            row = {"invoice": posted[0].pk, "amount": min(source.unallocated, posted[0].open_balance, amount)}
            services.allocate(actor=None, allocations=[row], **{key: source.pk})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    operations=OPERATIONS,
    limit=st.one_of(st.none(), st.integers(min_value=0, max_value=5000).map(Decimal)),
    enforcement=st.sampled_from(["block_at_entry", "warn_at_entry", "check_at_posting", "off"]),
    method=st.sampled_from(["all_orders", "invoiced_only"]),
    queue=st.booleans(),
)
def test_verify_agrees_after_any_sequence_of_documents(
    operations: list[tuple[str, int, Decimal, bool]],
    limit: Decimal | None,
    enforcement: str,
    method: str,
    queue: bool,
) -> None:
    with transaction.atomic():  # each example starts from the same empty book
        credit.set_policy(
            actor=None,
            company="MAIN",
            exposure_method=method,
            limit_enforcement=enforcement,
            credit_hold_queue=queue,
        )
        customer = CustomerFactory()
        credit.set_limit(actor=None, customer=customer, company="MAIN", limit=limit)
        for operation in operations:
            with contextlib.suppress(CarnetError, ValidationError):  # a refusal changes nothing
                _run(customer, *operation)

        compared, differences = find_differences()
        assert differences == []
        assert verify()[1] == f"all {compared} balances agree\n"
        transaction.set_rollback(True)


def test_verify_as_operators_run_it(tmp_path: Path) -> None:
    """A real `carnet verify` process on a fresh embedded installation: exit 0, the verdict on stderr."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("DJANGO_")}
    env["CARNET_DATA_DIR"] = str(tmp_path)
    carnet = Path(sys.executable).parent / "carnet"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(carnet), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )

    assert run("migrate", "-v", "0").returncode == 0
    verified = run("verify")

    assert (verified.returncode, verified.stdout, verified.stderr) == (0, "", "all 0 balances agree\n")
