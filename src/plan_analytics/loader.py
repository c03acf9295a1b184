"""`plan-analytics load`: an export folder into the raw_ and stg_ layers, in one transaction.

Order of work: find and inspect every file (nothing touched yet), open the
database, then inside one transaction read, type, validate and upsert each
file, check references across the whole export, and write the manifest. Any
file that is not what it claims stops the load with one sentence and the
database stays exactly as it was. Printed output holds counts, file names,
line numbers and column names, never a cell value.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import schemas
from .db import check_timezone, connect
from .errors import PlanAnalyticsError
from .formats import RECORD_TYPES, REFERENCES, RecordType
from .load_apply import FileContext, apply_file, warn_dangling_references
from .load_files import ExportFile, discover, inspect
from .load_read import discard_export, read_export
from .load_typing import create_typing_macros
from .policy import Policy


@dataclass
class FileResult:
    file: str
    record_type: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    warnings: int = 0
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    sha256: str = ""
    # Set when the file is byte-identical to the one the previous load of its type read.
    same_as_load: int | None = None


@dataclass
class LoadResult:
    load_id: int
    db_path: Path
    files: list[FileResult] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    ok: bool = True
    problems: list[str] = field(default_factory=list)

    def file(self, record_type: str) -> FileResult:
        return next(f for f in self.files if f.record_type == record_type)

    @property
    def input_hashes(self) -> dict[str, str]:
        """File name -> sha256, for the audit trail."""
        return {f.file: f.sha256 for f in self.files}


def load_export(
    data_dir: Path | str, db_path: Path | str, policy: Policy, console: Console | None = None
) -> LoadResult:
    """Load every export file of `data_dir` into `db_path`; raise PlanAnalyticsError for a bad export."""
    data_dir, db_path = Path(data_dir), Path(db_path)
    console = console or Console(quiet=True)
    exports, notices = discover(data_dir)
    for export in exports:
        inspect(export)
    existed = db_path.exists()
    con = connect(db_path)
    try:
        result = _load_in_transaction(con, exports, notices, db_path, policy, console)
    except BaseException:
        con.close()
        if not existed:
            _remove_database(db_path)
        raise
    result.problems = _problem_lines(con, result.load_id)
    con.close()
    _print_reconciliation(console, result)
    return result

PROBLEMS_SHOWN = 10
# From the first quote to the last: a quoted value may itself hold quotes or newlines.
QUOTED_VALUE = "'[\\s\\S]*'"


def _problem_lines(con, load_id: int) -> list[str]:
    """The first rejections and warnings of this load as 'file line N: reason', with any
    quoted cell value in a reason replaced by '…' (printed output never carries data)."""
    rows = con.execute(
        """
        SELECT kind, source_file, line, regexp_replace(reason, $quoted, '…', 'g') AS reason
        FROM (
            SELECT 'rejected' AS kind, source_file, line, reason FROM rejected_rows WHERE load_id = $load_id
            UNION ALL
            SELECT 'warning', source_file, line, message FROM load_warnings WHERE load_id = $load_id
        )
        ORDER BY kind, source_file, line
        LIMIT $limit
        """,
        {"load_id": load_id, "quoted": QUOTED_VALUE, "limit": PROBLEMS_SHOWN + 1},
    ).fetchall()
    return [f"{kind}: {file} line {line}: {reason}" for kind, file, line, reason in rows]


def _remove_database(db_path: Path) -> None:
    """A failed first load leaves no database behind, as if it never ran."""
    for path in (db_path, db_path.with_name(db_path.name + ".wal")):
        path.unlink(missing_ok=True)


def _load_in_transaction(con, exports, notices, db_path, policy, console) -> LoadResult:
    con.execute("SET TimeZone = 'UTC'")  # Parquet TIMESTAMPTZ then reads with an explicit offset
    create_typing_macros(con)
    con.execute("BEGIN TRANSACTION")
    try:
        result = _load(con, exports, notices, db_path, policy, console)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return result


def _load(con, exports: list[ExportFile], notices: list[str], db_path: Path, policy: Policy, console) -> LoadResult:
    check_timezone(con, policy.timezone, record_if_new=True)
    notices.extend(_check_required_files(con, exports))
    for notice in notices:
        _print_notice(console, notice)
    load_id = con.execute("SELECT nextval('load_id_seq')").fetchone()[0]
    result = LoadResult(load_id=load_id, db_path=db_path, notices=notices)
    loaded_at = dt.datetime.now(zoneinfo.ZoneInfo(policy.timezone)).replace(tzinfo=None)
    already_printed = len(result.notices)
    token = schemas.LOAD_DAY.set(loaded_at.date())
    try:
        with _progress(console) as progress:
            for export in exports:
                task = progress.add_task(f"loading {escape(export.name)}", total=None)
                file_result = _load_file(con, export, load_id, loaded_at, policy, result)
                progress.update(task, description=f"loaded {escape(export.name)}", total=1, completed=1)
                result.files.append(file_result)
    finally:
        schemas.LOAD_DAY.reset(token)
    for notice in result.notices[already_printed:]:
        _print_notice(console, notice)
    _check_references(con, load_id, result)
    _count_warnings(con, load_id, result)
    return result


def _print_notice(console: Console, notice: str) -> None:
    console.print(f"[cyan]notice:[/] {escape(notice)}", highlight=False)


def _progress(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=False
    )


# --- checks before any file is read -------------------------------------------------------


def _ever_loaded(con: duckdb.DuckDBPyConnection, record_type: str) -> bool:
    return con.execute("SELECT count(*) FROM load_manifest WHERE record_type = ?", [record_type]).fetchone()[0] > 0


def _check_required_files(con: duckdb.DuckDBPyConnection, exports: list[ExportFile]) -> list[str]:
    present = {e.record_type.name for e in exports}
    notices = []
    for rt in RECORD_TYPES.values():
        if not rt.required_file or rt.name in present:
            continue
        if not _ever_loaded(con, rt.name):
            raise PlanAnalyticsError(
                f"The export has no {rt.name} file ({rt.name}.csv, .csv.gz, .parquet or .jsonl), "
                f"and the database holds no {rt.name} yet."
            )
        notices.append(f"no {rt.name} file in this export; the {rt.name} already loaded are kept.")
    return notices


# --- one file -----------------------------------------------------------------------------


def _previous_load_of(con, rt: RecordType):
    return con.execute(
        """SELECT load_id, sha256, rows_read, rows_loaded, rows_rejected FROM load_manifest
           WHERE record_type = ? ORDER BY load_id DESC LIMIT 1""",
        [rt.name],
    ).fetchone()


def _load_file(con, export: ExportFile, load_id: int, loaded_at, policy: Policy, result: LoadResult) -> FileResult:
    rt = export.record_type
    file_result = FileResult(export.name, rt.name)
    # Hashing a large file costs about as much as DuckDB reading it, so both run at once;
    # a file identical to the last one loaded is then read in vain, which is rare.
    with ThreadPoolExecutor(max_workers=1) as pool:
        fingerprint = pool.submit(export.fingerprint)
        rows_read = read_export(con, export, fingerprint.result)
        sha256 = file_result.sha256 = fingerprint.result().sha256
    previous = _previous_load_of(con, rt)
    if previous is not None and previous[1] == sha256:
        # Re-applying the file the database last took for this type would change nothing.
        discard_export(con, export)
        file_result.same_as_load = previous[0]
        file_result.rows_read, file_result.rows_loaded, file_result.rows_rejected = previous[2:]
        file_result.unchanged = previous[3]
        result.notices.append(f"{export.name}: identical to the file of load {previous[0]}; nothing to change.")
    else:
        _apply(con, export, rows_read, load_id, policy, result, file_result)
    con.execute(
        "INSERT INTO load_manifest VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            loaded_at,
            rt.name,
            export.name,
            sha256,
            file_result.rows_read,
            file_result.rows_loaded,
            file_result.rows_rejected,
        ],
    )
    return file_result


def _apply(con, export: ExportFile, rows_read: int, load_id: int, policy: Policy, result: LoadResult, file_result):
    file_result.rows_read = rows_read
    ignored = export.ignored_columns()
    if ignored:
        result.notices.append(f"{export.name}: ignored column(s) {', '.join(ignored)}.")
    if file_result.rows_read == 0:
        result.notices.append(f"{export.name}: no rows after the header; nothing loaded.")
    ctx = FileContext(con, export.record_type, load_id, export.name, export.position_word, policy.timezone)
    applied = apply_file(ctx)
    file_result.rows_loaded = applied.rows_loaded
    file_result.rows_rejected = applied.rows_rejected
    file_result.inserted, file_result.replaced, file_result.unchanged = (
        applied.inserted,
        applied.replaced,
        applied.unchanged,
    )
    assert file_result.rows_read == file_result.rows_loaded + file_result.rows_rejected


# --- after the whole export ---------------------------------------------------------------


def _check_references(con, load_id: int, result: LoadResult) -> None:
    written = {f.record_type for f in result.files if f.same_as_load is None}
    for child_name, references in REFERENCES.items():
        if child_name not in written:
            continue
        for column, parent_name in references:
            if not _ever_loaded(con, parent_name):
                result.notices.append(
                    f"{child_name}.{column} not checked against {parent_name}: no {parent_name} file was ever loaded."
                )
                continue
            warn_dangling_references(con, load_id, RECORD_TYPES[child_name], column, RECORD_TYPES[parent_name])


def _count_warnings(con, load_id: int, result: LoadResult) -> None:
    for file_result in result.files:
        counted_load = file_result.same_as_load or load_id
        file_result.warnings = con.execute(
            "SELECT count(*) FROM load_warnings WHERE load_id = ? AND record_type = ? AND source_file = ?",
            [counted_load, file_result.record_type, file_result.file],
        ).fetchone()[0]


# --- output -------------------------------------------------------------------------------


def _print_reconciliation(console: Console, result: LoadResult) -> None:
    reference_notices = [n for n in result.notices if " not checked against " in n]
    for notice in reference_notices:
        _print_notice(console, notice)
    table = Table("file", "record type", "read", "loaded", "rejected", "warnings", title=f"load {result.load_id}")
    for f in result.files:
        table.add_row(
            escape(f.file),
            f.record_type,
            str(f.rows_read),
            str(f.rows_loaded),
            str(f.rows_rejected),
            str(f.warnings),
        )
    console.print(table)
    for line in result.problems[:PROBLEMS_SHOWN]:
        console.print(escape(line), highlight=False)
    if len(result.problems) > PROBLEMS_SHOWN:
        console.print("… more in the tables rejected_rows and load_warnings.", highlight=False)
    console.print(f"database: {escape(str(result.db_path))}", highlight=False)

