"""Tables of a plan-analytics database, in layers.

raw_<type>   the records as received (text), one row per key, newest load wins
stg_<type>   the same records typed: dates parsed, enums canonical, blanks null
load_*       what each load read, kept, rejected and warned about
Rule queries read only the stg_ layer (through the as-of views the engine builds).
"""

from __future__ import annotations

import duckdb

from .formats import DATE, INTEGER, PLACEHOLDERS, RECORD_TYPES, TIMESTAMP, RecordType

SQL_TYPES = {DATE: "DATE", TIMESTAMP: "TIMESTAMP", INTEGER: "INTEGER"}
LINEAGE_COLUMNS = "_load_id INTEGER, _source_file VARCHAR, _line BIGINT"


def raw_table(rt: RecordType) -> str:
    return f"raw_{rt.name}"


def staging_table(rt: RecordType) -> str:
    return f"stg_{rt.name}"


def _raw_ddl(rt: RecordType) -> str:
    cols = ", ".join(f"{c} VARCHAR" for c in rt.column_names)
    return f"CREATE TABLE IF NOT EXISTS {raw_table(rt)} ({cols}, {LINEAGE_COLUMNS})"


def _staging_ddl(rt: RecordType) -> str:
    cols = ", ".join(f"{c.name} {SQL_TYPES.get(c.kind, 'VARCHAR')}" for c in rt.columns)
    return f"CREATE TABLE IF NOT EXISTS {staging_table(rt)} ({cols}, {LINEAGE_COLUMNS})"


BOOKKEEPING_DDL = (
    "CREATE SEQUENCE IF NOT EXISTS load_id_seq START 1",
    """CREATE TABLE IF NOT EXISTS load_manifest (
        load_id INTEGER, loaded_at TIMESTAMP, record_type VARCHAR, source_file VARCHAR,
        sha256 VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT)""",
    """CREATE TABLE IF NOT EXISTS rejected_rows (
        load_id INTEGER, record_type VARCHAR, source_file VARCHAR, line BIGINT,
        reason VARCHAR, raw_row JSON)""",
    """CREATE TABLE IF NOT EXISTS load_warnings (
        load_id INTEGER, record_type VARCHAR, source_file VARCHAR, line BIGINT,
        column_name VARCHAR, message VARCHAR)""",
    "CREATE TABLE IF NOT EXISTS pa_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
)


def _placeholder_list() -> str:
    # Literal constants from our own code, not user values, so inlining is safe.
    return ", ".join("'" + p.replace("'", "''") + "'" for p in PLACEHOLDERS)


# No placeholder has more code points than this, and a code point is at most 4 bytes.
PLACEHOLDER_MAX_BYTES = 4 * max(len(p) for p in PLACEHOLDERS)


def macros_sql() -> list[str]:
    """SQL macros shared by every layer; `is_blank` is the spec's definition of blank.

    trim() and lower() copy the whole text, and rules ask is_blank of every long
    narrative; a text longer than any placeholder with no space at either end is
    not blank, which is decided without copying it."""
    text = "CAST(x AS VARCHAR)"
    return [
        "CREATE OR REPLACE TEMP MACRO is_blank(x) AS "
        f"(x IS NULL OR CASE WHEN strlen({text}) > {PLACEHOLDER_MAX_BYTES} "
        f"AND NOT starts_with({text}, ' ') AND NOT ends_with({text}, ' ') THEN FALSE "
        f"ELSE trim({text}) = '' OR lower(trim({text})) IN ({_placeholder_list()}) END)",
    ]


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table (idempotent)."""
    for ddl in BOOKKEEPING_DDL:
        con.execute(ddl)
    for rt in RECORD_TYPES.values():
        con.execute(_raw_ddl(rt))
        con.execute(_staging_ddl(rt))


def create_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Per-connection (TEMP) macros, so a read-only connection has them too."""
    for macro in macros_sql():
        con.execute(macro)
