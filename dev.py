#!/usr/bin/env python3
"""Carnet's quick start: `python3 dev.py serve` runs Carnet, `python3 dev.py test` runs every test.

Needs only Python 3.11+ and this clone. It makes a virtual environment in .venv, installs the pinned
dependencies (requirements/constraints.txt) when they changed, and then runs the command.
Other commands: `lint` (ruff and mypy), `carnet ARGS…` (the carnet command inside the environment).
"""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
CHROMIUM = os.environ.get("CARNET_CHROMIUM", "/usr/bin/chromium")


def say(message: str) -> None:
    print(f"[carnet] {message}", file=sys.stderr, flush=True)


def run(*args: str | Path) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT)


def ensure_environment(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 -- dev.py must explain itself on an old Python
        sys.exit("Carnet needs Python 3.11 or newer.")
    if not (BIN / "python").exists():
        say("creating the virtual environment in .venv")
        run(sys.executable, "-m", "venv", VENV)
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "requirements/constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    digest.update(extras.encode())
    stamp = VENV / f".installed-{extras or 'runtime'}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    say("installing the pinned dependencies (once, and again when they change)")
    target = f".[{extras}]" if extras else "."
    run(
        BIN / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-c",
        "requirements/constraints.txt",
        "-e",
        target,
    )
    stamp.write_text(digest.hexdigest())


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium; install it when it is missing and we may."""
    if Path(CHROMIUM).exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        say("installing Debian's chromium for the browser tests")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
        return
    sys.exit(
        f"The browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium), "
        "or CARNET_CHROMIUM set to its path."
    )


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "serve":
        ensure_environment("")
        os.execv(BIN / "carnet", [str(BIN / "carnet"), "serve", "--demo", *args])
    if command == "test":
        ensure_environment("dev")
        ensure_chromium()
        return subprocess.run([str(BIN / "pytest"), *args], cwd=ROOT).returncode
    if command == "lint":
        ensure_environment("dev")
        ruff = subprocess.run([str(BIN / "ruff"), "check", "."], cwd=ROOT).returncode
        fmt = subprocess.run([str(BIN / "ruff"), "format", "--check", "."], cwd=ROOT).returncode
        mypy = subprocess.run([str(BIN / "mypy"), "carnet"], cwd=ROOT).returncode
        return ruff or fmt or mypy
    if command == "carnet":
        ensure_environment("dev")
        os.execv(BIN / "carnet", [str(BIN / "carnet"), *args])
    print(__doc__)
    return 0 if command == "help" else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
