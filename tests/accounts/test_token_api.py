"""/api/v1/tokens and the "My tokens" page: named tokens shown once, expiring, revocable by their owner and
by admins, their last use recorded; an expired or revoked token is a 401 problem."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from carnet.accounts import services
from carnet.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_problem(response: Any, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    if field is not None:
        assert field in [e["field"] for e in response.json().get("errors") or []], response.json()


def assert_401_problem(response: Any) -> None:
    assert response.status_code == 401, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["status"] == 401


# --- making a token ------------------------------------------------------------------------------


def test_a_new_token_is_in_the_answer_once_and_only_its_hash_is_kept(
    api_as: Callable, operator: User
) -> None:
    api = api_as(operator)

    made = api.post("tokens", {"name": "erp-sync", "expires_days": 30})

    assert made.status_code == 201, made.content
    assert made["Cache-Control"] == "no-store"
    body = made.json()
    raw = body["token"]
    assert raw.startswith(ApiToken.PREFIX) and raw.startswith(body["hint"])
    assert body["name"] == "erp-sync" and body["user"] == "operator" and body["state"] == "usable"
    stored = ApiToken.objects.get(pk=int(body["id"]))
    assert raw not in {stored.key_hash, stored.hint, stored.name}
    listed = api.get("tokens").json()["items"]
    assert {t["name"] for t in listed} == {"erp-sync", "tests"}
    assert all("token" not in t and raw not in str(t) for t in listed)
    assert Client().get("/api/v1/customers", **bearer(raw)).status_code == 200


def test_a_token_expires_after_90_days_by_default_and_never_when_asked(
    api_as: Callable, operator: User
) -> None:
    api = api_as(operator)

    default = api.post("tokens", {"name": "default"}).json()
    forever = api.post("tokens", {"name": "forever", "expires_days": None}).json()

    expires = ApiToken.objects.get(pk=int(default["id"])).expires_at
    assert expires is not None
    assert timedelta(days=89) < expires - timezone.now() <= timedelta(days=90)
    assert forever["expires_at"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "expires_days": 0}, "expires_days"),
        ({"name": "ok", "expires_days": 5000}, "expires_days"),
    ],
)
def test_a_refused_token_names_the_field_and_makes_nothing(
    api_as: Callable, operator: User, body: dict[str, Any], field: str
) -> None:
    api = api_as(operator)

    assert_problem(api.post("tokens", body), 422, field)

    assert list(ApiToken.objects.values_list("name", flat=True)) == ["tests"]


def test_only_an_admin_makes_a_token_for_someone_else(
    api_as: Callable, operator: User, viewer: User, admin_user: User
) -> None:
    assert_problem(api_as(operator).post("tokens", {"name": "theirs", "user": "viewer"}), 403)
    assert_problem(api_as(operator).post("tokens", {"name": "x", "user": "nobody"}), 403)
    assert not ApiToken.objects.filter(user=viewer).exists()

    made = api_as(admin_user).post("tokens", {"name": "for-viewer", "user": "viewer"})

    assert made.status_code == 201
    assert made.json()["user"] == "viewer"
    assert ApiToken.authenticate(made.json()["token"]).user == viewer  # type: ignore[union-attr]


# --- listing ----------------------------------------------------------------------------------------


def test_each_user_lists_only_their_own_tokens_and_an_admin_anyones(
    api_as: Callable, operator: User, viewer: User, admin_user: User
) -> None:
    services.issue_token(actor=None, user=viewer, name="viewer-script")
    operator_api = api_as(operator)

    own = operator_api.get("tokens").json()["items"]
    assert [t["user"] for t in own] == ["operator"]
    assert_problem(operator_api.get("tokens", params={"user": "viewer"}), 403)

    theirs = api_as(admin_user).get("tokens", params={"user": "viewer"}).json()["items"]
    assert [t["name"] for t in theirs] == ["viewer-script"]


def test_the_list_says_the_state_of_each_token(api_as: Callable, operator: User) -> None:
    expired, _raw = services.issue_token(actor=None, user=operator, name="old", expires_days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    revoked, _raw = services.issue_token(actor=None, user=operator, name="gone")
    services.revoke_token(actor=operator, token_id=revoked.pk)

    items = {t["name"]: t for t in api_as(operator).get("tokens").json()["items"]}

    assert items["old"]["state"] == "expired"
    assert items["gone"]["state"] == "revoked" and items["gone"]["revoked_at"]
    assert items["tests"]["state"] == "usable"


# --- revoking -------------------------------------------------------------------------------------


def test_the_owner_revokes_a_token_which_then_answers_401(api_as: Callable, operator: User, db: Any) -> None:
    api = api_as(operator)
    victim = api.post("tokens", {"name": "laptop"}).json()

    assert api.delete(f"tokens/{victim['id']}").status_code == 204
    assert api.delete(f"tokens/{victim['id']}").status_code == 204  # again: nothing changes

    assert_401_problem(Client().get("/api/v1/customers", **bearer(victim["token"])))
    assert ApiToken.objects.get(pk=int(victim["id"])).revoked_at is not None
    assert api.get("customers").status_code == 200  # the owner's other token still works


def test_another_users_token_is_404_to_a_non_admin_and_revocable_by_an_admin(
    api_as: Callable, operator: User, viewer: User, admin_user: User
) -> None:
    token, raw = services.issue_token(actor=None, user=viewer, name="viewer-script")

    assert_problem(api_as(operator).delete(f"tokens/{token.pk}"), 404)
    assert_problem(api_as(operator).delete("tokens/not-a-number"), 404)
    assert ApiToken.authenticate(raw) is not None

    assert api_as(admin_user).delete(f"tokens/{token.pk}").status_code == 204
    assert ApiToken.authenticate(raw) is None


def test_a_revoked_token_cannot_revoke_anything(api_as: Callable, operator: User) -> None:
    api = api_as(operator)
    other = api.post("tokens", {"name": "other"}).json()
    own = ApiToken.objects.get(user=operator, name="tests")
    services.revoke_token(actor=operator, token_id=own.pk)

    assert_401_problem(api.delete(f"tokens/{other['id']}"))
    assert ApiToken.objects.get(pk=int(other["id"])).revoked_at is None


# --- expiry and last use --------------------------------------------------------------------------


def test_an_expired_token_answers_401_problem(operator: User) -> None:
    token, raw = services.issue_token(actor=None, user=operator, name="short", expires_days=1)
    client = Client()
    assert client.get("/api/v1/customers", **bearer(raw)).status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert_401_problem(client.get("/api/v1/customers", **bearer(raw)))


def test_the_last_use_is_recorded_to_the_minute(operator: User) -> None:
    token, raw = services.issue_token(actor=None, user=operator, name="erp")
    client = Client()
    assert token.last_used_at is None

    before = timezone.now()
    assert client.get("/api/v1/customers", **bearer(raw)).status_code == 200
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None and first_use >= before

    # Within the minute, a request reads the token and writes nothing.
    assert client.get("/api/v1/customers", **bearer(raw)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first_use

    # A use more than a minute after the recorded one is recorded.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    assert client.get("/api/v1/customers", **bearer(raw)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at >= before


# --- the "My tokens" page --------------------------------------------------------------------------


def test_the_page_shows_a_new_token_once_then_only_its_hint(operator: User) -> None:
    client = Client()
    client.force_login(operator)

    made = client.post("/account/tokens/", {"name": "scanner", "lifetime": "30"})

    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    token = ApiToken.objects.get(user=operator, name="scanner")
    secret = made.context["new_secret"]
    assert secret.startswith(token.hint) and secret in made.content.decode()
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert ApiToken.authenticate(secret) == token

    again = client.get("/account/tokens/").content.decode()
    assert secret not in again
    assert token.hint in again and "scanner" in again


def test_the_page_revokes_ones_own_token_but_not_someone_elses(operator: User, viewer: User) -> None:
    own, own_raw = services.issue_token(actor=None, user=operator, name="mine")
    theirs, their_raw = services.issue_token(actor=None, user=viewer, name="theirs")
    client = Client()
    client.force_login(operator)

    client.post(f"/account/tokens/{theirs.pk}/revoke/")
    answer = client.post(f"/account/tokens/{own.pk}/revoke/", follow=True)

    assert ApiToken.authenticate(own_raw) is None
    assert ApiToken.authenticate(their_raw) is not None
    assert "mine" in answer.content.decode()
    assert "theirs" not in client.get("/account/tokens/").content.decode()


def test_the_page_refuses_a_nameless_token(operator: User) -> None:
    client = Client()
    client.force_login(operator)

    answer = client.post("/account/tokens/", {"name": "", "lifetime": "never"})

    assert answer.status_code == 422
    assert not ApiToken.objects.filter(user=operator).exists()


def test_the_page_needs_a_signed_in_user(db: Any) -> None:
    answer = Client().get("/account/tokens/")
    assert answer.status_code == 302 and "/login/" in answer["Location"]


def test_the_page_speaks_french(operator: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(operator)
    services.issue_token(actor=None, user=operator, name="erp", expires_days=None)

    page = client.get("/account/tokens/").content.decode()

    assert "Mes jetons d\u2019API" in page and "Créer le jeton" in page and "jamais" in page
