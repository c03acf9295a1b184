"""The audit trail: one row per load, check, report and packet, kept in the database.

Arguments are recorded without PHI: paths, dates, ids and flags only. Inputs and
outputs are recorded by sha256, so a packet sent to an insurer can be traced to
the exact export files and policy it was built from.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd

AUDIT_DDL = """CREATE TABLE IF NOT EXISTS audit_log (
    logged_at TIMESTAMP, os_user VARCHAR, command VARCHAR, arguments JSON, as_of DATE,
    policy_digest VARCHAR, inputs JSON, outputs JSON, outcome VARCHAR)"""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_hashes(paths) -> dict[str, str]:
    return {str(p): sha256_of(Path(p)) for p in paths if Path(p).is_file()}


def record(
    con: duckdb.DuckDBPyConnection,
    *,
    command: str,
    arguments: dict,
    outcome: str,
    as_of: dt.date | None = None,
    policy_digest: str | None = None,
    inputs: dict | None = None,
    outputs: dict | None = None,
) -> None:
    con.execute(AUDIT_DDL)
    con.execute(
        "INSERT INTO audit_log VALUES (now()::TIMESTAMP, $user, $command, $arguments, $as_of, "
        "$digest, $inputs, $outputs, $outcome)",
        {
            "user": getpass.getuser(),
            "command": command,
            "arguments": json.dumps(arguments, default=str, sort_keys=True),
            "as_of": as_of,
            "digest": policy_digest,
            "inputs": json.dumps(inputs or {}, sort_keys=True),
            "outputs": json.dumps(outputs or {}, sort_keys=True),
            "outcome": outcome,
        },
    )


def audit_rows(con: duckdb.DuckDBPyConnection, limit: int = 50) -> pd.DataFrame:
    """The latest entries, newest first (works on a read-only connection)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'audit_log'"
    ).fetchall()[0][0]
    if not exists:
        return pd.DataFrame(columns=["logged_at", "os_user", "command", "arguments", "as_of", "policy_digest", "outcome"])
    return con.execute(
        "SELECT logged_at, os_user, command, arguments, as_of, policy_digest, outcome "
        "FROM audit_log ORDER BY logged_at DESC LIMIT $limit",
        {"limit": limit},
    ).df()
