"""A real PostgreSQL server for the tests, started from the system's binaries.

The server runs from a temporary directory on a free loopback port with fsync off, and is
stopped at the end of the test session. When no PostgreSQL binaries are found the
PostgreSQL tests skip with a reason saying how to enable them, unless the environment
variable ``HOTEL_OCCUPANCY_REQUIRE_POSTGRES=1`` is set (as ``.ci/run`` does): then they fail.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HOW_TO_ENABLE = (
    "PostgreSQL binaries (initdb, pg_ctl) not found: install them "
    "(apt-get install postgresql) or point HOTEL_OCCUPANCY_PG_BIN at their directory"
)


def required() -> bool:
    return os.environ.get("HOTEL_OCCUPANCY_REQUIRE_POSTGRES") == "1"


def find_bin_dir() -> Path | None:
    configured = os.environ.get("HOTEL_OCCUPANCY_PG_BIN")
    candidates = [configured] if configured else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    which = shutil.which("initdb")
    if which:
        candidates.append(str(Path(which).resolve().parent))
    for candidate in candidates:
        if (
            candidate
            and (Path(candidate) / "initdb").exists()
            and (Path(candidate) / "pg_ctl").exists()
        ):
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the 'postgres' (or 'nobody') user."""
    if os.geteuid() != 0:
        return command
    for user in ("postgres", "nobody"):
        if subprocess.run(["id", user], capture_output=True, check=False).returncode == 0:
            return ["runuser", "-u", user, "--", *command]
    raise RuntimeError("running as root and no unprivileged user to run PostgreSQL as")


@contextmanager
def running_server() -> Iterator[str]:
    """Start a throwaway server; yield a SQLAlchemy URL of its ``postgres`` database."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError(HOW_TO_ENABLE)
    root = Path(tempfile.mkdtemp(prefix="ho-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        owner = (
            "postgres"
            if subprocess.run(["id", "postgres"], capture_output=True).returncode == 0
            else "nobody"
        )
        shutil.chown(root, user=owner)
        os.chmod(root, 0o700)
    port = _free_port()
    log = root / "server.log"
    subprocess.run(
        _as_postgres_user(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--no-sync"]
        ),
        check=True,
        capture_output=True,
    )  # fmt: skip
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={root} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        _as_postgres_user(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w",
             "-t", "60", "start"]
        ),
        check=True,
        capture_output=True,
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres_user(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
            ),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)
