"""`carnet check --deploy`: Django's deployment checks and Carnet's own, with a non-zero exit on errors."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
CARNET = Path(sys.executable).parent / "carnet"
GOOD_KEY = secrets.token_urlsafe(50)


def run_carnet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CARNET), *args],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def fresh_env(tmp_path: Path) -> dict[str, str]:
    """A fresh embedded installation (SQLite in a temporary directory) with no Carnet setting made."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "DATABASE_URL" and not k.startswith(("DJANGO_", "CARNET_"))
    }
    env["CARNET_DATA_DIR"] = str(tmp_path)
    return env


def test_the_defaults_fail_the_deployment_check(fresh_env: dict[str, str]) -> None:
    fresh_env["CARNET_DEBUG"] = "1"

    result = run_carnet(fresh_env, "check", "--deploy")

    assert result.returncode != 0
    for check_id in ("carnet.E001", "carnet.E002", "carnet.E006", "carnet.W004"):
        assert check_id in result.stderr, result.stderr
    assert "CARNET_SECRET_KEY" in result.stderr  # says what to set


def test_a_production_configuration_passes(fresh_env: dict[str, str]) -> None:
    assert run_carnet(fresh_env, "migrate", "-v", "0").returncode == 0
    fresh_env.update(CARNET_SECRET_KEY=GOOD_KEY, CARNET_ALLOWED_HOSTS="carnet.example.com", CARNET_HTTPS="1")

    result = run_carnet(fresh_env, "check", "--deploy")

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "carnet." not in output
    # CARNET_HTTPS=1 turned on what Django's own checks ask for behind HTTPS.
    for check_id in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check_id not in output


def test_carnet_checks_run_only_with_deploy(fresh_env: dict[str, str]) -> None:
    result = run_carnet(fresh_env, "check")

    assert result.returncode == 0, result.stderr
    assert "carnet.E001" not in result.stdout + result.stderr


# In-process: each of Carnet's checks, against the test database (migrated, reachable).


def carnet_check() -> str:
    try:
        call_command("check", "--deploy", "--tag", "carnet")
    except SystemCheckError as exc:
        return str(exc)
    return ""


@pytest.mark.django_db
@override_settings(SECRET_KEY=GOOD_KEY, DEBUG=False, ALLOWED_HOSTS=["carnet.example.com"])
def test_good_settings_and_a_migrated_database_pass() -> None:
    assert carnet_check() == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("settings", "check_id"),
    [
        ({"SECRET_KEY": "carnet-insecure-local-key-change-me"}, "carnet.E001"),
        ({"DEBUG": True}, "carnet.E002"),
    ],
)
def test_each_error_fails_the_check(settings: dict[str, object], check_id: str) -> None:
    values = {"SECRET_KEY": GOOD_KEY, "DEBUG": False, "ALLOWED_HOSTS": ["carnet.example.com"], **settings}
    with override_settings(**values):
        assert check_id in carnet_check()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("hosts", "check_id"), [(["*"], "carnet.W003"), (["localhost", "127.0.0.1"], "carnet.W004")]
)
def test_hosts_that_cannot_be_right_in_production_are_warned_about(hosts: list[str], check_id: str) -> None:
    with override_settings(SECRET_KEY=GOOD_KEY, DEBUG=False, ALLOWED_HOSTS=hosts):
        # A warning does not fail the check by default; --fail-level WARNING makes it.
        call_command("check", "--deploy", "--tag", "carnet")
        with pytest.raises(SystemCheckError, match=check_id):
            call_command("check", "--deploy", "--tag", "carnet", "--fail-level", "WARNING")
