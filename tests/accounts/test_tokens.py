"""`carnet token`, `carnet tokens`, `carnet revoketoken`, and the token services behind them."""

import hashlib
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from carnet.accounts import services
from carnet.accounts.models import ApiToken, User
from carnet.accounts.roles import Role

pytestmark = pytest.mark.django_db


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def new_token(*args: str) -> str:
    out, _err = run("token", *args)
    return out.splitlines()[-1]


def test_token_is_printed_alone_on_the_last_line_and_messages_go_to_stderr(operator: User) -> None:
    out, err = run("token", "operator", "--name", "erp-sync")

    lines = out.splitlines()
    assert lines == [lines[-1]]
    assert lines[-1].startswith(ApiToken.PREFIX)
    assert "erp-sync" in err and lines[-1] not in err


def test_the_printed_token_authenticates_its_user(operator: User) -> None:
    raw = new_token("operator")

    token = ApiToken.authenticate(raw)
    assert token is not None
    assert token.user == operator
    assert token.user.role == Role.OPERATOR


def test_only_a_hash_of_the_token_is_stored(operator: User) -> None:
    raw = new_token("operator", "--name", "erp-sync")

    stored = ApiToken.objects.get(user=operator)
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.key_hash, stored.hint, stored.name}
    assert raw.startswith(stored.hint)


def test_the_token_works_against_the_api_until_it_is_revoked(operator: User) -> None:
    raw = new_token("operator", "--name", "portal")
    client = Client()

    assert client.get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    run("revoketoken", "operator", "portal")
    assert client.get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_the_default_name_says_where_the_token_came_from(operator: User) -> None:
    new_token("operator")

    assert ApiToken.objects.get(user=operator).name == f"cli {timezone.localdate().isoformat()}"


def test_an_expiring_token_works_until_it_expires(operator: User) -> None:
    raw = new_token("operator", "--expires-days", "30")

    token = ApiToken.objects.get(user=operator)
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert ApiToken.authenticate(raw) is not None

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiToken.authenticate(raw) is None
    out, _err = run("tokens", "operator")
    assert "expired" in out


def test_a_token_expires_after_90_days_unless_told_otherwise(operator: User) -> None:
    new_token("operator", "--name", "default")
    new_token("operator", "--name", "forever", "--never")

    default = ApiToken.objects.get(name="default")
    assert default.expires_at is not None
    assert timedelta(days=89) < default.expires_at - timezone.now() <= timedelta(days=90)
    assert ApiToken.objects.get(name="forever").expires_at is None


def test_never_and_a_number_of_days_do_not_go_together(operator: User) -> None:
    with pytest.raises(CommandError):
        run("token", "operator", "--never", "--expires-days", "30")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", ["0", "-3", "100000"])
def test_an_impossible_expiry_is_refused(operator: User, days: str) -> None:
    with pytest.raises(CommandError, match="--expires-days"):
        run("token", "operator", "--expires-days", days)
    assert not ApiToken.objects.exists()


def test_an_unknown_user_gets_no_token(db: Any) -> None:
    with pytest.raises(CommandError, match="No user is named ghost"):
        run("token", "ghost")
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token(operator: User) -> None:
    User.objects.filter(pk=operator.pk).update(is_active=False)

    with pytest.raises(CommandError, match="inactive"):
        run("token", "operator")


def test_revoking_by_name_makes_every_token_of_that_name_unusable(operator: User) -> None:
    first = new_token("operator", "--name", "erp")
    second = new_token("operator", "--name", "erp")
    other = new_token("operator", "--name", "portal")

    _out, err = run("revoketoken", "operator", "erp")

    assert err.count("Revoked") == 2
    assert ApiToken.authenticate(first) is None
    assert ApiToken.authenticate(second) is None
    assert ApiToken.authenticate(other) is not None


def test_revoking_by_hint_as_listed_revokes_that_token_only(operator: User) -> None:
    first = new_token("operator", "--name", "erp")
    second = new_token("operator", "--name", "erp")
    hint = ApiToken.objects.get(key_hash=hashlib.sha256(first.encode()).hexdigest()).hint

    run("revoketoken", "operator", hint + "…")

    assert ApiToken.authenticate(first) is None
    assert ApiToken.authenticate(second) is not None


def test_revoking_an_unknown_token_fails_and_changes_nothing(operator: User) -> None:
    raw = new_token("operator", "--name", "erp")

    with pytest.raises(CommandError, match="no unrevoked token"):
        run("revoketoken", "operator", "nothing-like-it")
    assert ApiToken.authenticate(raw) is not None


def test_another_users_token_cannot_be_revoked_through_one_s_own_name(operator: User, viewer: User) -> None:
    raw = new_token("viewer", "--name", "erp")

    with pytest.raises(CommandError):
        run("revoketoken", "operator", "erp")
    assert ApiToken.authenticate(raw) is not None


def test_tokens_lists_name_hint_dates_and_state(operator: User) -> None:
    new_token("operator", "--name", "erp", "--expires-days", "10")
    new_token("operator", "--name", "portal")
    run("revoketoken", "operator", "portal")
    ApiToken.authenticate(new_token("operator", "--name", "scanner", "--never"))

    out, _err = run("tokens", "operator")

    header, *rows = out.splitlines()
    assert header.split() == ["name", "hint", "created", "expires", "last", "used", "state"]
    by_name = {row.split()[0]: row for row in rows}
    assert set(by_name) == {"erp", "portal", "scanner"}
    assert "usable" in by_name["erp"] and "never" not in by_name["erp"].split("  ")[3]
    assert "revoked" in by_name["portal"]
    assert by_name["scanner"].count("never") == 1  # never expires, but it has been used
    for token in ApiToken.objects.all():
        assert token.hint in by_name[token.name]


def test_tokens_of_a_user_without_any_says_so_on_stderr(operator: User) -> None:
    out, err = run("tokens", "operator")

    assert out == ""
    assert "no API tokens" in err


# --- the services, for the UI and the API -------------------------------------------------------


def test_anyone_may_make_their_own_token_but_not_someone_elses(operator: User, viewer: User) -> None:
    token, raw = services.issue_token(actor=operator, user=operator, name="mine")
    assert ApiToken.authenticate(raw) == token

    with pytest.raises(PermissionDenied):
        services.issue_token(actor=operator, user=viewer, name="theirs")
    with pytest.raises(PermissionDenied):
        services.revoke_tokens(actor=operator, user=viewer, name_or_hint="anything")


def test_an_admin_manages_other_users_tokens(admin_user: User, viewer: User) -> None:
    _token, raw = services.issue_token(actor=admin_user, user=viewer, name="for-viewer")

    services.revoke_tokens(actor=admin_user, user=viewer, name_or_hint="for-viewer")

    assert ApiToken.authenticate(raw) is None


def test_only_an_admin_creates_users(operator: User, admin_user: User) -> None:
    with pytest.raises(PermissionDenied):
        services.create_user(actor=operator, username="new", role="viewer", password="correct-horse-9")

    user = services.create_user(actor=admin_user, username="new", role="viewer", password="correct-horse-9")
    assert user.check_password("correct-horse-9")


def test_a_token_needs_a_name(operator: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.issue_token(actor=None, user=operator, name="  ")
    assert "name" in error.value.message_dict
