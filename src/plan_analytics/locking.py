"""One command at a time per database.

DuckDB lets one process write a database file; a second process opening it
fails at once. Commands therefore take an advisory lock on `<db>.lock` first,
wait a bounded time for it, and name the holder when they give up. The lock
file records only the command name, pid and start time (never arguments).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import time
from pathlib import Path

from .errors import DatabaseBusyError

DEFAULT_WAIT_SECONDS = float(os.environ.get("PLAN_ANALYTICS_BUSY_TIMEOUT", "60"))


def lock_path(db_path: Path) -> Path:
    return Path(str(db_path) + ".lock")


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "another plan-analytics command"
    if not info:
        return "another plan-analytics command"
    return f"'plan-analytics {info.get('command', '?')}' (pid {info.get('pid', '?')}, since {info.get('since', '?')})"


@contextlib.contextmanager
def database_lock(db_path: Path, command: str, wait_seconds: float | None = None):
    """Hold the database's lock for the duration of a command."""
    wait_seconds = DEFAULT_WAIT_SECONDS if wait_seconds is None else wait_seconds
    path = lock_path(Path(db_path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise DatabaseBusyError(
                        f"{db_path} is busy: {_holder(path)} is using it; "
                        f"waited {wait_seconds:g} s, try again when it has finished."
                    ) from None
                time.sleep(0.2)
        record = {"command": command, "pid": os.getpid(), "since": dt.datetime.now().isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
