"""Opening the database: owner-only files, a memory limit, the schema in place."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from .errors import PlanAnalyticsError
from .schema import create_macros, create_schema

MEMORY_LIMIT = os.environ.get("PLAN_ANALYTICS_MEMORY_LIMIT", "3GB")


def owner_only(path: Path) -> None:
    """Restrict a PHI-holding file or folder to its owner."""
    if path.exists():
        path.chmod(0o700 if path.is_dir() else 0o600)


def connect(db_path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    db_path = Path(db_path)
    if read_only and not db_path.exists():
        raise PlanAnalyticsError(f"{db_path} does not exist; run 'plan-analytics load' first.")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    old_umask = os.umask(0o077)
    try:
        con = duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as exc:
        raise PlanAnalyticsError(f"{db_path} cannot be opened: {str(exc).splitlines()[0]}") from None
    finally:
        os.umask(old_umask)
    owner_only(db_path)
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    if not read_only:
        create_schema(con)
    create_macros(con)
    return con


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None):
    """The single value of a one-row query (fully fetched, so the connection is free again)."""
    rows = con.execute(sql, params or {}).fetchall()
    return rows[0][0] if rows else None


def check_timezone(con: duckdb.DuckDBPyConnection, timezone: str, *, record_if_new: bool = False) -> None:
    """Local wall-clock values only compare if every load and check used one zone.

    The first load records its zone (record_if_new); later loads and every check
    must name the same one."""
    loaded_zone = scalar(con, "SELECT value FROM pa_meta WHERE key = 'timezone'")
    if loaded_zone is None:
        if record_if_new:
            con.execute("INSERT INTO pa_meta VALUES ('timezone', $zone)", {"zone": timezone})
    elif loaded_zone != timezone:
        raise PlanAnalyticsError(
            f"The database was loaded with time zone {loaded_zone}, but the policy says {timezone}; "
            "load it with the same time zone or into a new database."
        )
