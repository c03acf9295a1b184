"""Validating typed batches with the Pandera models of schemas.py.

Only rows that could fail reach pandas: a SQL filter compiled from the model
itself (not a second copy of its rules) keeps every row that breaks a
nullability, isin or bound declaration, or whose column carries a check SQL
cannot judge. Pandera then decides, on those candidates, exactly as it would
on the whole batch, so its failure cases are unchanged while millions of clean
rows never leave DuckDB. Batches stream through Arrow in chunks of at most
CHUNK_ROWS rows. The failure cases come back as a small temp table
``failures_<type>`` (_row, column_name, check_name, value).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pyarrow as pyarrow_
import duckdb

from .formats import RecordType
from .schemas import MODELS

CHUNK_ROWS = 250_000  # keeps pandas + DuckDB under the 4 GiB a load may use


def failures_table(rt: RecordType) -> str:
    return f"failures_{rt.name}"


def _to_pandas(table: pyarrow_.Table) -> pd.DataFrame:
    frame = table.to_pandas(
        date_as_object=False,
        types_mapper={pyarrow_.int64(): pd.Int64Dtype()}.get,
    )
    return frame.set_index("_row")


def _failure_cases(model, frame: pd.DataFrame) -> pd.DataFrame | None:
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    return None


def _chunks(reader, limit: int):
    """Regroup the reader's small record batches into tables of about `limit` rows."""
    pending, rows, rows_seen = [], 0, 0
    for batch in reader:
        pending.append(batch)
        rows_seen += batch.num_rows
        rows += batch.num_rows
        if rows >= limit:
            yield pyarrow_.Table.from_batches(pending)
            pending, rows = [], 0
    if pending or not rows_seen:
        yield pyarrow_.Table.from_batches(pending, schema=reader.schema)


def _may_fail(column: str, check, params: dict) -> str:
    """SQL true for every value the check could reject (never fewer; Pandera has the last word)."""
    name = f"p{len(params)}"
    if check.name == "isin":
        params[name] = list(check.statistics["allowed_values"])
        return f"({column} IS NOT NULL AND NOT list_contains(${name}, {column}))"
    if check.name == "greater_than_or_equal_to":
        params[name] = check.statistics["min_value"]
        return f"{column} < ${name}"
    # A custom check is Python: every value it would look at is a candidate.
    return f"{column} IS NOT NULL"


def candidate_filter(rt: RecordType, source: str, keys_deduplicated: bool) -> tuple[str, dict]:
    """A WHERE condition over `source` keeping every row the model could reject, and its parameters.

    keys_deduplicated: the caller already rejected repeated keys, so a uniqueness
    declaration over rt.key can only fail on null keys, which nullability keeps."""
    schema = MODELS[rt.name].to_schema()
    params: dict = {}
    conditions = []
    unique_sets = [list(schema.unique)] if schema.unique else []
    for name, column in schema.columns.items():
        if not column.nullable:
            conditions.append(f"{name} IS NULL")
        conditions.extend(_may_fail(name, check, params) for check in column.checks)
        if column.unique:
            unique_sets.append([name])
    for columns in unique_sets:
        if keys_deduplicated and set(columns) == set(rt.key):
            continue
        listed = ", ".join(columns)
        conditions.append(f"({listed}) IN (SELECT ({listed}) FROM {source} GROUP BY {listed} HAVING count(*) > 1)")
    return " OR ".join(conditions) or "FALSE", params


def validate_typed(
    con: duckdb.DuckDBPyConnection,
    rt: RecordType,
    query: str,
    chunk_rows: int | None = None,
    keys_deduplicated: bool = False,
) -> int:
    """Validate the rows `query` selects (it must yield _row and rt's columns); return the failure count."""
    model = MODELS[rt.name]
    chunk_rows = chunk_rows or CHUNK_ROWS
    collected: list[pd.DataFrame] = []
    condition, params = candidate_filter(rt, "batch", keys_deduplicated)
    # With no candidate the reader still yields the typed (empty) schema, so Pandera
    # still checks every column's dtype.
    candidates = f"WITH batch AS ({query}) SELECT * FROM batch WHERE {condition}"
    reader = con.sql(candidates, params=params).to_arrow_reader(min(chunk_rows, 122_880))
    for table in _chunks(reader, chunk_rows):
        cases = _failure_cases(model, _to_pandas(table))
        if cases is not None:
            collected.append(cases)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {failures_table(rt)} "
        "(_row BIGINT, column_name VARCHAR, check_name VARCHAR, value VARCHAR)"
    )
    if not collected:
        return 0
    cases = pd.concat(collected, ignore_index=True)
    if cases["index"].isna().any():
        # A whole-column failure (a dtype) is a loader bug, not a data problem.
        raise RuntimeError(f"staging batch for {rt.name} does not match its model: {cases['check'].unique()}")
    rows = pd.DataFrame(
        {
            "_row": cases["index"].astype("int64"),
            "column_name": cases["column"].astype(str),
            "check_name": cases["check"].astype(str),
            "value": cases["failure_case"].map(lambda v: None if pd.isna(v) else str(v)).astype(object),
        }
    )
    con.register("pa_failure_cases", rows)
    con.execute(f"INSERT INTO {failures_table(rt)} SELECT * FROM pa_failure_cases")
    con.unregister("pa_failure_cases")
    return len(rows)
