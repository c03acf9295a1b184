"""`plan-analytics check` output: findings.csv and provider_summary.csv as the spec lays them out,
owner-only files, --fail-on exit codes, and as-of reproduction of an earlier day's report.

Every expected value below is worked out by hand from the fixture (see the comments)."""

from __future__ import annotations

import csv
import datetime as dt
import stat
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from staging_fixtures import build_database
from typer.testing import CliRunner

from plan_analytics.cli import app
from plan_analytics.engine import evaluate, run_check
from plan_analytics.policy import Policy
from plan_analytics.registry import RULES

AS_OF = dt.date(2026, 3, 1)
FINDINGS_COLUMNS = [
    "rule_id", "severity", "provider_id", "client_id", "plan_id",
    "session_id", "request_id", "due_date", "days_overdue", "detail",
]

PLAN_COLUMNS = (
    "plan_id,client_id,provider_id,created_at,provider_signed_at,client_signed_at,"
    "therapy_type,reason_for_treatment,diagnosis_codes,symptoms,treatment_history,interventions"
)

# As of 2026-03-01 (active window from 2025-12-01), default policy, no clients / notes files:
# P2 / C5: T1 signed 2025-09-15 before the first session (on time), complete, client-signed; in-person via
#          the first session after signing; S10 (session 3, 02-20) covered (window from 2025-08-24).
#          Due 2025-09-15 + 180 = 2026-03-14, warning window from 02-12 -> review.due_soon (warning).
# P2 / C9: S2 01-06, S3 01-13, no plan -> establishment.missing, due 01-13, 03-01 - 01-13 = 47 days.
# P2 / C10: S6 01-07, S7 01-14, no plan -> establishment.missing, due 01-14, 46 days.
# P10 / C1: T2 signed 02-02 (session 2 is 02-09: on time), complete -> clean; draft T3 created 02-20,
#          not superseded (T2 was created earlier) -> signature.unsigned, 03-01 - 02-20 = 9 days -> warning.
# P10 / C7: S11 2025-10-01, S12 2025-10-08, no plan -> establishment.missing, due 2025-10-08, 144 days
#          (Oct 8 -> Oct 31 23, Nov 30 53, Dec 31 84, Jan 31 115, Feb 28 143, Mar 1 144); inactive episode.
# R1: client C77 without sessions, no provider, received Mon 02-02 -> due Thu 02-05, open -> 24 days late,
#     provider empty (sorts first). R2 (P10, C1) received 02-02, fulfilled 02-04: on time.
# Short narratives (< 10 words) keep the clone rule out of the picture.
OUTPUT_TABLES = {
    "providers": """
provider_id,provider_name
P2,Dr Two
P10,Dr Ten
P3,Dr Three
""",
    "sessions": """
session_id,client_id,provider_id,session_start,modality,status
S1,C5,P2,2026-01-05 10:00,in_person,completed
S9,C5,P2,2026-01-12 10:00,in_person,completed
S10,C5,P2,2026-02-20 10:00,in_person,completed
S2,C9,P2,2026-01-06 10:00,telehealth,completed
S3,C9,P2,2026-01-13 10:00,telehealth,completed
S6,C10,P2,2026-01-07 10:00,telehealth,completed
S7,C10,P2,2026-01-14 10:00,telehealth,completed
S4,C1,P10,2026-02-02 09:00,in_person,completed
S5,C1,P10,2026-02-09 09:00,in_person,completed
S11,C7,P10,2025-10-01 09:00,in_person,completed
S12,C7,P10,2025-10-08 09:00,in_person,completed
""",
    "treatment_plans": f"""
{PLAN_COLUMNS}
T1,C5,P2,2025-09-15 09:00,2025-09-15 12:00,2025-09-15 12:00,individual,Worry,F41.1,Racing heart,None prior,CBT
T2,C1,P10,2026-02-02 09:00,2026-02-02 12:00,2026-02-02 12:00,family,Grief,F43.21,Tearful,None prior,Support
T3,C1,P10,2026-02-20 09:00,,,family,Grief,F43.21,Tearful,None prior,Support
""",
    "plan_goals": """
plan_id,goal_number,goal,steps,desired_outcome,target_date
T1,1,Calm,Breathe,Calmer,2026-12-31
T2,1,Cope,Journal,Steadier,2026-12-31
T3,1,Cope,Journal,Steadier,2026-12-31
""",
    "chart_review_requests": """
request_id,payer,client_id,provider_id,received_date,fulfilled_date
R1,Acme,C77,,2026-02-02,
R2,Acme,C1,P10,2026-02-02,2026-02-04
""",
}

# (rule_id, severity, provider_id, client_id, plan_id, session_id, request_id, due_date, days_overdue);
# sorted by provider_id, rule_id, client_id, ... as text with empty first: '' < 'P10' < 'P2', 'C10' < 'C9'.
EXPECTED_FINDINGS = [
    ["chart_review.late", "error", "", "C77", "", "", "R1", "2026-02-05", "24"],
    ["establishment.missing", "error", "P10", "C7", "", "S12", "", "2025-10-08", "144"],
    ["signature.unsigned", "warning", "P10", "C1", "T3", "", "", "", ""],
    ["establishment.missing", "error", "P2", "C10", "", "S7", "", "2026-01-14", "46"],
    ["establishment.missing", "error", "P2", "C9", "", "S3", "", "2026-01-13", "47"],
    ["review.due_soon", "warning", "P2", "C5", "T1", "", "", "2026-03-14", ""],
]


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def check_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("check") / "check.duckdb"
    build_database(path, OUTPUT_TABLES).close()
    return path


@pytest.fixture(scope="module")
def check_result(check_db: Path):
    """One `check` run shared by the output tests (each only reads the files)."""
    return run_check(check_db, AS_OF, Policy(), check_db.parent / "out", Console(quiet=True))


def test_findings_csv(check_result) -> None:
    result = check_result
    header, rows = read_csv(result.findings_path)
    assert header == FINDINGS_COLUMNS
    assert [row[:-1] for row in rows] == EXPECTED_FINDINGS
    assert all(row[-1] for row in rows), "every finding explains itself in detail"
    assert result.severity_counts == {"error": 4, "warning": 2}


def test_provider_summary_csv(check_result) -> None:
    header, rows = read_csv(check_result.summary_path)
    rule_ids = [rule.rule_id for rule in RULES]
    assert header == ["provider_id", "provider_name", "active_episodes", *rule_ids, "compliant_share"]
    summary = {row[0]: dict(zip(header, row)) for row in rows}
    assert [row[0] for row in rows] == ["P10", "P2", "P3"]

    def counts(row: dict) -> dict:
        return {rule_id: int(row[rule_id]) for rule_id in rule_ids if int(row[rule_id])}

    # P10: active episodes C1 only (C7's last session 2025-10-08 is before 2025-12-01); C1 carries only a
    # warning -> 1 of 1 compliant. The error on inactive C7 is counted but does not enter the share.
    assert summary["P10"]["provider_name"] == "Dr Ten"
    assert summary["P10"]["active_episodes"] == "1"
    assert counts(summary["P10"]) == {"establishment.missing": 1, "signature.unsigned": 1}
    assert float(summary["P10"]["compliant_share"]) == 1.0
    # P2: active C5 (warning only), C9 and C10 (errors) -> 1 of 3 compliant = 0.3333 (rounded to 4 places).
    assert summary["P2"]["active_episodes"] == "3"
    assert counts(summary["P2"]) == {"establishment.missing": 2, "review.due_soon": 1}
    assert float(summary["P2"]["compliant_share"]) == pytest.approx(1 / 3, abs=5e-5)
    # P3: a provider without episodes: 0 active, no counts, no share (empty cell).
    assert summary["P3"]["provider_name"] == "Dr Three"
    assert summary["P3"]["active_episodes"] == "0"
    assert counts(summary["P3"]) == {}
    assert summary["P3"]["compliant_share"] == ""


def test_output_files_are_owner_only(check_result) -> None:
    for path in (check_result.findings_path, check_result.summary_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_fail_on_exit_codes(check_db: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["check", "--db", str(check_db), "--as-of", AS_OF.isoformat()]
    # The fixture has errors.
    assert runner.invoke(app, [*base, "--out", str(tmp_path / "a"), "--fail-on", "error"]).exit_code == 1
    assert runner.invoke(app, [*base, "--out", str(tmp_path / "b")]).exit_code == 0

    # A database whose only finding is a warning: a draft created 02-20, 9 days old on 03-01.
    warning_db = tmp_path / "warning.duckdb"
    build_database(
        warning_db,
        {"treatment_plans": "plan_id,client_id,provider_id,created_at\nT1,C1,P1,2026-02-20 09:00\n"},
    ).close()
    base = ["check", "--db", str(warning_db), "--as-of", AS_OF.isoformat()]
    result = runner.invoke(app, [*base, "--out", str(tmp_path / "c"), "--fail-on", "error"])
    assert result.exit_code == 0, result.output
    header, rows = read_csv(tmp_path / "c" / "findings.csv")
    assert [(row[0], row[1]) for row in rows] == [("signature.unsigned", "warning")]
    assert runner.invoke(app, [*base, "--out", str(tmp_path / "d"), "--fail-on", "warning"]).exit_code == 1


# --- As-of reproduction ----------------------------------------------------------------------
# Day X = 2026-03-01. The full history holds what happened after X too; the "day X" database holds only
# what existed on X. Evaluating the full history as of X must give exactly the day-X report.
X = dt.date(2026, 3, 1)
NOTES_COLUMNS = "note_id,session_id,signed_at,goals_addressed"
REPRO_PLAN_COLUMNS = (
    "plan_id,client_id,provider_id,created_at,updated_at,provider_signed_at,client_signed_at,verbal_consent_at,"
    "therapy_type,reason_for_treatment,diagnosis_codes,symptoms,treatment_history,interventions"
)
FULL_HISTORY = {
    "providers": "provider_id,provider_name\nP1,Dr One\n",
    "clients": "client_id,client_name,date_of_birth\nC1,Ana Lopez,1990-04-01\nC2,Ben Ode,1985-02-11\nC3,Cy Park,1979-03-03\n",
    # S4 was completed on 03-05 (scheduled on X); S5 is still scheduled; S8 happened after X.
    "sessions": """
session_id,client_id,provider_id,session_start,modality,status
S1,C1,P1,2026-01-05 10:00,in_person,completed
S2,C1,P1,2026-01-12 10:00,in_person,completed
S3,C1,P1,2026-02-10 10:00,in_person,completed
S4,C1,P1,2026-03-05 10:00,in_person,completed
S5,C1,P1,2026-03-12 10:00,in_person,scheduled
S6,C2,P1,2026-02-01 10:00,telehealth,completed
S7,C2,P1,2026-02-08 10:00,telehealth,completed
S8,C3,P1,2026-03-03 10:00,telehealth,completed
""",
    # T1: client signature 03-03 and an edit on 03-04, both after X. T2: a draft on X, signed 03-02.
    # T3: created after X.
    "treatment_plans": f"""
{REPRO_PLAN_COLUMNS}
T1,C1,P1,2026-01-05 09:00,2026-03-04 16:00,2026-01-20 12:00,2026-03-03 10:00,,individual,Worry,F41.1,Racing heart,None prior,CBT
T2,C2,P1,2026-02-01 09:00,2026-03-02 12:00,2026-03-02 12:00,,2026-03-02 12:00,individual,Grief,F43.21,Tearful,None prior,Support
T3,C3,P1,2026-03-03 09:00,2026-03-03 12:00,2026-03-03 12:00,,,individual,Worry,F41.1,Racing heart,None prior,CBT
""",
    "plan_goals": """
plan_id,goal_number,goal,steps,desired_outcome,target_date
T1,1,Calm,Breathe,Calmer,2026-02-15
T1,2,Sleep,Diary,Rested,2026-06-30
T2,1,Cope,Journal,Steadier,2026-06-30
T3,1,Calm,Breathe,Calmer,2026-06-30
""",
    # R1 fulfilled 03-02 (after X); R2 received after X.
    "chart_review_requests": """
request_id,payer,client_id,provider_id,received_date,fulfilled_date
R1,Acme,C1,P1,2026-02-23,2026-03-02
R2,Acme,C2,P1,2026-03-03,2026-03-04
""",
    # N2 was signed after X (it existed unsigned on X); N3 was written after X.
    "progress_notes": f"""
{NOTES_COLUMNS}
N1,S3,2026-02-10 11:00,1
N2,S2,2026-03-02 11:00,
N3,S4,2026-03-05 11:00,
""",
}
ON_DAY_X = {
    **FULL_HISTORY,
    "sessions": """
session_id,client_id,provider_id,session_start,modality,status
S1,C1,P1,2026-01-05 10:00,in_person,completed
S2,C1,P1,2026-01-12 10:00,in_person,completed
S3,C1,P1,2026-02-10 10:00,in_person,completed
S4,C1,P1,2026-03-05 10:00,in_person,scheduled
S6,C2,P1,2026-02-01 10:00,telehealth,completed
S7,C2,P1,2026-02-08 10:00,telehealth,completed
""",
    "treatment_plans": f"""
{REPRO_PLAN_COLUMNS}
T1,C1,P1,2026-01-05 09:00,2026-01-20 12:00,2026-01-20 12:00,,,individual,Worry,F41.1,Racing heart,None prior,CBT
T2,C2,P1,2026-02-01 09:00,2026-02-01 09:00,,,,individual,Grief,F43.21,Tearful,None prior,Support
""",
    "plan_goals": """
plan_id,goal_number,goal,steps,desired_outcome,target_date
T1,1,Calm,Breathe,Calmer,2026-02-15
T1,2,Sleep,Diary,Rested,2026-06-30
T2,1,Cope,Journal,Steadier,2026-06-30
""",
    "chart_review_requests": """
request_id,payer,client_id,provider_id,received_date,fulfilled_date
R1,Acme,C1,P1,2026-02-23,
""",
    "progress_notes": f"""
{NOTES_COLUMNS}
N1,S3,2026-02-10 11:00,1
N2,S2,,
""",
}


def evaluation_of(path: Path, tables: dict, as_of: dt.date):
    con = build_database(path, tables)
    try:
        return evaluate(con, as_of, Policy())
    finally:
        con.close()


def key_rows(findings: pd.DataFrame) -> list[tuple]:
    return [
        tuple("" if pd.isna(value) else str(value)[:10] if name == "due_date" else str(value) for name, value in row.items())
        for _, row in findings.drop(columns=["detail"]).iterrows()
    ]


def test_as_of_reproduces_that_days_report(tmp_path: Path) -> None:
    full = evaluation_of(tmp_path / "full.duckdb", FULL_HISTORY, X)
    day_x = evaluation_of(tmp_path / "day_x.duckdb", ON_DAY_X, X)

    pd.testing.assert_frame_equal(full.findings, day_x.findings)
    pd.testing.assert_frame_equal(full.rule_status, day_x.rule_status)
    pd.testing.assert_frame_equal(full.provider_summary, day_x.provider_summary)

    # Not vacuous: by hand, as of X the report holds (among others)
    # T1 signed 01-20 after session 2 (01-12): 8 days late; C2 reached session 2 (02-08) without a signed plan
    # (03-01 - 02-08 = 21 days); T2 an unsigned draft (28 days -> error); T1 in person without client signature;
    # goal 1 of T1 passed (02-15); R1 received Mon 02-23, due Thu 02-26, open on X: 3 days.
    expected = {
        ("establishment.late", "error", "P1", "C1", "T1", "S2", "", "2026-01-12", "8"),
        ("establishment.missing", "error", "P1", "C2", "", "S7", "", "2026-02-08", "21"),
        ("signature.unsigned", "error", "P1", "C2", "T2", "", "", "", ""),
        ("consent.client_signature_missing", "error", "P1", "C1", "T1", "", "", "", ""),
        ("goal.target_date_passed", "warning", "P1", "C1", "T1", "", "", "", ""),
        ("chart_review.late", "error", "P1", "C1", "", "", "R1", "2026-02-26", "3"),
    }
    assert expected <= set(key_rows(full.findings))
    # ... and the later history does change a later report (T1 edited 03-04, T2 signed 03-02).
    later = {row[0] for row in key_rows(evaluation_of(tmp_path / "later.duckdb", FULL_HISTORY, dt.date(2026, 3, 10)).findings)}
    assert "integrity.edited_after_signing" in later
    assert "integrity.edited_after_signing" not in {row[0] for row in key_rows(full.findings)}
