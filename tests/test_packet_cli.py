"""`plan-analytics packet` end to end: ids and counts on the terminal, outputs audited."""

from __future__ import annotations

import duckdb
from typer.testing import CliRunner

from packet_fixture import CLIENT_NAME, DOB, make_db
from plan_analytics.cli import app


def test_packet_command(tmp_path):
    db = make_db(tmp_path / "qa.duckdb")
    out = tmp_path / "packets"
    result = CliRunner().invoke(
        app, ["packet", "--db", str(db), "--request", "CR1", "--as-of", "2026-03-09", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "CR1" / "packet.pdf").is_file()
    for phi in (CLIENT_NAME, "Doe", DOB, "Acme", "Rivera"):
        assert phi not in result.output
    con = duckdb.connect(str(db), read_only=True)
    try:
        outputs = con.execute("SELECT outputs FROM audit_log WHERE command = 'packet'").fetchall()
    finally:
        con.close()
    assert outputs and "packet.pdf" in outputs[-1][0] and "manifest.json" in outputs[-1][0]


def test_packet_command_error_is_one_sentence(tmp_path):
    db = make_db(tmp_path / "qa.duckdb")
    out = tmp_path / "packets"
    result = CliRunner().invoke(
        app, ["packet", "--db", str(db), "--request", "NOPE", "--as-of", "2026-03-09", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "Chart-review request NOPE is not in the database." in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
