"""`carnet review`: the proposal as a table on standard output, the summary on standard error, --apply, and
errors that name the option (exit status 1, nothing saved)."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from factories import CustomerFactory

from carnet.credit.models import CreditReview
from carnet.customers.models import Customer

from .review_support import AS_OF, REASON, aged_invoice, criteria

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CARNET = Path(sys.executable).parent / "carnet"


def review(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("review", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def book() -> None:
    criteria(grace_days=60)
    aged_invoice(CustomerFactory(code="EAST1", name="Transports Est", external_code="EST"), "100.00", 90)
    aged_invoice(CustomerFactory(code="WEST1", name="Transports Ouest", external_code="OUEST"), "100.00", 90)
    aged_invoice(CustomerFactory(code="YOUNG"), "100.00", 10)


def test_the_proposal_is_printed_and_saved_not_applied(book: None) -> None:
    out, err = review("--as-of", AS_OF.isoformat())
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["customer", "name", "action"]
    assert [line.split()[0] for line in lines[1:]] == ["EAST1", "WEST1"]
    assert "grace_days" in lines[1] and "100.00" in lines[1] and "90" in lines[1]
    review_row = CreditReview.objects.get()
    assert f"Credit review #{review_row.pk} of MAIN as of 2026-11-22: 2 to block, 0 to release." in err
    assert review_row.applied_at is None
    assert set(Customer.objects.values_list("status", flat=True)) == {"approved"}


def test_apply_and_the_external_code(book: None) -> None:
    out, err = review("--as-of", "2026-11-22", "--external-code", "est", "--apply")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["EAST1"]
    assert "Applied: 1 changed, 0 skipped." in err
    statuses = dict(Customer.objects.values_list("code", "status"))
    assert statuses == {"EAST1": "blocked", "WEST1": "approved", "YOUNG": "approved"}
    assert Customer.objects.get(code="EAST1").status_reason == REASON


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--as-of", "22/11/2026"], "--as-of"),
        (["--company", "NOPE"], "--company"),
        (["--external-code", "NOWHERE"], "--external-code"),
    ],
)
def test_bad_input_names_the_option_and_saves_nothing(book: None, args: list[str], option: str) -> None:
    with pytest.raises(CommandError) as exc:
        review(*args, "--apply")
    assert str(exc.value).startswith(f"{option}: ")
    assert not CreditReview.objects.exists()
    assert set(Customer.objects.values_list("status", flat=True)) == {"approved"}


def test_nothing_to_propose_prints_no_table() -> None:
    out, err = review()
    assert out == ""
    assert "0 to block, 0 to release" in err


def test_in_a_real_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("DJANGO_")}
    env["CARNET_DATA_DIR"] = str(tmp_path)

    def carnet(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CARNET), *args],
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert carnet("migrate", "-v", "0").returncode == 0
    done = carnet("review", "--as-of", "2026-11-22")
    assert done.returncode == 0, done.stderr
    assert "0 to block, 0 to release" in done.stderr
    refused = carnet("review", "--as-of", "le 22 novembre")
    assert refused.returncode == 1
    assert "--as-of" in refused.stderr and "Traceback" not in refused.stderr
