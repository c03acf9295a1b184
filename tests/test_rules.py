"""Rule tests as data: every case of tests/rules/<rule_id>.toml, evaluated from hand-written
staging rows, must produce exactly the findings (and the status) written in the case.

A case holds `as_of`, an optional `policy` table of overrides, `expected` CSV text
(header `severity,provider_id,client_id,plan_id,session_id,request_id,due_date,days_overdue,detail`,
every row computed by hand from the fixture and the compliance-rules spec), an optional `status`
and `[case.tables]` with CSV text per record type. In `detail`, `*` is "not compared" and a
trailing `*` means "starts with".
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
import tomllib
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from staging_fixtures import build_database

from plan_analytics import engine
from plan_analytics.engine import prepare, run_rule, sorted_findings_sql
from plan_analytics.engine import FINDING_COLUMNS
from plan_analytics.icd10 import billable_code_set
from plan_analytics.policy import Policy
from plan_analytics.registry import RULES_BY_ID

RULES_DIR = Path(__file__).parent / "rules"
COLUMNS = tuple(name for name in FINDING_COLUMNS if name != "rule_id")
STATUSES = ("findings", "no findings", "not applicable")


def rule_files() -> list[Path]:
    return sorted(RULES_DIR.glob("*.toml"))


def read_rule_file(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def all_cases() -> list:
    params = []
    for path in rule_files():
        data = read_rule_file(path)
        for case in data.get("case", []):
            params.append(pytest.param(data["rule"], case, id=f"{data['rule']}::{case['name']}"))
    return params


def parse_expected(text: str) -> list[tuple[str, ...]]:
    rows = list(csv.reader(io.StringIO(text.strip() + "\n")))
    assert rows and tuple(c.strip() for c in rows[0]) == COLUMNS, f"expected header must be {','.join(COLUMNS)}"
    parsed = []
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        assert len(row) == len(COLUMNS), f"expected row {row} has {len(row)} cells, not {len(COLUMNS)}"
        parsed.append(tuple(cell.strip() for cell in row))
    return parsed


def as_text(value) -> str:
    """A finding's cell as text: empty for null, ISO for dates, integers without '.0'."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def actual_rows(findings: pd.DataFrame, rule_id: str) -> list[tuple[str, ...]]:
    own = findings[findings["rule_id"] == rule_id]
    return sorted(tuple(as_text(row[name]) for name in COLUMNS) for _, row in own.iterrows())


def detail_matches(pattern: str, detail: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith("*"):
        return detail.startswith(pattern[:-1])
    return detail == pattern


def row_matches(expected: tuple[str, ...], actual: tuple[str, ...]) -> bool:
    return expected[:-1] == actual[:-1] and detail_matches(expected[-1], actual[-1])


def unmatched(expected: list[tuple[str, ...]], actual: list[tuple[str, ...]]):
    """Pair expected rows with actual ones (exact details first, then patterns)."""
    remaining = list(actual)
    missing = []
    for row in sorted(expected, key=lambda r: (r[-1].endswith("*"), r[-1] == "*", r)):
        match = next((candidate for candidate in remaining if row_matches(row, candidate)), None)
        if match is None:
            missing.append(row)
        else:
            remaining.remove(match)
    return missing, remaining


@functools.cache
def billable_codes_table() -> pa.Table:
    return pa.table({"code": sorted(billable_code_set())})


@pytest.fixture(autouse=True)
def fast_billable_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same ICD-10-CM code set as register_billable_codes, sorted once per test session instead
    of once per case (it is the slowest step of preparing a fixture database)."""

    def register(con) -> None:
        con.register("icd10cm_billable_frame", billable_codes_table())
        con.execute("CREATE OR REPLACE TEMP TABLE ref_icd10cm_billable AS SELECT code FROM icd10cm_billable_frame")
        con.unregister("icd10cm_billable_frame")

    monkeypatch.setattr(engine, "register_billable_codes", register)


def evaluate_rule(con, rule_id: str, as_of: dt.date, policy: Policy) -> tuple[str, pd.DataFrame]:
    """The engine's own steps (prepare the as-of layer, run the rule, sort) for one rule only:
    the other thirteen rules' queries would only slow the suite down."""
    values = prepare(con, as_of, policy)
    status, _, _ = run_rule(con, RULES_BY_ID[rule_id], values)
    return status, con.execute(sorted_findings_sql()).df()


def as_of_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


@pytest.mark.parametrize(("rule_id", "case"), all_cases())
def test_rule_case(rule_id: str, case: dict, tmp_path: Path) -> None:
    expected = parse_expected(case["expected"])
    status = case.get("status", "findings" if expected else "no findings")
    assert status in STATUSES
    assert not (status == "not applicable" and expected), "a not-applicable case cannot expect findings"

    con = build_database(tmp_path / "case.duckdb", case.get("tables", {}))
    try:
        actual_status, findings = evaluate_rule(
            con, rule_id, as_of_date(case["as_of"]), Policy(**case.get("policy", {}))
        )
    finally:
        con.close()

    actual = actual_rows(findings, rule_id)
    missing, unexpected = unmatched(expected, actual)
    header = ",".join(COLUMNS)
    assert not missing and not unexpected, (
        f"{rule_id} / {case['name']} (as of {case['as_of']}):\n"
        + "expected but not found:\n  " + "\n  ".join([header] + [",".join(r) for r in missing])
        + "\nfound but not expected:\n  " + "\n  ".join([header] + [",".join(r) for r in unexpected])
    )
    assert actual_status == status, f"status {actual_status!r}, expected {status!r}"
