"""Reading one export file into a temporary table of text, with line numbers.

The result is the temp table ``inc_<type>``: one VARCHAR column per canonical
column (null where the file lacks an optional column), ``_row`` (0-based
position in the file) and ``_line`` (the physical line where the record
starts; for Parquet the row number + 1). Rows with the wrong number of fields
are listed in ``malformed_<type>`` (``_row``, ``reason``) for rejection.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import duckdb

from .db import scalar
from .errors import PlanAnalyticsError
from .load_files import ExportFile, Fingerprint, check_columns, normalize_column_name

NEWLINE = "chr(10)"


def incoming_table(export: ExportFile) -> str:
    return f"inc_{export.record_type.name}"


def malformed_table(export: ExportFile) -> str:
    return f"malformed_{export.record_type.name}"


def drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop a temp table or view of this load (inc_ is a view in the common case)."""
    kind = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = ? AND table_catalog = 'temp'", [name]
    ).fetchone()
    if kind is not None:
        con.execute(f"DROP {'VIEW' if kind[0] == 'VIEW' else 'TABLE'} {name}")


def discard_export(con: duckdb.DuckDBPyConnection, export: ExportFile) -> None:
    """Forget what read_export read (the file turned out to need no loading)."""
    for table in (incoming_table(export), malformed_table(export), f"scan_{export.record_type.name}"):
        drop_relation(con, table)


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_export(con: duckdb.DuckDBPyConnection, export: ExportFile, fingerprint: Callable[[], Fingerprint]) -> int:
    """Fill inc_<type> (and malformed_<type>); return the number of rows read.

    fingerprint: returns the file's Fingerprint (it may still be computed in a thread)."""
    discard_export(con, export)
    con.execute(f"CREATE TEMP TABLE {malformed_table(export)} (_row BIGINT, reason VARCHAR)")
    if export.kind in ("csv", "csv.gz"):
        _read_csv(con, export, fingerprint)
    elif export.kind == "jsonl":
        _read_jsonl(con, export)
    else:
        _read_parquet(con, export)
    return con.execute(f"SELECT count(*) FROM {incoming_table(export)}").fetchone()[0]


# --- CSV ----------------------------------------------------------------------------------


def _csv_select(export: ExportFile, options: str, count_fields: bool = False, count_newlines: bool = True) -> str:
    """Columns are read by position (named c0, c1, ...), so header spelling never matters.

    With count_fields, one column more than the header is read, with nulls only from
    padding (an empty field reads as '' and is made null here): a record with too many
    fields fills the extra column, one with too few leaves the last column null."""
    n = len(export.source_columns)
    positional = [f"c{i}" for i in range(n + 1 if count_fields else n)]
    columns = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in positional) + "}"
    used = export.used_positions()
    value = (lambda p: f"nullif({p}, '')") if count_fields else (lambda p: p)
    selected = [
        f"{value(f'c{used[c]}')} AS {c}" if c in used else f"NULL::VARCHAR AS {c}"
        for c in export.record_type.column_names
    ]
    if count_fields:
        selected.append(f"c{n - 1} IS NULL AS _short, c{n} IS NOT NULL AS _long")
    # Newlines inside quoted fields (of every column, ignored ones too) shift
    # the physical line of every later record.
    if count_newlines:
        newlines = " + ".join(f"coalesce(length({p}) - length(replace({p}, {NEWLINE}, '')), 0)" for p in positional)
        selected.append(f"{newlines} AS _nl")
    return (
        f"SELECT {', '.join(selected)} "
        f"FROM read_csv($path, columns = {columns}, header = true, delim = $delim, quote = '\"', "
        f"escape = '\"', auto_detect = false{options})"
    )


REJECTS = ", store_rejects = true, rejects_table = 'pa_rejects', rejects_scan = 'pa_reject_scans'"
FIELD_COUNT_ERRORS = ("TOO MANY COLUMNS", "MISSING COLUMNS")
# A null string no field holds, so that only padding reads as null.
NEVER_NULL = "\x00pa-never-null\x00"


def _read_csv(con: duckdb.DuckDBPyConnection, export: ExportFile, fingerprint: Callable[[], Fingerprint]) -> None:
    """One strict, parallel pass. DuckDB sets aside records it cannot parse instead of
    failing (a failed statement would abort the load's transaction); what it set aside
    decides whether the file is refused or re-read on the slow path.

    Line numbers: when the file's line feeds are exactly its record terminators
    (the fingerprint says so), record n is on line n + 2. Otherwise (a value
    holding a line break, a blank line, gzip) the file is read a second time
    counting the line feeds inside each record."""
    scan = f"scan_{export.record_type.name}"
    params = {"path": str(export.path), "delim": export.delimiter}
    _strict_scan(con, export, scan, params, count_newlines=False)
    problems = _drop_rejects(con)
    refusing = [(kind, line) for kind, line in problems if kind not in FIELD_COUNT_ERRORS]
    if refusing:
        raise _csv_error(export, refusing[0][0], refusing[0][1])
    if problems:
        drop_relation(con, scan)
        _read_csv_with_malformed_rows(con, export, scan, params)
    elif fingerprint().records_on_one_line(scalar(con, f"SELECT count(*) FROM {scan}") + 1):
        _number_lines(con, export, scan, newlines_counted=False)
        return
    else:
        drop_relation(con, scan)
        _strict_scan(con, export, scan, params, count_newlines=True)
        _drop_rejects(con)
    _number_lines(con, export, scan, newlines_counted=True)


def _strict_scan(con, export: ExportFile, scan: str, params: dict, count_newlines: bool) -> None:
    select = _csv_select(export, REJECTS, count_newlines=count_newlines)
    try:
        con.execute(f"CREATE TEMP TABLE {scan} AS {select}", params)
    except duckdb.Error as exc:
        raise _csv_error(export, str(exc)) from None


def _drop_rejects(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """Drop DuckDB's rejects tables; return (error type, first line) of what they held."""
    problems = con.execute(
        "SELECT error_type, min(line) FROM pa_rejects GROUP BY error_type ORDER BY 2"
    ).fetchall()
    con.execute("DROP TABLE IF EXISTS pa_rejects")
    con.execute("DROP TABLE IF EXISTS pa_reject_scans")
    return problems


def _read_csv_with_malformed_rows(con, export: ExportFile, scan: str, params: dict) -> None:
    """Slow path for a file with short or long records: keep every record so positions
    hold, and mark in the same pass which records had the wrong number of fields.
    (DuckDB's rejects number lines counting skipped blank lines, so they cannot be
    matched to positions.)"""
    options = ", null_padding = true, strict_mode = false, parallel = false, nullstr = $never, allow_quoted_nulls = false"
    con.execute(
        f"CREATE TEMP TABLE {scan} AS {_csv_select(export, options, count_fields=True)}",
        {**params, "never": NEVER_NULL},
    )
    expected = len(export.source_columns)
    con.execute(
        f"""INSERT INTO {malformed_table(export)}
            SELECT _row, CASE WHEN _long THEN 'the record has more fields than the header ({expected})'
                              ELSE 'the record has fewer fields than the header ({expected})' END
            FROM ({_positions(scan)}) WHERE _long OR _short"""
    )


def _number_lines(con: duckdb.DuckDBPyConnection, export: ExportFile, scan: str, newlines_counted: bool) -> None:
    """newlines_counted: the scan has _nl, the line feeds inside each record (else it has none)."""
    columns = ", ".join(export.record_type.column_names)
    newlines = scalar(con, f"SELECT coalesce(sum(_nl), 0) FROM {scan}") if newlines_counted else 0
    if newlines == 0:
        # The common case needs no window and no copy: record n starts on line n + 2.
        (first,) = con.execute(f"SELECT coalesce(min(rowid), 0) FROM {scan}").fetchone()
        con.execute(
            f"CREATE TEMP VIEW {incoming_table(export)} AS "
            f"SELECT {columns}, rowid - {int(first)} AS _row, rowid - {int(first)} + 2 AS _line FROM {scan}"
        )
        return
    line = "_row + 2 + coalesce(sum(_nl) OVER (ORDER BY _row ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
    con.execute(
        f"CREATE TEMP TABLE {incoming_table(export)} AS "
        f"SELECT {columns}, _row, {line} AS _line FROM ({_positions(scan)})"
    )
    con.execute(f"DROP TABLE {scan}")


def _positions(scan: str) -> str:
    """rowid follows file order (DuckDB preserves insertion order when creating a table),
    but inside a transaction it starts at an offset, hence the subtraction."""
    return f"SELECT *, rowid - (SELECT min(rowid) FROM {scan}) AS _row FROM {scan}"


def _csv_error(export: ExportFile, problem: str, record: int | None = None) -> PlanAnalyticsError:
    """DuckDB's own messages quote the offending line (PHI): keep only what kind and where."""
    where = f" near record {record}" if record else ""
    lowered = problem.lower()
    if "encoding" in lowered or "unicode" in lowered:
        return PlanAnalyticsError(f"{export.name}: the file is not UTF-8 text (invalid bytes{where}).")
    if "quote" in lowered:
        return PlanAnalyticsError(f"{export.name}: a quoted field is not closed properly{where}.")
    if "gzip" in lowered or "compress" in lowered:
        return PlanAnalyticsError(f"{export.name}: the file is not valid gzip-compressed CSV.")
    return PlanAnalyticsError(f"{export.name}: the file cannot be read as CSV{where}.")


# --- JSONL --------------------------------------------------------------------------------


def _read_jsonl(con: duckdb.DuckDBPyConnection, export: ExportFile) -> None:
    path = {"path": str(export.path)}
    try:
        keys = con.execute(
            "SELECT DISTINCT unnest(json_keys(json)) AS k FROM read_ndjson_objects($path) ORDER BY k", path
        ).fetchall()
    except duckdb.Error as exc:
        raise _jsonl_error(export, exc) from None
    export.source_columns = [k for (k,) in keys]
    check_columns(export)
    mapping = {normalize_column_name(k): k for k in reversed(export.source_columns)}
    params = dict(path)
    selected = []
    for i, column in enumerate(export.record_type.column_names):
        if column in mapping:
            params[f"k{i}"] = mapping[column]
            selected.append(f"json ->> $k{i} AS {column}")
        else:
            selected.append(f"NULL::VARCHAR AS {column}")
    try:
        con.execute(
            f"CREATE TEMP TABLE scan_{export.record_type.name} AS "
            f"SELECT {', '.join(selected)} FROM read_ndjson_objects($path)",
            params,
        )
    except duckdb.Error as exc:
        raise _jsonl_error(export, exc) from None
    columns = ", ".join(export.record_type.column_names)
    con.execute(
        f"CREATE TEMP TABLE {incoming_table(export)} AS "
        f"SELECT {columns}, _row, _row + 1 AS _line FROM ({_positions('scan_' + export.record_type.name)})"
    )
    con.execute(f"DROP TABLE scan_{export.record_type.name}")


def _jsonl_error(export: ExportFile, exc: duckdb.Error) -> PlanAnalyticsError:
    message = str(exc)
    if "unicode" in message.lower() or "utf" in message.lower():
        return PlanAnalyticsError(f"{export.name}: the file is not UTF-8 text.")
    line = re.search(r"line (\d+)", message)
    where = f" (line {line.group(1)})" if line else ""
    return PlanAnalyticsError(f"{export.name}: the file is not valid newline-delimited JSON{where}.")


# --- Parquet ------------------------------------------------------------------------------


def _read_parquet(con: duckdb.DuckDBPyConnection, export: ExportFile) -> None:
    path = {"path": str(export.path)}
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet($path)", path).fetchall()
    except duckdb.Error:
        raise PlanAnalyticsError(f"{export.name}: the file cannot be read as Parquet.") from None
    export.source_columns = [row[0] for row in described]
    check_columns(export)
    used = export.used_positions()
    selected = [
        f"CAST({quote_identifier(export.source_columns[used[c]])} AS VARCHAR) AS {c}"
        if c in used
        else f"NULL::VARCHAR AS {c}"
        for c in export.record_type.column_names
    ]
    try:
        con.execute(
            f"CREATE TEMP TABLE {incoming_table(export)} AS "
            f"SELECT {', '.join(selected)}, file_row_number AS _row, file_row_number + 1 AS _line "
            f"FROM read_parquet($path, file_row_number = true)",
            path,
        )
    except duckdb.Error:
        raise PlanAnalyticsError(f"{export.name}: the file cannot be read as Parquet.") from None
