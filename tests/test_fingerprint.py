"""A file's fingerprint: its digest, and whether its line feeds are exactly its record
terminators (then record n is on line n + 2 without counting line feeds in values)."""

from __future__ import annotations

import gzip
import hashlib

import duckdb
import pytest

from plan_analytics.formats import RECORD_TYPES
from plan_analytics.load_files import ExportFile
from plan_analytics.loader import load_export
from plan_analytics.policy import Policy


def _fingerprint(tmp_path, content: bytes, kind: str = "csv"):
    path = tmp_path / f"sessions.{kind}"
    path.write_bytes(gzip.compress(content) if kind == "csv.gz" else content)
    return ExportFile(path, RECORD_TYPES["sessions"], kind).fingerprint(), path


@pytest.mark.parametrize(
    ("content", "records", "one_line"),
    [
        (b"h\nr1\nr2\n", 3, True),  # every record ends with its line feed
        (b"h\nr1\nr2", 3, True),  # the last record has none
        (b"h\r\nr1\r\nr2\r\n", 3, True),  # CRLF: one line feed per record
        (b'h\n"a\nb"\n', 2, False),  # a value holds a line break
        (b"h\n\nr1\n", 2, False),  # a blank line DuckDB skips
        (b"h\nr1\n\n", 2, False),  # a trailing blank line
        (b"h", 1, True),  # header only, no line feed
        (b"h\n", 1, True),
    ],
)
def test_records_on_one_line(tmp_path, content, records, one_line):
    fingerprint, path = _fingerprint(tmp_path, content)
    assert fingerprint.records_on_one_line(records) is one_line
    assert fingerprint.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_compressed_bytes_never_vouch_for_line_numbers(tmp_path):
    fingerprint, path = _fingerprint(tmp_path, b"h\nr1\n", kind="csv.gz")
    assert fingerprint.newlines is None
    assert fingerprint.records_on_one_line(2) is False
    assert fingerprint.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_line_numbers_after_a_multi_line_value(tmp_path):
    """The slow path still numbers lines: S2's value spans lines 3-4, so S3 is on line 5."""
    export = tmp_path / "export"
    export.mkdir()
    (export / "sessions.csv").write_text(
        "session_id,client_id,provider_id,session_start,modality,status,cpt_code,notes\n"
        "S1,C1,P1,2026-03-05,in_person,completed,,\n"
        'S2,C1,P1,2026-03-06,in_person,completed,,"two\nlines"\n'
        "S3,C1,P1,2026-03-07,in_person,completed,,\n"
    )
    (export / "treatment_plans.csv").write_text("plan_id,client_id,provider_id,created_at\nT1,C1,P1,2026-03-01\n")
    load_export(export, tmp_path / "qa.duckdb", Policy())
    con = duckdb.connect(str(tmp_path / "qa.duckdb"), read_only=True)
    assert con.execute("SELECT session_id, _line FROM stg_sessions ORDER BY 1").fetchall() == [
        ("S1", 2),
        ("S2", 3),
        ("S3", 5),
    ]
