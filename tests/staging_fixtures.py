"""Build a database straight from hand-written staging rows (no loader involved),
so rule tests exercise the rules alone."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd

from plan_analytics.db import connect
from plan_analytics.formats import RECORD_TYPES
from plan_analytics.schema import SQL_TYPES


def insert_rows(con: duckdb.DuckDBPyConnection, record_type: str, csv_text: str) -> None:
    """Insert CSV text (header + rows, every value as text) into stg_<record_type>,
    casting to the staging types; columns not given are NULL; empty cells are NULL."""
    spec = RECORD_TYPES[record_type]
    frame = pd.read_csv(io.StringIO(csv_text.strip() + "\n"), dtype=str, keep_default_na=False, skipinitialspace=True)
    frame.columns = [c.strip() for c in frame.columns]
    unknown = set(frame.columns) - set(spec.column_names)
    assert not unknown, f"{record_type}: unknown columns {unknown}"
    frame = frame.apply(lambda col: col.str.strip()).replace({"": None})
    con.register("fixture_rows", frame)
    selected = []
    for column in spec.columns:
        kind = SQL_TYPES.get(column.kind, "VARCHAR")
        selected.append(f"CAST({column.name} AS {kind}) AS {column.name}" if column.name in frame.columns else f"CAST(NULL AS {kind})")
    if record_type == "treatment_plans" and "updated_at" not in frame.columns:
        selected[spec.column_names.index("updated_at")] = "CAST(created_at AS TIMESTAMP)"
    con.execute(f"INSERT INTO stg_{record_type} SELECT {', '.join(selected)}, 0, 'fixture', 0 FROM fixture_rows")
    con.execute("INSERT INTO load_manifest (load_id, record_type, source_file) VALUES (0, $t, 'fixture')", {"t": record_type})
    con.unregister("fixture_rows")


def build_database(path: Path, tables: dict[str, str]) -> duckdb.DuckDBPyConnection:
    con = connect(path)
    for record_type, csv_text in tables.items():
        insert_rows(con, record_type, csv_text)
    return con
