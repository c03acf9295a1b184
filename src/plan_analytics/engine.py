"""The compliance engine: evaluates every registered rule as of a date.

Layers: the loader fills stg_* tables; `prepare` builds the as-of intermediate
tables (sql/int_*.sql, TEMP, so a read-only connection can evaluate too); each
rule's query reads only those and staging. Policy values and the as-of date
reach SQL as bound parameters.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd
from rich.console import Console
from rich.table import Table

from .business_days import business_calendar
from .completeness import missing_elements, not_all_present_sql
from .db import check_timezone, connect, owner_only, scalar
from .formats import RECORD_TYPES, THERAPY_TYPES
from .icd10 import register_billable_codes
from .policy import Policy
from .registry import RULES, Rule

INTERMEDIATE_TABLES = (
    "int_completed_sessions",
    "int_episodes",
    "int_existing_plans",
    "int_signed_plans",
    "int_plan_modality",
    "int_session_current_plan",
    "int_active_latest_plans",
    "int_chart_review_requests",
)

FINDING_COLUMNS = {
    "rule_id": "VARCHAR",
    "severity": "VARCHAR",
    "provider_id": "VARCHAR",
    "client_id": "VARCHAR",
    "plan_id": "VARCHAR",
    "session_id": "VARCHAR",
    "request_id": "VARCHAR",
    "due_date": "DATE",
    "days_overdue": "INTEGER",
    "detail": "VARCHAR",
}
# The spec's sort: by these as text, empty first.
FINDING_ORDER = ("provider_id", "rule_id", "client_id", "plan_id", "session_id", "request_id")

RUN_TABLES_DDL = (
    "CREATE SEQUENCE IF NOT EXISTS check_run_id_seq START 1",
    """CREATE TABLE IF NOT EXISTS check_runs (
        run_id INTEGER, started_at TIMESTAMP, finished_at TIMESTAMP, as_of DATE,
        policy JSON, policy_digest VARCHAR, load_ids INTEGER[], os_user VARCHAR,
        finding_count BIGINT)""",
    "CREATE TABLE IF NOT EXISTS findings (run_id INTEGER, "
    + ", ".join(f"{name} {kind}" for name, kind in FINDING_COLUMNS.items())
    + ")",
    """CREATE TABLE IF NOT EXISTS rule_status (
        run_id INTEGER, rule_id VARCHAR, status VARCHAR, finding_count BIGINT, reason VARCHAR)""",
)

PARAMETER = re.compile(r"\$([a-z_]+)")
COMMENT = re.compile(r"--[^\n]*")
STATEMENT_END = re.compile(r";[ \t]*(?:\n|$)")


def bind(sql: str, values: dict) -> dict:
    """Only the parameters a statement names (DuckDB refuses extra ones)."""
    names = set(PARAMETER.findall(COMMENT.sub("", sql)))
    missing = names - values.keys()
    if missing:
        raise KeyError(f"SQL needs parameters {sorted(missing)}")
    return {name: values[name] for name in names}


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, values: dict) -> duckdb.DuckDBPyConnection:
    return con.execute(sql, bind(sql, values))


def statements(sql: str) -> list[str]:
    """A rule file may stage work in TEMP tables before its final SELECT (the findings)."""
    # Statements end with ';' at the end of a line; a ';' inside a literal never does here.
    return [part.strip() for part in STATEMENT_END.split(COMMENT.sub("", sql)) if part.strip()]


def loaded_record_types(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Record types that some load supplied (even header-only) or that hold rows."""
    manifest = {row[0] for row in con.execute("SELECT DISTINCT record_type FROM load_manifest").fetchall()}
    populated = {
        name
        for name in RECORD_TYPES
        if scalar(con, f"SELECT EXISTS (SELECT 1 FROM stg_{name})")
    }
    return manifest | populated


def register_business_calendar(con: duckdb.DuckDBPyConnection, as_of: dt.date, policy: Policy) -> None:
    first, last = con.execute(
        "SELECT min(received_date), max(received_date) FROM stg_chart_review_requests"
    ).fetchall()[0]
    first = min(first or as_of, as_of) - dt.timedelta(days=7)
    # Generous room past the last date: N business days never span more than 3N + 30 days.
    last = max(last or as_of, as_of) + dt.timedelta(days=3 * policy.chart_review_business_days + 30)
    con.register("business_calendar_frame", business_calendar(first, last, policy.holiday_calendar))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ref_business_calendar AS "
        "SELECT CAST(day AS DATE) AS day, is_business, business_ordinal FROM business_calendar_frame"
    )
    con.unregister("business_calendar_frame")


def intermediate_sql(name: str) -> str:
    return resources.files("plan_analytics.sql").joinpath(f"{name}.sql").read_text(encoding="utf-8")


def prepare(con: duckdb.DuckDBPyConnection, as_of: dt.date, policy: Policy) -> dict:
    """Build the as-of intermediate tables and reference data; return the SQL parameters."""
    check_timezone(con, policy.timezone)
    # Rules never depend on scan order (they sort what they output), so large
    # intermediate tables may stream and spill instead of buffering to keep row order.
    con.execute("SET preserve_insertion_order = false")
    loaded = loaded_record_types(con)
    values = {
        "as_of": as_of,
        "clients_loaded": "clients" in loaded,
        "therapy_types": list(THERAPY_TYPES),
        **policy.sql_parameters(),
    }
    register_billable_codes(con)
    register_business_calendar(con, as_of, policy)
    for name in INTERMEDIATE_TABLES:
        run_sql(con, intermediate_sql(name), values)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE tmp_findings ("
        + ", ".join(f"{name} {kind}" for name, kind in FINDING_COLUMNS.items())
        + ")"
    )
    values["_loaded"] = loaded
    return values


def _insert_findings(con: duckdb.DuckDBPyConnection, rule: Rule, source: str) -> None:
    produced = {row[0] for row in con.execute(f"DESCRIBE {source}").fetchall()}
    selected = []
    for name, kind in FINDING_COLUMNS.items():
        if name == "rule_id":
            selected.append("$rule_id AS rule_id")
        elif name == "severity" and name not in produced:
            selected.append("$severity AS severity")
        elif name in produced:
            selected.append(f"CAST({name} AS {kind}) AS {name}")
        else:
            selected.append(f"CAST(NULL AS {kind}) AS {name}")
    sql = f"INSERT INTO tmp_findings SELECT {', '.join(selected)} FROM {source}"
    run_sql(con, sql, {"rule_id": rule.rule_id, "severity": rule.severity})


def run_rule(con: duckdb.DuckDBPyConnection, rule: Rule, values: dict) -> tuple[str, int, str]:
    """Evaluate one rule into tmp_findings; return (status, finding count, reason)."""
    absent = [name for name in rule.needs if name not in values["_loaded"]]
    if absent:
        return "not applicable", 0, f"no {', '.join(absent)} file was loaded"
    population = run_sql(con, rule.population_sql, values).fetchall()[0][0]
    if population == 0:
        return "not applicable", 0, rule.population_reason
    before = scalar(con, "SELECT count(*) FROM tmp_findings")
    *staging, final = statements(rule.sql())
    for statement in staging:
        run_sql(con, statement, values)
    run_sql(con, f"CREATE OR REPLACE TEMP TABLE rule_output AS {final}", values)
    if rule.output == "presence":
        incomplete = missing_elements(con.execute(not_all_present_sql("rule_output")).df())
        con.register("incomplete_frame", incomplete.rename(columns={"missing": "detail"}))
        con.execute("CREATE OR REPLACE TEMP TABLE rule_output AS SELECT * FROM incomplete_frame")
        con.unregister("incomplete_frame")
    _insert_findings(con, rule, "rule_output")
    count = scalar(con, "SELECT count(*) FROM tmp_findings") - before
    return ("findings" if count else "no findings"), count, ""


def provider_summary_sql() -> str:
    for rule in RULES:  # rule ids become column names; they are our own constants
        assert re.fullmatch(r"[a-z_.]+", rule.rule_id)
    counts = ", ".join(
        f"count(finding.rule_id) FILTER (WHERE finding.rule_id = '{rule.rule_id}') AS \"{rule.rule_id}\""
        for rule in RULES
    )
    return f"""
    WITH providers AS (
        SELECT provider_id FROM stg_providers
        UNION SELECT provider_id FROM int_episodes
        UNION SELECT provider_id FROM tmp_findings WHERE provider_id IS NOT NULL
    ),
    episodes_with_error AS (
        SELECT DISTINCT provider_id, client_id FROM tmp_findings
        WHERE severity = 'error' AND provider_id IS NOT NULL AND client_id IS NOT NULL
    ),
    active_episodes AS (
        SELECT episode.provider_id,
               count(*) AS active_episodes,
               count(*) FILTER (WHERE errored.client_id IS NULL) AS clean_episodes
        FROM int_episodes AS episode
        LEFT JOIN episodes_with_error AS errored USING (provider_id, client_id)
        WHERE episode.is_active
        GROUP BY episode.provider_id
    ),
    rule_counts AS (
        SELECT providers.provider_id, {counts}
        FROM providers
        LEFT JOIN tmp_findings AS finding USING (provider_id)
        GROUP BY providers.provider_id
    )
    SELECT
        providers.provider_id,
        provider.provider_name,
        coalesce(active.active_episodes, 0) AS active_episodes,
        rule_counts.* EXCLUDE (provider_id),
        round(active.clean_episodes / active.active_episodes, 4) AS compliant_share
    FROM providers
    LEFT JOIN stg_providers AS provider USING (provider_id)
    LEFT JOIN active_episodes AS active USING (provider_id)
    LEFT JOIN rule_counts USING (provider_id)
    ORDER BY providers.provider_id
    """


def sorted_findings_sql(source: str = "tmp_findings") -> str:
    order = ", ".join(f"coalesce({name}, '')" for name in FINDING_ORDER)
    return f"SELECT {', '.join(FINDING_COLUMNS)} FROM {source} ORDER BY {order}"


@dataclass
class Evaluation:
    as_of: dt.date
    policy: Policy
    rule_status: pd.DataFrame
    findings: pd.DataFrame
    provider_summary: pd.DataFrame


def drop_caches(con: duckdb.DuckDBPyConnection) -> None:
    """Forget as-of-independent work (TEMP cache_* tables) left by an earlier evaluation."""
    names = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE 'cache\\_%' ESCAPE '\\'"
    ).fetchall()
    for (name,) in names:
        con.execute(f'DROP TABLE IF EXISTS temp."{name}"')


def evaluate_in_place(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, policy: Policy, *, reuse_cache: bool = False
) -> pd.DataFrame:
    """Run every rule; findings stay in TEMP table tmp_findings. Returns the rule status.

    reuse_cache: keep the as-of-independent work of the previous evaluation on this
    connection (same data, same policy), as a trend over many as-of dates does."""
    if not reuse_cache:
        drop_caches(con)
    values = prepare(con, as_of, policy)
    status = []
    for rule in RULES:
        state, count, reason = run_rule(con, rule, values)
        status.append({"rule_id": rule.rule_id, "status": state, "finding_count": count, "reason": reason})
    return pd.DataFrame(status)


def evaluate(con: duckdb.DuckDBPyConnection, as_of: dt.date, policy: Policy) -> Evaluation:
    """Evaluate every rule and fetch findings, provider summary and rule status as frames."""
    rule_status = evaluate_in_place(con, as_of, policy)
    return Evaluation(
        as_of=as_of,
        policy=policy,
        rule_status=rule_status,
        findings=con.execute(sorted_findings_sql()).df(),
        provider_summary=con.execute(provider_summary_sql()).df(),
    )


def fail_on_exit_code(severity_counts: dict, fail_on: str | None) -> int:
    """--fail-on for scheduled runs: 1 when findings of that severity or worse exist, else 0."""
    worse_or_equal = {"error": ("error",), "warning": ("error", "warning")}.get(fail_on, ())
    return 1 if any(severity_counts.get(severity, 0) for severity in worse_or_equal) else 0


@dataclass
class CheckResult:
    run_id: int
    findings_path: Path
    summary_path: Path
    severity_counts: dict

    def exit_code(self, fail_on: str | None) -> int:
        return fail_on_exit_code(self.severity_counts, fail_on)


STAGING_PREFIX = ".staging-"


def copy_to_csv(con: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    """Write a query's result as CSV atomically and owner-only: DuckDB writes into a
    private (0700) folder beside the target, then the file is renamed into place, so a
    reader sees the old file or the whole new one, never a part."""
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=STAGING_PREFIX))
    staged = staging / target.name
    try:
        quoted = str(staged).replace("'", "''")  # COPY's target cannot be a bound parameter
        con.execute(f"COPY ({query}) TO '{quoted}' (FORMAT csv, HEADER, DELIMITER ',')")
        os.chmod(staged, 0o600)
        os.replace(staged, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def remove_stale_staging(out_dir: Path) -> None:
    """Staging folders left by a killed run hold nothing anyone should read."""
    for leftover in out_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _record_run(con, as_of, policy, started_at, rule_status) -> int:
    for ddl in RUN_TABLES_DDL:
        con.execute(ddl)
    run_id = scalar(con, "SELECT nextval('check_run_id_seq')")
    load_ids = [row[0] for row in con.execute("SELECT DISTINCT load_id FROM load_manifest ORDER BY 1").fetchall()]
    finding_count = scalar(con, "SELECT count(*) FROM tmp_findings")
    con.execute(
        "INSERT INTO check_runs VALUES ($run_id, $started, now()::TIMESTAMP, $as_of, $policy, $digest, "
        "$load_ids, $user, $count)",
        {
            "run_id": run_id,
            "started": started_at,
            "as_of": as_of,
            "policy": json.dumps(policy.as_dict()),
            "digest": policy.digest(),
            "load_ids": load_ids,
            "user": getpass.getuser(),
            "count": finding_count,
        },
    )
    con.execute("INSERT INTO findings SELECT $run_id, * FROM tmp_findings", {"run_id": run_id})
    con.register("rule_status_frame", rule_status)
    con.execute(
        "INSERT INTO rule_status SELECT $run_id, rule_id, status, finding_count, reason FROM rule_status_frame",
        {"run_id": run_id},
    )
    con.unregister("rule_status_frame")
    return run_id


def print_summary(console: Console, rule_status: pd.DataFrame, counts: pd.DataFrame) -> None:
    table = Table("rule_id", "severity", "status", "findings", title="Findings per rule")
    severities = counts.groupby("rule_id")["severity"].agg(lambda s: "/".join(sorted(set(s)))).to_dict()
    by_id = {rule.rule_id: rule for rule in RULES}
    for row in rule_status.itertuples():
        status = row.status if not row.reason else f"{row.status}: {row.reason}"
        table.add_row(row.rule_id, severities.get(row.rule_id, by_id[row.rule_id].severity), status, str(row.finding_count))
    console.print(table)


def run_check(db_path: Path, as_of: dt.date, policy: Policy, out_dir: Path, console: Console | None = None) -> CheckResult:
    """`plan-analytics check`: evaluate, keep the run in the database, write the two CSVs."""
    console = console or Console(stderr=True)
    started_at = dt.datetime.now()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    owner_only(out_dir)
    remove_stale_staging(out_dir)
    con = connect(db_path)
    try:
        with console.status("Evaluating rules as of " + as_of.isoformat()):
            rule_status = evaluate_in_place(con, as_of, policy)
        con.execute("BEGIN TRANSACTION")
        run_id = _record_run(con, as_of, policy, started_at, rule_status)
        con.execute("COMMIT")
        findings_path = out_dir / "findings.csv"
        summary_path = out_dir / "provider_summary.csv"
        copy_to_csv(con, sorted_findings_sql(), findings_path)
        copy_to_csv(con, provider_summary_sql(), summary_path)
        counts = con.execute("SELECT rule_id, severity, count(*) AS n FROM tmp_findings GROUP BY ALL").df()
    finally:
        con.close()
    print_summary(console, rule_status, counts)
    severity_counts = counts.groupby("severity")["n"].sum().to_dict()
    console.print(f"run {run_id}: {int(counts['n'].sum())} findings as of {as_of.isoformat()}")
    console.print(f"findings: {findings_path}")
    console.print(f"provider summary: {summary_path}")
    return CheckResult(run_id, findings_path, summary_path, severity_counts)
