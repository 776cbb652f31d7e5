"""`carnet createuser`: roles, companies, passwords, and refusals that create nothing."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from carnet.accounts.models import Company, User
from carnet.accounts.roles import Role

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("createuser", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def second_company() -> Company:
    return Company.objects.create(code="EST", name="Carnet Est")


@pytest.mark.parametrize("role", Role.values)
def test_creates_a_user_of_each_role(role: str) -> None:
    run("marie", "--role", role, "--password", "correct-horse-9")

    user = User.objects.get(username="marie")
    assert user.role == role
    assert user.check_password("correct-horse-9")


def test_without_company_the_user_belongs_to_main(second_company: Company) -> None:
    run("marie", "--role", "operator", "--password", "correct-horse-9")

    user = User.objects.get(username="marie")
    assert list(user.companies.values_list("code", flat=True)) == ["MAIN"]
    assert list(user.visible_companies().values_list("code", flat=True)) == ["MAIN"]


def test_repeated_company_options_give_every_company(second_company: Company) -> None:
    run(
        "marie",
        "--role",
        "accountant",
        "--company",
        "MAIN",
        "--company",
        "est",
        "--password",
        "correct-horse-9",
    )

    user = User.objects.get(username="marie")
    assert sorted(user.companies.values_list("code", flat=True)) == ["EST", "MAIN"]


def test_an_admin_sees_every_company(second_company: Company) -> None:
    run("boss", "--role", "admin", "--password", "correct-horse-9")

    user = User.objects.get(username="boss")
    assert sorted(user.visible_companies().values_list("code", flat=True)) == ["EST", "MAIN"]


def test_email_is_kept() -> None:
    run("marie", "--role", "viewer", "--password", "correct-horse-9", "--email", "Marie@Example.ca")

    assert User.objects.get(username="marie").email == "marie@example.ca"


@pytest.mark.parametrize(
    ("args", "option", "words"),
    [
        (["--role", "boss"], "--role", "boss"),
        (["--role", "operator", "--company", "NOPE"], "--company", "NOPE"),
        (["--role", "operator", "--company", "MAIN", "--company", "XYZ"], "--company", "XYZ"),
        (["--role", "operator", "--password", "short"], "--password", "too short"),
        (["--role", "operator", "--password", "password123"], "--password", "too common"),
        (["--role", "operator", "--email", "not-an-email"], "--email", "email"),
    ],
)
def test_bad_input_names_the_option_and_creates_nothing(args: list[str], option: str, words: str) -> None:
    password = [] if "--password" in args else ["--password", "correct-horse-9"]
    with pytest.raises(CommandError) as error:
        run("marie", *args, *password)

    assert option in str(error.value)
    assert words in str(error.value)
    assert not User.objects.filter(username="marie").exists()


def test_a_role_is_required_to_create() -> None:
    with pytest.raises(CommandError, match="--role"):
        run("marie", "--password", "correct-horse-9")
    assert not User.objects.filter(username="marie").exists()


def test_an_existing_user_is_refused_and_left_alone(make_user: Any) -> None:
    make_user("marie", Role.VIEWER)

    with pytest.raises(CommandError, match=r"already exists.*--update"):
        run("marie", "--role", "admin", "--password", "another-horse-9")

    user = User.objects.get(username="marie")
    assert user.role == Role.VIEWER
    assert user.check_password("correct-horse-9")


def test_update_changes_role_companies_and_password(make_user: Any, second_company: Company) -> None:
    make_user("marie", Role.VIEWER)

    run(
        "marie",
        "--update",
        "--role",
        "credit_controller",
        "--company",
        "EST",
        "--password",
        "another-horse-9",
    )

    user = User.objects.get(username="marie")
    assert user.role == Role.CREDIT_CONTROLLER
    assert list(user.companies.values_list("code", flat=True)) == ["EST"]
    assert user.check_password("another-horse-9")


def test_update_keeps_what_is_not_given(make_user: Any) -> None:
    make_user("marie", Role.OPERATOR)

    run("marie", "--update", "--email", "marie@example.ca")

    user = User.objects.get(username="marie")
    assert (user.role, user.email) == (Role.OPERATOR, "marie@example.ca")
    assert list(user.companies.values_list("code", flat=True)) == ["MAIN"]
    assert user.check_password("correct-horse-9")


def test_a_refused_update_changes_nothing(make_user: Any) -> None:
    make_user("marie", Role.OPERATOR)

    with pytest.raises(CommandError, match=r"--company: .*NOPE"):
        run("marie", "--update", "--role", "admin", "--company", "NOPE")

    assert User.objects.get(username="marie").role == Role.OPERATOR


def test_without_a_terminal_a_password_is_generated_and_printed_alone_last() -> None:
    out, err = run("marie", "--role", "operator")

    password = out.splitlines()[-1]
    assert password == out.strip()
    assert len(password) >= 12
    assert User.objects.get(username="marie").check_password(password)
    assert "Generated password" in err


def test_on_a_terminal_the_password_is_asked_until_it_is_acceptable(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["correct-horse-9", "different-9", "short", "short", "correct-horse-9", "correct-horse-9"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr(
        "carnet.accounts.management.commands.createuser.getpass", lambda prompt="": next(answers)
    )

    out, err = run("marie", "--role", "operator")

    assert out == ""
    assert "differ" in err and "too short" in err
    assert User.objects.get(username="marie").check_password("correct-horse-9")


def test_on_a_terminal_a_bad_role_is_refused_before_the_password_is_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)

    def no_prompt(prompt: str = "") -> str:
        raise AssertionError("asked for a password")

    monkeypatch.setattr("carnet.accounts.management.commands.createuser.getpass", no_prompt)

    with pytest.raises(CommandError, match="--role"):
        run("marie", "--role", "boss")
