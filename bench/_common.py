"""Helpers shared by the benchmark scripts: a throw-away database, a real server, timing figures."""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CARNET = ROOT / ".venv" / "bin" / "carnet"


def bench_database_url(kind: str, name: str) -> str:
    """A fresh database for one benchmark run: a new PostgreSQL database, or a new SQLite file."""
    if kind == "postgresql":
        import psycopg

        base = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        parts = urllib.parse.urlsplit(base)
        return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    directory = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    return f"sqlite:///{directory / 'carnet.sqlite3'}"


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carnet.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    database_url: str, workers: int = 2, threads: int = 4, pids: list[int] | None = None
) -> Iterator[str]:
    """Start `carnet serve` (gunicorn) on a free loopback port; yield its base URL; stop it. The server's
    pid is appended to `pids` when given (for its CPU time)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    proc = subprocess.Popen(
        [
            str(CARNET),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start")
        if pids is not None:
            pids.append(proc.pid)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def process_tree(root: int) -> list[int]:
    """The pid and every descendant's (Linux /proc), e.g. `carnet serve` and its gunicorn workers."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (Linux /proc; gone processes count 0)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def figures(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    p99 = ordered[max(0, round(0.99 * len(ordered)) - 1)]
    return {
        "median": statistics.median(ordered),
        "p95": p95,
        "p99": p99,
        "max": ordered[-1],
        "n": len(ordered),
    }


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
