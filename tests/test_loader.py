"""The loader against hand-written messy exports; every expected number was worked out by hand.

The messy export (written by `messy_export`) holds, line by line:

sessions.csv (BOM, CRLF, spaced/mixed-case headers, an extra `Notes` column)
  line 2   S1  2026-03-05                      In-Person / Completed        -> 2026-03-05 00:00
  line 3-4 S2  3/6/2026 2:30 PM                video / canceled, notes span two lines -> 14:30
  line 5   S3  2026-03-07T14:30:00Z            phone / no-show   -> 09:30 (EST, UTC-5)
  line 6   S4  2026-03-09 10:00:00-0700        carrier pigeon    -> 13:00 (EDT after 8 March), modality unknown + warning
  line 7   S5  (blank start)                   rejected: session_start is missing
  line 8   S6  2026-02-30                      rejected: session_start is not a date or time
  line 9   S7  status bogus                    rejected: status 'bogus' is not one of ...
  line 10  (blank id)                          rejected: session_id is missing
  line 11  S1 again                            rejected: duplicate session_id (first on line 2)
  line 12  S8  03/12/2026 14:30, client C4     loaded; C4 is not in clients -> dangling warning
  line 13  S9  2026-03-13T08:15:30.250+05:30   -> 2026-03-12 22:45:30.25 (EDT)
  read 11 = loaded 6 + rejected 5; warnings 2 (S4 modality, S8 client_id)
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from rich.console import Console

from plan_analytics.errors import PlanAnalyticsError
from plan_analytics.loader import load_export
from plan_analytics.policy import Policy

POLICY = Policy()  # America/New_York
CLIENT_NAMES = ("Alice Zebrafixture", "Bob Quokkafixture", "Carol Wombatfixture")

SESSIONS_CSV = (
    "\ufeff Session ID ,Client_ID,PROVIDER id,Session Start,Modality,Status,CPT Code,Notes\r\n"
    "S1,C1,P1,2026-03-05,In-Person,Completed,90834,plain\r\n"
    'S2,C1,P1,3/6/2026 2:30 PM,video,canceled,,"multi\r\nline, with comma"\r\n'
    "S3,C2,P1,2026-03-07T14:30:00Z,phone,no-show,90837,\r\n"
    "S4,C2,P2,2026-03-09 10:00:00-0700,carrier pigeon,late_cancel,,\r\n"
    "S5,C3,P2,,office,completed,,\r\n"
    "S6,C3,P2,2026-02-30,office,completed,,\r\n"
    "S7,C3,P2,2026-03-10,,bogus,,\r\n"
    ",C3,P2,2026-03-10,office,completed,,\r\n"
    "S1,C9,P9,2026-03-11,office,completed,,\r\n"
    "S8,C4,P1,03/12/2026 14:30,Telehealth,SCHEDULED,,\r\n"
    "S9,C1,P1,2026-03-13T08:15:30.250+05:30,virtual,completed,,\r\n"
)

PLANS_CSV = (
    "plan_id,client_id,provider_id,status,created_at,updated_at,provider_signed_at,client_signed_at,therapy_type\n"
    "T1,C1,P1,Signed,2026-03-01 09:00,,2026-03-02 10:00,2026-02-30,Couples\n"
    "T2,C2,P1,draft,2026-03-03,2026-03-04,,,art therapy\n"
    "T3,C3,P2,pending,2026-03-05,,,,individual\n"
)

CLIENTS_CSV = (
    "client_id,client_name,date_of_birth,payer\n"
    f"C1,{CLIENT_NAMES[0]},1980-05-01,Aetna\n"
    f"C2,{CLIENT_NAMES[1]},2099-01-01,\n"
    f"C3,{CLIENT_NAMES[2]},13/45/1990,\n"
)

# Pipe-delimited; 1234567893 has a valid NPI check digit, 1234567890 does not.
PROVIDERS_CSV = "provider_id|provider_name|npi\nP1|Dr One|1234567893\nP2|Dr Two|1234567890\n"

# Tab-delimited.
GOALS_CSV = (
    "plan_id\tgoal_number\tgoal\tsteps\tdesired_outcome\ttarget_date\n"
    "T1\t1\tSleep\tstep a\tbetter\t2026-06-01\n"
    "T1\t0\tx\t\t\t\n"
    "T1\tabc\tx\t\t\t\n"
    "T9\t1\tg\t\t\t2026-06-01\n"
    "T1\t1\tdup\t\t\t\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path


def messy_export(folder: Path) -> Path:
    write(folder, "sessions.csv", SESSIONS_CSV)
    write(folder, "treatment_plans.csv", PLANS_CSV)
    write(folder, "clients.csv", CLIENTS_CSV)
    write(folder, "providers.csv", PROVIDERS_CSV)
    write(folder, "plan_goals.csv", GOALS_CSV.replace("\n", "\n"))
    write(folder, "README.txt", "not an export file")
    return folder


def minimal_plans(folder: Path) -> None:
    write(folder, "treatment_plans.csv", "plan_id,client_id,provider_id,created_at\nT1,C1,P1,2026-03-01\n")


def query(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every table's full content, to prove a refused load changed nothing."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}
    finally:
        con.close()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    base = tmp_path_factory.mktemp("messy")
    out = io.StringIO()
    console = Console(file=out, width=200, force_terminal=False)
    result = load_export(messy_export(base / "export"), base / "qa.duckdb", POLICY, console=console)
    return result, base / "qa.duckdb", out.getvalue()


# --- reconciliation -----------------------------------------------------------------------


def test_reconciliation_counts(loaded):
    result, _, _ = loaded
    counts = {f.record_type: (f.rows_read, f.rows_loaded, f.rows_rejected, f.warnings) for f in result.files}
    assert counts == {
        "sessions": (11, 6, 5, 2),
        "treatment_plans": (3, 3, 0, 2),  # T1 client_signed_at, T3 status
        "clients": (3, 3, 0, 2),  # C2 DOB in future, C3 DOB unparsable
        "providers": (2, 2, 0, 1),  # P2 NPI
        "plan_goals": (5, 2, 3, 1),  # T9 dangling
    }
    assert result.ok


def test_manifest_records_each_file(loaded):
    _, db, _ = loaded
    rows = query(db, "SELECT record_type, source_file, rows_read, rows_loaded, rows_rejected, length(sha256) FROM load_manifest ORDER BY 1")
    assert rows == [
        ("clients", "clients.csv", 3, 3, 0, 64),
        ("plan_goals", "plan_goals.csv", 5, 2, 3, 64),
        ("providers", "providers.csv", 2, 2, 0, 64),
        ("sessions", "sessions.csv", 11, 6, 5, 64),
        ("treatment_plans", "treatment_plans.csv", 3, 3, 0, 64),
    ]


def test_printed_output_has_counts_but_no_row_contents(loaded):
    _, db, printed = loaded
    for name in CLIENT_NAMES:
        assert name not in printed
    assert "bogus" not in printed and "carrier pigeon" not in printed
    assert "sessions.csv: ignored column(s) notes." in printed
    assert "README.txt: not an export file name; ignored." in printed
    assert f"database: {db}" in printed
    assert "sessions.csv" in printed and "11" in printed


# --- typing -------------------------------------------------------------------------------


def test_sessions_typed_with_physical_lines(loaded):
    _, db, _ = loaded
    rows = query(db, "SELECT session_id, client_id, session_start, modality, status, cpt_code, _line FROM stg_sessions ORDER BY _line")
    assert rows == [
        ("S1", "C1", dt.datetime(2026, 3, 5, 0, 0), "in_person", "completed", "90834", 2),
        ("S2", "C1", dt.datetime(2026, 3, 6, 14, 30), "telehealth", "cancelled", None, 3),
        ("S3", "C2", dt.datetime(2026, 3, 7, 9, 30), "telehealth", "no_show", "90837", 5),
        ("S4", "C2", dt.datetime(2026, 3, 9, 13, 0), "unknown", "cancelled", None, 6),
        ("S8", "C4", dt.datetime(2026, 3, 12, 14, 30), "telehealth", "scheduled", None, 12),
        ("S9", "C1", dt.datetime(2026, 3, 12, 22, 45, 30, 250000), "telehealth", "completed", None, 13),
    ]


def test_raw_keeps_text_as_received(loaded):
    _, db, _ = loaded
    assert query(db, "SELECT session_start, modality, status, _line FROM raw_sessions WHERE session_id = 'S4'") == [
        ("2026-03-09 10:00:00-0700", "carrier pigeon", "late_cancel", 6)
    ]
    assert query(db, "SELECT client_signed_at FROM raw_treatment_plans WHERE plan_id = 'T1'") == [("2026-02-30",)]


def test_plans_typed(loaded):
    _, db, _ = loaded
    rows = query(db, "SELECT plan_id, status, created_at, updated_at, provider_signed_at, client_signed_at, therapy_type FROM stg_treatment_plans ORDER BY 1")
    assert rows == [
        ("T1", "signed", dt.datetime(2026, 3, 1, 9), dt.datetime(2026, 3, 1, 9), dt.datetime(2026, 3, 2, 10), None, "couple"),
        ("T2", "draft", dt.datetime(2026, 3, 3), dt.datetime(2026, 3, 4), None, None, "art therapy"),
        ("T3", None, dt.datetime(2026, 3, 5), dt.datetime(2026, 3, 5), None, None, "individual"),
    ]


def test_clients_and_goals_typed(loaded):
    _, db, _ = loaded
    assert query(db, "SELECT client_id, date_of_birth, payer FROM stg_clients ORDER BY 1") == [
        ("C1", dt.date(1980, 5, 1), "Aetna"),
        ("C2", None, None),
        ("C3", None, None),
    ]
    assert query(db, "SELECT plan_id, goal_number, target_date, _line FROM stg_plan_goals ORDER BY _line") == [
        ("T1", 1, dt.date(2026, 6, 1), 2),
        ("T9", 1, dt.date(2026, 6, 1), 5),
    ]


# --- rejections ---------------------------------------------------------------------------


def test_rejected_rows_with_reasons_lines_and_raw_row(loaded):
    _, db, _ = loaded
    rows = query(db, "SELECT record_type, line, reason FROM rejected_rows ORDER BY record_type, line")
    assert rows == [
        ("plan_goals", 3, "goal_number 0 is less than 1"),
        ("plan_goals", 4, "goal_number is not a whole number"),
        ("plan_goals", 6, "duplicate plan_id and goal_number (first on line 2)"),
        ("sessions", 7, "session_start is missing"),
        ("sessions", 8, "session_start is not a date or time"),
        ("sessions", 9, "status 'bogus' is not one of completed, cancelled, no_show, scheduled"),
        ("sessions", 10, "session_id is missing"),
        ("sessions", 11, "duplicate session_id (first on line 2)"),
    ]
    (raw,) = query(db, "SELECT raw_row FROM rejected_rows WHERE record_type = 'sessions' AND line = 11")[0]
    assert json.loads(raw) == {
        "session_id": "S1", "client_id": "C9", "provider_id": "P9", "session_start": "2026-03-11",
        "modality": "office", "status": "completed", "cpt_code": None,
    }


# --- warnings -----------------------------------------------------------------------------


def test_load_warnings(loaded):
    _, db, _ = loaded
    rows = query(db, "SELECT record_type, line, column_name, message FROM load_warnings ORDER BY record_type, line, column_name")
    assert rows == [
        ("clients", 3, "date_of_birth", "date_of_birth is in the future; stored as empty"),
        ("clients", 4, "date_of_birth", "date_of_birth is not a date or time; stored as empty"),
        ("plan_goals", 5, "plan_id", "plan_id has no matching treatment_plans record"),
        ("providers", 3, "npi", "npi is not 10 digits with a valid check digit"),
        ("sessions", 6, "modality", "modality is not one of in_person, telehealth; stored as unknown"),
        ("sessions", 12, "client_id", "client_id has no matching clients record"),
        ("treatment_plans", 2, "client_signed_at", "client_signed_at is not a date or time; stored as empty"),
        ("treatment_plans", 4, "status", "status is not one of draft, signed; stored as empty"),
    ]


def test_never_loaded_parent_is_one_notice(tmp_path):
    export = tmp_path / "export"
    write(export, "sessions.csv", "session_id,client_id,provider_id,session_start,modality,status\nS1,C1,P1,2026-03-05,office,completed\nS2,C2,P1,2026-03-06,video,completed\n")
    minimal_plans(export)
    result = load_export(export, tmp_path / "qa.duckdb", POLICY)
    assert "sessions.client_id not checked against clients: no clients file was ever loaded." in result.notices
    assert query(tmp_path / "qa.duckdb", "SELECT count(*) FROM load_warnings") == [(0,)]


# --- file kinds and delimiters ------------------------------------------------------------

CLEAN = pd.DataFrame(
    {
        "session_id": ["A1", "A2", "A3"],
        "client_id": ["C1", "C2", "C3"],
        "provider_id": ["P1", "P1", "P2"],
        "session_start": ["2026-03-05T10:00:00", "3/6/2026 2:30 PM", "2026-03-07T14:30:00Z"],
        "modality": ["office", "Video", "telehealth"],
        "status": ["completed", "no-show", "canceled"],
        "cpt_code": ["90834", None, "90837"],
    }
)


def write_kind(folder: Path, kind: str) -> None:
    folder.mkdir(parents=True)
    minimal_plans(folder)
    if kind == "csv":
        CLEAN.to_csv(folder / "sessions.csv", index=False)
    elif kind == "csv.gz":
        with gzip.open(folder / "sessions.csv.gz", "wt", encoding="utf-8") as handle:
            CLEAN.to_csv(handle, index=False)
    elif kind == "parquet":
        CLEAN.to_parquet(folder / "sessions.parquet", index=False)
    else:
        CLEAN.to_json(folder / "sessions.jsonl", orient="records", lines=True)


def test_all_file_kinds_give_identical_staging(tmp_path):
    staged = {}
    for kind in ("csv", "csv.gz", "parquet", "jsonl"):
        write_kind(tmp_path / kind, kind)
        load_export(tmp_path / kind, tmp_path / f"{kind}.duckdb", POLICY)
        staged[kind] = query(
            tmp_path / f"{kind}.duckdb",
            "SELECT session_id, client_id, provider_id, session_start, modality, status, cpt_code FROM stg_sessions ORDER BY 1",
        )
    assert staged["csv"] == [
        ("A1", "C1", "P1", dt.datetime(2026, 3, 5, 10), "in_person", "completed", "90834"),
        ("A2", "C2", "P1", dt.datetime(2026, 3, 6, 14, 30), "telehealth", "no_show", None),
        ("A3", "C3", "P2", dt.datetime(2026, 3, 7, 9, 30), "telehealth", "cancelled", "90837"),
    ]
    assert staged["csv.gz"] == staged["parquet"] == staged["jsonl"] == staged["csv"]
    lines = {k: query(tmp_path / f"{k}.duckdb", "SELECT _line FROM stg_sessions ORDER BY 1") for k in staged}
    assert lines["csv"] == [(2,), (3,), (4,)]
    assert lines["jsonl"] == lines["parquet"] == [(1,), (2,), (3,)]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(tmp_path, delimiter):
    export = tmp_path / "export"
    write(export, "sessions.csv", CLEAN.to_csv(index=False, sep=delimiter))
    minimal_plans(export)
    result = load_export(export, tmp_path / "qa.duckdb", POLICY)
    assert (result.file("sessions").rows_read, result.file("sessions").rows_loaded) == (3, 3)


def test_ambiguous_delimiter_is_refused(tmp_path):
    export = tmp_path / "export"
    minimal_plans(export)
    # Split by ';' or by ',' alike, this header names both required columns.
    write(export, "providers.csv", "provider_id;provider_name;x,provider_id,provider_name\n")
    write(export, "sessions.csv", CLEAN.to_csv(index=False))
    with pytest.raises(PlanAnalyticsError, match="^providers.csv: the header can be split by comma and semicolon alike"):
        load_export(export, tmp_path / "qa.duckdb", POLICY)


# --- re-loading ---------------------------------------------------------------------------


def test_loading_the_same_export_twice_changes_no_record_table(tmp_path):
    export = messy_export(tmp_path / "export")
    db = tmp_path / "qa.duckdb"
    first = load_export(export, db, POLICY)
    before = snapshot(db)
    second = load_export(export, db, POLICY)
    after = snapshot(db)
    assert [(f.rows_read, f.rows_loaded, f.rows_rejected, f.warnings) for f in second.files] == [
        (f.rows_read, f.rows_loaded, f.rows_rejected, f.warnings) for f in first.files
    ]
    assert len(after.pop("load_manifest")) == 2 * len(before.pop("load_manifest"))
    assert after == before


PLANS_V1 = "plan_id,client_id,provider_id,created_at,therapy_type\nT1,C1,P1,2026-03-01,individual\nT2,C2,P1,2026-03-02,family\nT3,C3,P2,2026-03-03,group\n"
PLANS_V2 = "plan_id,client_id,provider_id,created_at,therapy_type\nT1,C1,P1,2026-03-01,individual\nT2,C2,P1,2026-03-02,couple\nT3,C3,P2,2026-04-03,group\nT4,C4,P2,2026-04-04,group\n"


def test_newer_export_replaces_changed_rows_only(tmp_path):
    db = tmp_path / "qa.duckdb"
    write(tmp_path / "v1", "treatment_plans.csv", PLANS_V1)
    write(tmp_path / "v1", "sessions.csv", CLEAN.to_csv(index=False))
    write(tmp_path / "v2", "treatment_plans.csv", PLANS_V2)
    load_export(tmp_path / "v1", db, POLICY)
    second = load_export(tmp_path / "v2", db, POLICY)  # sessions absent: kept, with a notice
    plans = second.file("treatment_plans")
    assert (plans.inserted, plans.replaced, plans.unchanged) == (1, 2, 1)
    assert "no sessions file in this export; the sessions already loaded are kept." in second.notices
    rows = query(db, "SELECT plan_id, therapy_type, created_at, _load_id FROM stg_treatment_plans ORDER BY 1")
    assert rows == [
        ("T1", "individual", dt.datetime(2026, 3, 1), 1),
        ("T2", "couple", dt.datetime(2026, 3, 2), 2),
        ("T3", "group", dt.datetime(2026, 4, 3), 2),
        ("T4", "group", dt.datetime(2026, 4, 4), 2),
    ]
    assert query(db, "SELECT plan_id, _load_id FROM raw_treatment_plans ORDER BY 1") == [
        ("T1", 1), ("T2", 2), ("T3", 2), ("T4", 2)
    ]
    assert query(db, "SELECT count(*) FROM stg_sessions") == [(3,)]


def test_other_timezone_is_refused(tmp_path):
    export = tmp_path / "export"
    write(export, "sessions.csv", CLEAN.to_csv(index=False))
    minimal_plans(export)
    db = tmp_path / "qa.duckdb"
    load_export(export, db, POLICY)
    with pytest.raises(PlanAnalyticsError) as info:
        load_export(export, db, Policy(timezone="America/Chicago"))
    assert str(info.value) == (
        "The database was loaded with time zone America/New_York, but the policy says America/Chicago; "
        "load it with the same time zone or into a new database."
    )
    assert query(db, "SELECT value FROM pa_meta WHERE key = 'timezone'") == [("America/New_York",)]


# --- files that are not what they claim ---------------------------------------------------

HEADER = "session_id,client_id,provider_id,session_start,status\n"
GOOD_ROW = "S1,C1,P1,2026-03-05,completed\n"


def _bad_cases():
    big_then_latin1 = (HEADER + GOOD_ROW * 4000).encode() + "S2,C1,P1,2026-03-05,complet\xe9\n".encode("latin-1")
    return {
        "empty": ({"sessions.csv": b""}, "sessions.csv: the file is empty."),
        "binary": ({"sessions.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}, "sessions.csv: the file holds binary data, not text."),
        "utf16": ({"sessions.csv": (HEADER + GOOD_ROW).encode("utf-16")}, "sessions.csv: the file is UTF-16 text; export it as UTF-8."),
        "latin1": ({"sessions.csv": (HEADER + "S1,C1,P1,2026-03-05,complet\xe9\n").encode("latin-1")}, "sessions.csv: the file is not UTF-8 text (line 2)."),
        "latin1_late": ({"sessions.csv": big_then_latin1}, "sessions.csv: the file is not UTF-8 text (invalid bytes near record 4002)."),
        "no_header": ({"sessions.csv": GOOD_ROW.encode()}, "sessions.csv: the first line is not a header (it names none of the sessions columns)."),
        "missing_column": ({"sessions.csv": b"session_id,client_id,provider_id,status\nS1,C1,P1,completed\n"}, "sessions.csv: required column session_start is missing."),
        "two_files": ({"sessions.csv": (HEADER + GOOD_ROW).encode(), "sessions.jsonl": b'{"session_id": "S1"}\n'}, "sessions.jsonl: the folder holds two files for sessions (sessions.csv and sessions.jsonl); keep one."),
        "not_gzip": ({"sessions.csv.gz": (HEADER + GOOD_ROW).encode()}, "sessions.csv.gz: the file is not gzip-compressed."),
        "not_parquet": ({"sessions.parquet": (HEADER + GOOD_ROW).encode()}, "sessions.parquet: the file is not a Parquet file."),
        "jsonl_missing_column": ({"sessions.jsonl": b'{"session_id": "S1", "client_id": "C1", "provider_id": "P1", "status": "completed"}\n'}, "sessions.jsonl: required column session_start is missing."),
    }


@pytest.fixture(scope="module")
def good_db(tmp_path_factory):
    base = tmp_path_factory.mktemp("good")
    db = base / "qa.duckdb"
    load_export(messy_export(base / "export"), db, POLICY)
    return db


@pytest.mark.parametrize("case", list(_bad_cases()))
def test_bad_file_stops_the_load_and_changes_nothing(tmp_path, good_db, case):
    files, message = _bad_cases()[case]
    db = tmp_path / "qa.duckdb"
    db.write_bytes(good_db.read_bytes())
    before = snapshot(db)
    export = tmp_path / "export"
    messy_export(export)
    (export / "sessions.csv").unlink()
    for name, content in files.items():
        (export / name).write_bytes(content)
    with pytest.raises(PlanAnalyticsError) as info:
        load_export(export, db, POLICY)
    assert str(info.value) == message
    assert snapshot(db) == before


def test_header_only_file_loads_nothing_with_a_notice(tmp_path):
    export = tmp_path / "export"
    write(export, "sessions.csv", HEADER)
    minimal_plans(export)
    result = load_export(export, tmp_path / "qa.duckdb", POLICY)
    assert (result.file("sessions").rows_read, result.file("sessions").rows_loaded) == (0, 0)
    assert "sessions.csv: no rows after the header; nothing loaded." in result.notices


def test_missing_required_file_on_a_new_database(tmp_path):
    export = tmp_path / "export"
    write(export, "sessions.csv", HEADER + GOOD_ROW)
    db = tmp_path / "qa.duckdb"
    with pytest.raises(PlanAnalyticsError) as info:
        load_export(export, db, POLICY)
    assert str(info.value) == (
        "The export has no treatment_plans file (treatment_plans.csv, .csv.gz, .parquet or .jsonl), "
        "and the database holds no treatment_plans yet."
    )
    assert not db.exists()  # a failed first load leaves nothing behind


def test_missing_folder(tmp_path):
    with pytest.raises(PlanAnalyticsError) as info:
        load_export(tmp_path / "nope", tmp_path / "qa.duckdb", POLICY)
    assert str(info.value) == f"The data folder {tmp_path / 'nope'} does not exist."


def test_rows_with_wrong_field_count_are_rejected(tmp_path):
    export = tmp_path / "export"
    write(export, "sessions.csv", HEADER + GOOD_ROW + 'S2,C1,P1,"2026-03-06",completed,extra\n' + "S3,C1\n" + "S4,C1,P1,2026-03-07,completed\n")
    minimal_plans(export)
    db = tmp_path / "qa.duckdb"
    result = load_export(export, db, POLICY)
    f = result.file("sessions")
    assert (f.rows_read, f.rows_loaded, f.rows_rejected) == (4, 2, 2)
    assert query(db, "SELECT line, reason FROM rejected_rows ORDER BY line") == [
        (3, "the record has more fields than the header (5)"),
        (4, "the record has fewer fields than the header (5)"),
    ]
    assert query(db, "SELECT session_id, _line FROM stg_sessions ORDER BY 1") == [("S1", 2), ("S4", 5)]


# --- the Pandera boundary -----------------------------------------------------------------


def test_models_describe_every_record_type():
    from plan_analytics.formats import RECORD_TYPES
    from plan_analytics.schemas import MODELS

    for name, rt in RECORD_TYPES.items():
        assert list(MODELS[name].to_schema().columns) == rt.column_names


def test_validation_in_small_chunks_gives_the_same_result(tmp_path, monkeypatch, loaded):
    from plan_analytics import load_validate

    monkeypatch.setattr(load_validate, "CHUNK_ROWS", 2)
    result = load_export(messy_export(tmp_path / "export"), tmp_path / "qa.duckdb", POLICY)
    expected, db, _ = loaded
    assert [(f.rows_read, f.rows_loaded, f.rows_rejected, f.warnings) for f in result.files] == [
        (f.rows_read, f.rows_loaded, f.rows_rejected, f.warnings) for f in expected.files
    ]
    reasons = "SELECT record_type, line, reason FROM rejected_rows ORDER BY ALL"
    assert query(tmp_path / "qa.duckdb", reasons) == query(db, reasons)
