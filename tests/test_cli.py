"""The `carnet` command as operators run it: a real process, its exit status, stdout and stderr."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[1]
CARNET = Path(sys.executable).parent / "carnet"
CLI_DOC = ROOT / "docs" / "cli.md"


@pytest.fixture
def embedded(tmp_path: Path) -> dict[str, str]:
    """The environment of a fresh embedded installation: SQLite in a temporary data directory, whatever
    database the tests themselves use (the child must never touch it)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("DJANGO_")}
    env["CARNET_DATA_DIR"] = str(tmp_path)
    return env


def carnet(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CARNET), *args],
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,  # not a terminal: nothing may wait for a prompt
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_createuser_and_token_in_a_real_process(embedded: dict[str, str], tmp_path: Path) -> None:
    assert carnet(embedded, "migrate", "-v", "0").returncode == 0
    assert (tmp_path / "carnet.sqlite3").exists()

    refused = carnet(embedded, "createuser", "erp", "--role", "robot")
    assert refused.returncode != 0
    assert "--role" in refused.stderr and "robot" in refused.stderr

    created = carnet(embedded, "createuser", "erp", "--role", "operator", "--company", "MAIN")
    assert created.returncode == 0, created.stderr
    password = created.stdout.splitlines()[-1]
    assert password == created.stdout.strip()

    issued = carnet(embedded, "token", "erp", "--name", "erp-sync", "--expires-days", "90")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.splitlines()[-1]
    assert token.startswith("carnet_")
    assert token not in issued.stderr

    check = (
        "import django; django.setup();"
        "from carnet.accounts.models import ApiToken, User;"
        f"t = ApiToken.authenticate({token!r}); u = User.objects.get(username='erp');"
        f"print(t.user.username, t.user.role, u.check_password({password!r}), t.expires_at is not None)"
    )
    checked = subprocess.run(
        [sys.executable, "-c", check],
        env={**embedded, "DJANGO_SETTINGS_MODULE": "carnet.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.stdout.split() == ["erp", "operator", "True", "True"], checked.stderr

    listed = carnet(embedded, "tokens", "erp")
    assert "erp-sync" in listed.stdout and token[:12] in listed.stdout

    revoked = carnet(embedded, "revoketoken", "erp", "erp-sync")
    assert revoked.returncode == 0 and "Revoked" in revoked.stderr
    assert "revoked" in carnet(embedded, "tokens", "erp").stdout
    assert carnet(embedded, "revoketoken", "erp", "erp-sync").returncode != 0


def test_every_carnet_command_is_documented() -> None:
    text = CLI_DOC.read_text(encoding="utf-8")
    ours = sorted(name for name, app in get_commands().items() if app.startswith("carnet"))

    assert {"createuser", "token", "tokens", "revoketoken", "demo", "serve"} <= set(ours)
    for name in ours:
        assert re.search(rf"^## `carnet {name}\b", text, re.MULTILINE), (
            f"docs/cli.md has no section for {name}"
        )
