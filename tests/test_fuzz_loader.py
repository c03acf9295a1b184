"""The loader against random and mutated exports (hypothesis).

Every example starts from a small valid export (sessions.csv and treatment_plans.csv
whose cells carry marker strings), mutates one of the two files (bytes and structure:
truncated rows, stray quotes, NUL bytes, invalid UTF-8, 100 kB fields, impossible
dates, duplicate headers and rows, delimiters, column case and spaces, line endings,
BOMs, empty lines, extra columns) and loads it into a copy of a database that already
holds the valid export. So the untouched file is skipped as identical and each example
costs one file's load, and the upsert path (insert / replace / unchanged) is exercised.

Whatever the input, the outcome is one of two:
- a PlanAnalyticsError whose message is one line, names the file and quotes no data,
  and the database is exactly as it was;
- a load whose numbers reconcile exactly (below) and whose output quotes no data.
Any other exception (a traceback, an AssertionError inside the loader) fails.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from plan_analytics.errors import PlanAnalyticsError
from plan_analytics.loader import load_export
from plan_analytics.policy import Policy

POLICY = Policy()
MARK = "Zyxquv Marker"
# Any of these in printed output means a cell value (or a piece of one) leaked.
LEAKS = ("Zyxq", "yxqu", "xquv", "Mark", "arke", "rker", "ZQS", "ZQT", "ZQC", "ZQP")

SESSION_HEADER = ["session_id", "client_id", "provider_id", "session_start", "modality", "status", "cpt_code"]
SESSION_ROWS = [
    [f"ZQS{n:03d}", f"ZQC{n % 4} {MARK}", f"ZQP{n % 2}", start, modality, status, f"{MARK} 9083{n}"]
    for n, (start, modality, status) in enumerate(
        [
            ("2026-03-05", "office", "completed"),
            ("3/6/2026 2:30 PM", "video", "canceled"),
            ("2026-03-07T14:30:00Z", "phone", "no-show"),
            ("2026-03-09 10:00", "In-Person", "Completed"),
            ("03/12/2026 14:30", "telehealth", "scheduled"),
            ("2026-03-13T08:15:30", "virtual", "late_cancel"),
            ("2026-03-14", "", "completed"),
            ("2026-03-15", "carrier pigeon", "completed"),
        ]
    )
]
PLAN_HEADER = [
    "plan_id", "client_id", "provider_id", "status", "created_at", "updated_at",
    "provider_signed_at", "client_signed_at", "therapy_type", "reason_for_treatment", "diagnosis_codes",
]
PLAN_ROWS = [
    [f"ZQT{n:03d}", f"ZQC{n % 4} {MARK}", f"ZQP{n % 2}", status, created, "", signed, "", therapy,
     f"{MARK} reason {n}, with a comma\nand a second line", "F41.1; F32.0"]
    for n, (status, created, signed, therapy) in enumerate(
        [
            ("signed", "2026-03-01 09:00", "2026-03-02 10:00", "individual"),
            ("draft", "2026-03-03", "", "Couples"),
            ("Signed", "3/4/2026", "3/5/2026 9:00 AM", "family"),
            ("draft", "2026-03-06T08:00:00", "", "art therapy"),
            ("signed", "2026-03-07", "2026-03-08", "group"),
        ]
    )
]
BASE = {"sessions": (SESSION_HEADER, SESSION_ROWS), "treatment_plans": (PLAN_HEADER, PLAN_ROWS)}
KEYS = {"sessions": "session_id", "treatment_plans": "plan_id"}
DATE_COLUMNS = {"session_start", "created_at", "updated_at", "provider_signed_at", "client_signed_at"}

HOSTILE_VALUES = (
    "", "   ", '"', '""', "'", f"Zyx'quv {MARK}", f"it''s {MARK}", f'say "{MARK}"', f"{MARK},comma",
    f"{MARK};semi", f"{MARK}|pipe", f"{MARK}\ttab", f"{MARK}\nnewline", f"{MARK}\r\ncrlf", "\\", "NULL",
    "null", "-", "TBD", "\u00e9\u00e8 Zyxquv", "\U0001f600 Zyxquv", "0", "-1", "1e309", "\u2028", "\ufeff",
)
BAD_DATES = (
    "0000-00-00", "2026-02-30", "2026-13-01", "13/45/2026", "99999-01-01", "1/1/0001", "0001-01-01",
    "2026-03-05T25:00:00", "2026-03-05 14:30 +99:00", "2026-03-05Z", "yesterday", "2026-3-5", "3/5/26",
    "2026-03-05T14:30:00+05:30", "12/31/2199 11:59 PM", "01/01/2200",
)
DELIMITERS = (",", ";", "\t", "|")
HUGE = (MARK + " ") * (100_000 // (len(MARK) + 1))


def render(header: list[str], rows: list[list[str]], delimiter: str, quote_all: bool, endings: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
                        lineterminator="\n")
    lines = []
    for record in [header, *rows]:
        out.seek(0)
        out.truncate()
        writer.writerow(record)
        lines.append(out.getvalue()[:-1])
    return "".join(line + endings[i % len(endings)] for i, line in enumerate(lines))


@st.composite
def mutated_file(draw) -> tuple[str, bytes, list[str]]:
    """(record type, file bytes, names of the mutations applied)."""
    record_type = draw(st.sampled_from(sorted(BASE)))
    header, rows = BASE[record_type]
    header, rows = list(header), [list(r) for r in rows]
    applied: list[str] = []
    structural = draw(st.lists(st.sampled_from([
        "hostile_cell", "hostile_enum", "bad_date", "huge_field", "duplicate_row", "duplicate_key", "blank_key", "drop_row",
        "short_row", "long_row", "duplicate_header", "extra_columns", "header_case", "drop_optional_column",
        "drop_required_column", "shuffle_columns", "header_as_row",
    ]), max_size=4))
    for kind in structural:
        applied.append(kind)
        r = draw(st.integers(0, len(rows) - 1)) if rows else 0
        c = draw(st.integers(0, len(header) - 1))
        if kind in ("hostile_cell", "hostile_enum", "bad_date", "huge_field", "blank_key") and not (rows and rows[r]):
            continue
        if kind == "hostile_cell":
            rows[r][c % len(rows[r])] = draw(st.sampled_from(HOSTILE_VALUES))
        elif kind == "hostile_enum":
            enums = [
                i for i, name in enumerate(header)
                if name.strip().lower() in ("status", "modality", "therapy_type") and i < len(rows[r])
            ]
            if enums:
                rows[r][draw(st.sampled_from(enums))] = draw(st.sampled_from(HOSTILE_VALUES))
        elif kind == "bad_date":
            dated = [i for i, name in enumerate(header) if name.strip().lower() in DATE_COLUMNS and i < len(rows[r])]
            if dated:
                rows[r][draw(st.sampled_from(dated))] = draw(st.sampled_from(BAD_DATES))
        elif kind == "huge_field":
            rows[r][c % len(rows[r])] = HUGE
        elif kind == "duplicate_row" and rows:
            rows.insert(draw(st.integers(0, len(rows))), list(rows[r]))
        elif kind == "duplicate_key" and rows:
            clone = list(rows[r])
            if clone:
                clone[-1] = clone[-1] + " changed"
            rows.insert(draw(st.integers(0, len(rows))), clone)
        elif kind == "blank_key":
            rows[r][0] = draw(st.sampled_from(["", " ", "\t"]))
        elif kind == "drop_row" and rows:
            del rows[r]
        elif kind == "short_row" and rows:
            rows[r] = rows[r][: draw(st.integers(0, max(0, len(rows[r]) - 1)))]
        elif kind == "long_row" and rows:
            rows[r] = rows[r] + [MARK] * draw(st.integers(1, 3))
        elif kind == "duplicate_header":
            header.append(header[c])
            for row in rows:
                row.append(f"{MARK} dup")
        elif kind == "extra_columns":
            for _ in range(draw(st.integers(1, 3))):
                header.append(draw(st.sampled_from(["notes", "Extra Col", "", "  ", "x" * 300, "_row", "_line", "rowid", "c0"])))
                for row in rows:
                    row.append(f"{MARK} extra")
        elif kind == "header_case":
            header = [
                draw(st.sampled_from(["", " ", "  ", "\t"])) + draw(st.sampled_from([h, h.upper(), h.title(), h.replace("_", " ")]))
                + draw(st.sampled_from(["", " ", "  "]))
                for h in header
            ]
        elif kind in ("drop_optional_column", "drop_required_column", "shuffle_columns"):
            order = list(range(len(header)))
            if kind == "shuffle_columns":
                order = draw(st.permutations(order))
            else:
                order.remove(c)
            header = [header[i] for i in order]
            rows = [[row[i] for i in order if i < len(row)] for row in rows]
        elif kind == "header_as_row":
            rows.insert(draw(st.integers(0, len(rows))), list(header))
    delimiter = draw(st.sampled_from(DELIMITERS))
    endings = draw(st.lists(st.sampled_from(["\n", "\r\n"]), min_size=1, max_size=3))
    text = render(header, rows, delimiter, draw(st.booleans()), endings)
    data = text.encode("utf-8")
    byte_level = draw(st.lists(st.sampled_from([
        "bom", "empty_lines", "stray_quote", "nul", "invalid_utf8", "truncate", "no_final_newline", "cr_only",
        "random_bytes",
    ]), max_size=3))
    for kind in byte_level:
        applied.append(kind)
        at = draw(st.integers(0, len(data)))
        if kind == "bom":
            data = b"\xef\xbb\xbf" + data
        elif kind == "empty_lines":
            lines = data.split(b"\n")
            for _ in range(draw(st.integers(1, 3))):
                lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from([b"", b"\r", b"  "])))
            data = b"\n".join(lines)
        elif kind == "stray_quote":
            data = data[:at] + b'"' + data[at:]
        elif kind == "nul":
            data = data[:at] + b"\x00" + data[at:]
        elif kind == "invalid_utf8":
            data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3(", b"\xe9", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"])) + data[at:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "no_final_newline":
            data = data.rstrip(b"\r\n")
        elif kind == "cr_only":
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
        elif kind == "random_bytes":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return record_type, data, applied


# --- the database every example starts from ------------------------------------------------


def write_base(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for record_type, (header, rows) in BASE.items():
        (folder / f"{record_type}.csv").write_bytes(render(header, rows, ",", False, ["\n"]).encode())


def db_state(con: duckdb.DuckDBPyConnection) -> dict:
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    return {
        t: con.execute(
            f"SELECT count(*), md5(coalesce(string_agg(j, chr(10) ORDER BY j), '')) "
            f"FROM (SELECT to_json(x)::VARCHAR AS j FROM {t} x)"
        ).fetchall()[0]
        for t in tables
    }


@dataclass(frozen=True)
class Template:
    folder: Path
    db: Path
    state: dict
    counts: dict  # record type -> rows in stg


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Template:
    folder = tmp_path_factory.mktemp("fuzz_template")
    write_base(folder / "base")
    db = folder / "base.duckdb"
    result = load_export(folder / "base", db, POLICY)
    assert [(f.rows_read, f.rows_rejected) for f in result.files] == [(len(SESSION_ROWS), 0), (len(PLAN_ROWS), 0)]
    con = duckdb.connect(str(db), read_only=True)
    try:
        state = db_state(con)
        counts = {t: con.execute(f"SELECT count(*) FROM stg_{t}").fetchone()[0] for t in BASE}
    finally:
        con.close()
    return Template(folder, db, state, counts)


def assert_no_leak(text: str, where: str) -> None:
    for fragment in LEAKS:
        assert fragment not in text, f"{where} quotes data ({fragment!r}): {text!r}"


def check_one_load(template: Template, record_type: str, data: bytes) -> str:
    """Load one mutated file; check every invariant; return 'loaded' or 'refused'."""
    with tempfile.TemporaryDirectory(prefix="fuzz") as tmp:
        tmp = Path(tmp)
        export = tmp / "export"
        shutil.copytree(template.folder / "base", export)
        name = f"{record_type}.csv"
        (export / name).write_bytes(data)
        db = shutil.copyfile(template.db, tmp / "qa.duckdb")
        printed = io.StringIO()
        try:
            result = load_export(export, db, POLICY, console=Console(file=printed, width=120))
        except PlanAnalyticsError as exc:
            message = str(exc)
            assert "\n" not in message and "\r" not in message, message
            assert message.startswith(f"{name}: "), message
            assert_no_leak(message, "the error")
            con = duckdb.connect(str(db), read_only=True)
            try:
                assert db_state(con) == template.state, "a refused load changed the database"
            finally:
                con.close()
            return "refused"
        assert_no_leak(printed.getvalue(), "the printed output")
        for line in [*result.problems, *result.notices]:
            assert_no_leak(line, "a problem line or notice")
        check_reconciliation(template, db, result, record_type)
        return "loaded"


def check_reconciliation(template: Template, db: Path, result, record_type: str) -> None:
    other = next(t for t in BASE if t != record_type)
    f, skipped = result.file(record_type), result.file(other)
    assert skipped.same_as_load == 1  # the untouched file is byte-identical to load 1's
    assert f.rows_read == f.rows_loaded + f.rows_rejected
    assert f.rows_loaded == f.inserted + f.replaced + f.unchanged
    assert min(f.rows_read, f.rows_loaded, f.rows_rejected, f.inserted, f.replaced, f.unchanged) >= 0
    key, load_id = KEYS[record_type], result.load_id
    con = duckdb.connect(str(db), read_only=True)
    try:
        one = lambda sql, params=None: con.execute(sql, params or []).fetchall()[0]  # noqa: E731
        assert one(
            "SELECT rows_read, rows_loaded, rows_rejected FROM load_manifest WHERE load_id = ? AND record_type = ?",
            [load_id, record_type],
        ) == (f.rows_read, f.rows_loaded, f.rows_rejected)
        assert one("SELECT count(*), count(DISTINCT line) FROM rejected_rows WHERE load_id = ?", [load_id]) == (
            f.rows_rejected, f.rows_rejected,
        )
        assert one("SELECT count(*) FROM rejected_rows WHERE load_id = ? AND (line IS NULL OR line < 2)", [load_id]) == (0,)
        # Written by this load: the inserted and the replaced; kept from load 1: the rest.
        for layer in ("stg", "raw"):
            assert one(f"SELECT count(*) FROM {layer}_{record_type} WHERE _load_id = ?", [load_id]) == (
                f.inserted + f.replaced,
            ), layer
            assert one(f"SELECT count(*), count(DISTINCT {key}), count({key}) FROM {layer}_{record_type}") == (
                (template.counts[record_type] + f.inserted,) * 3
            ), layer
        # raw and stg hold the same records with the same lineage.
        assert one(
            f"SELECT count(*) FROM stg_{record_type} s JOIN raw_{record_type} r "
            "USING (_load_id, _source_file, _line)"
        ) == (template.counts[record_type] + f.inserted,)
        assert one(f"SELECT count(*) FROM stg_{other}") == (template.counts[other],)
        # A loaded row and a rejected row never start on the same line.
        assert one(
            f"SELECT count(*) FROM stg_{record_type} s JOIN rejected_rows j "
            "ON j.load_id = s._load_id AND j.line = s._line WHERE s._load_id = ?",
            [load_id],
        ) == (0,)
    finally:
        con.close()


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(mutated_file())
def test_a_mutated_export_loads_and_reconciles_or_is_refused_in_one_sentence(template, case):
    record_type, data, applied = case
    outcome = check_one_load(template, record_type, data)
    event(outcome)  # shown by --hypothesis-show-statistics
    for kind in applied:
        event(f"{outcome} after {kind}")


# --- the command line ----------------------------------------------------------------------


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
@given(mutated_file())
def test_the_load_command_exits_0_or_2_and_prints_no_data(template, case):
    from plan_analytics.cli import app

    record_type, data, _applied = case
    with tempfile.TemporaryDirectory(prefix="fuzzcli") as tmp:
        tmp = Path(tmp)
        export = tmp / "export"
        shutil.copytree(template.folder / "base", export)
        (export / f"{record_type}.csv").write_bytes(data)
        db = shutil.copyfile(template.db, tmp / "qa.duckdb")
        result = CliRunner().invoke(app, ["load", str(export), "--db", str(db)], env={"COLUMNS": "200"})
        output = result.output
        assert result.exit_code in (0, 2), (result.exit_code, output)
        assert "Traceback" not in output and "internal error" not in output
        assert_no_leak(output, "the command's output")
        if result.exit_code == 2:
            assert re.search(rf"error: {record_type}\.csv: ", " ".join(output.split())), output
