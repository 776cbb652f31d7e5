"""CSRF on every form, and the security headers on pages and API answers."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from carnet.accounts import services
from carnet.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db

CARNET = Path(__file__).resolve().parents[2] / "carnet"


# --- CSRF ----------------------------------------------------------------------------------------


def test_a_form_post_without_the_csrf_token_is_refused_and_changes_nothing(operator: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)

    refused = client.post("/account/tokens/", {"name": "forged", "lifetime": "30"})

    assert refused.status_code == 403
    assert not ApiToken.objects.filter(name="forged").exists()


def test_a_form_post_with_the_csrf_token_of_the_page_goes_through(operator: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    page = client.get("/account/tokens/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None

    made = client.post(
        "/account/tokens/", {"name": "mine", "lifetime": "30", "csrfmiddlewaretoken": token.group(1)}
    )

    assert made.status_code == 200
    assert ApiToken.objects.filter(name="mine", user=operator).exists()


def test_the_sign_in_form_needs_the_csrf_token(operator: User) -> None:
    client = Client(enforce_csrf_checks=True)

    refused = client.post("/login/", {"username": "operator", "password": "correct-horse-9"})

    assert refused.status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_api_asks_a_session_for_the_csrf_token_but_not_a_bearer_token(operator: User) -> None:
    session = Client(enforce_csrf_checks=True)
    session.force_login(operator)
    refused = session.post("/api/v1/tokens", {"name": "forged"}, content_type="application/json")
    assert refused.status_code == 403
    assert not ApiToken.objects.filter(name="forged").exists()

    _token, raw = services.issue_token(actor=None, user=operator, name="erp")
    made = Client(enforce_csrf_checks=True).post(
        "/api/v1/tokens",
        {"name": "by-token"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert made.status_code == 201


def _views(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern.callback))
    return found


def test_no_view_skips_csrf_but_the_api_which_checks_it_for_sessions_itself() -> None:
    exempt = [
        route for route, view in _views(get_resolver().url_patterns) if getattr(view, "csrf_exempt", False)
    ]

    assert exempt, "the API views are expected to be exempt from Django's check (ninja checks sessions)"
    assert all(route.startswith("api/v1/") for route in exempt), exempt


# --- headers ---------------------------------------------------------------------------------------


def _directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


def assert_security_headers(answer: Any) -> None:
    policy = _directives(answer["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert answer["X-Frame-Options"] == "DENY"
    assert answer["Referrer-Policy"] == "same-origin"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_carry_the_security_headers(operator: User) -> None:
    client = Client()
    assert_security_headers(client.get("/login/"))
    client.force_login(operator)
    assert_security_headers(client.get("/customers/"))
    assert_security_headers(client.get("/account/tokens/"))


def test_api_answers_carry_the_security_headers(operator: User) -> None:
    _token, raw = services.issue_token(actor=None, user=operator, name="erp")
    assert_security_headers(Client().get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {raw}"))
    assert_security_headers(Client().get("/api/v1/customers"))  # a 401 too
    assert_security_headers(Client().get("/api/v1/docs"))


def test_the_policy_follows_the_settings_it_is_built_from(operator: User) -> None:
    # The header is built once and kept: a changed setting must give the new policy, not the kept one.
    client = Client()
    assert "'none'" in _directives(client.get("/login/")["Content-Security-Policy"])["object-src"]
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'self'", "https:"]}}):
        assert _directives(client.get("/login/")["Content-Security-Policy"]) == {
            "default-src": ["'self'", "https:"]
        }
    assert_security_headers(client.get("/login/"))


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


def test_no_template_has_an_inline_script_or_handler_the_policy_would_block() -> None:
    offenders = []
    for template in sorted(CARNET.glob("**/templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, re.compile("javascript:", re.I)):
            offenders += [f"{template.relative_to(CARNET)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not offenders, "move these to a static file (see carnet/web/static/web/carnet.js):\n" + "\n".join(
        offenders
    )
