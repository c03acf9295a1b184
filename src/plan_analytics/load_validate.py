"""Validating typed batches with the Pandera models of schemas.py.

Batches stream from DuckDB through Arrow in chunks of at most CHUNK_ROWS rows,
so memory stays flat however long the file is. The failure cases come back as
a small temp table ``failures_<type>`` (_row, column_name, check_name, value).
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
    pending, rows = [], 0
    for batch in reader:
        pending.append(batch)
        rows += batch.num_rows
        if rows >= limit:
            yield pyarrow_.Table.from_batches(pending)
            pending, rows = [], 0
    if pending:
        yield pyarrow_.Table.from_batches(pending)


def validate_typed(con: duckdb.DuckDBPyConnection, rt: RecordType, query: str, chunk_rows: int | None = None) -> int:
    """Validate the rows `query` selects (it must yield _row and rt's columns); return the failure count."""
    model = MODELS[rt.name]
    chunk_rows = chunk_rows or CHUNK_ROWS
    collected: list[pd.DataFrame] = []
    reader = con.sql(query).to_arrow_reader(min(chunk_rows, 122_880))
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
