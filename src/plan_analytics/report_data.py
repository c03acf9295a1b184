"""What the reports show, computed in DuckDB from one evaluation.

`open_report` opens the database read-only, evaluates every rule as of a date
(optionally also as of each of the last month ends, for an honest trend) and
returns a `ReportContext`. The functions below read the engine's TEMP tables
(tmp_findings, int_*) and return small, already aggregated frames: the
notebooks and the provider pages display them and never aggregate themselves.

`provider_worklist` is the one definition of a provider's worklist: the
provider notebook and every page of `--all-providers` call it.

De-identification (`deidentify=True`): client IDs become `anon-` plus 16 hex
digits of sha256(salt || client_id), and client names are never selected. The
salt is generated once and kept in the database (pa_meta, key
'deidentify_salt'), so a client keeps the same pseudonym across runs and
reports while the database lives; `ensure_deidentify_salt` writes it (the
report command calls it under the database lock before it opens anything
read-only). Reloading into a new database file makes new pseudonyms.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from .db import connect, scalar
from .engine import evaluate_in_place, provider_summary_sql
from .errors import PlanAnalyticsError
from .policy import Policy, load_policy
from .registry import RULES

SALT_KEY = "deidentify_salt"
AGING_BUCKETS = (("1–30 days", 1, 30), ("31–60 days", 31, 60), ("61–90 days", 61, 90), (">90 days", 91, None))
REVIEW_HORIZONS = (7, 14, 30)

# What to do about a finding, one short instruction per rule (a SQL expression over
# the finding's columns). tests/test_reports.py checks every registered rule has one.
ACTIONS: dict[str, str] = {
    "establishment.missing": "'write and sign the initial treatment plan'",
    "establishment.late": "'note in the chart why the first plan was signed late'",
    "review.overdue": "'review the plan with the client and re-sign it'",
    "review.due_soon": "'schedule the plan review before ' || strftime(due_date, '%Y-%m-%d')",
    "coverage.session_without_current_plan": "'sign a current plan (review the expired one)'",
    "signature.unsigned": "'sign the plan'",
    "consent.client_signature_missing": "'obtain client signature'",
    "consent.verbal_consent_missing": "'note the client''s verbal consent (or obtain a signature)'",
    "completeness.missing_fields": "'add: ' || replace(detail, ';', '; ')",
    "uniqueness.cloned_plan": "'rewrite the plan for this client (it copies plan ' || detail || ')'",
    "integrity.edited_after_signing": "'restore the signed text or sign a new plan version'",
    "goal.target_date_passed": "'set new target dates for goal(s) ' || replace(detail, ';', ', ')",
    "chart_review.late": "CASE WHEN detail = 'still open' THEN 'send the requested records now' "
    "ELSE 'record why the response was late' END",
    "thread.note_without_goal": "'link note ' || split_part(detail, ':', 1) || ' to a goal of plan ' || plan_id",
}


@dataclass
class ReportContext:
    """An open read-only connection holding one evaluation as of `as_of`."""

    con: duckdb.DuckDBPyConnection
    db_path: Path
    as_of: dt.date
    policy: Policy
    rule_status: pd.DataFrame
    deidentify: bool = False
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    _salt: str | None = None

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "ReportContext":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def query(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or {}).df()

    def client_label(self, column: str = "client_id") -> str:
        """SQL for the client as the reader may see it: the ID, or its pseudonym."""
        if not self.deidentify:
            return column
        salt = self._salt.replace("'", "''")  # hex from secrets, inlined so the expression composes
        return f"CASE WHEN {column} IS NULL THEN NULL ELSE 'anon-' || left(sha256('{salt}' || {column}), 16) END"


def presentable(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as a reader sees them: dates ISO, missing values empty (not NaT or <NA>)."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return frame.astype(object).where(frame.notna(), "")


# --- de-identification salt -----------------------------------------------------------------


def read_deidentify_salt(con: duckdb.DuckDBPyConnection) -> str | None:
    return scalar(con, "SELECT value FROM pa_meta WHERE key = $key", {"key": SALT_KEY})


def ensure_deidentify_salt(db_path: Path) -> None:
    """Create the salt once (needs a writable database; the caller holds the database lock)."""
    con = connect(db_path, read_only=True)
    try:
        if read_deidentify_salt(con):
            return
    finally:
        con.close()
    try:
        con = connect(db_path)
    except PlanAnalyticsError as exc:
        raise PlanAnalyticsError(
            f"--deidentify needs to store its salt in the database once, but {db_path} cannot be opened "
            f"for writing ({exc})."
        ) from None
    try:
        con.execute(
            "INSERT INTO pa_meta VALUES ($key, $salt) ON CONFLICT DO NOTHING",
            {"key": SALT_KEY, "salt": secrets.token_hex(32)},
        )
    finally:
        con.close()


# --- opening an evaluation ------------------------------------------------------------------


def parse_date(value: dt.date | str | None) -> dt.date:
    if value is None or value == "":
        return dt.date.today()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PlanAnalyticsError(f"as_of {value!r} is not a date in the form YYYY-MM-DD.") from None


def month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """The last `months` evaluation dates: as_of itself and the ends of the months before it."""
    dates = [as_of]
    first_of_month = as_of.replace(day=1)
    while len(dates) < months:
        dates.append(first_of_month - dt.timedelta(days=1))
        first_of_month = dates[-1].replace(day=1)
    return sorted(dates)


# Findings per severity at one evaluation date; a severity without findings counts 0.
TREND_INSERT = """
    INSERT INTO rpt_trend
    SELECT $day, severities.severity, count(finding.rule_id)
    FROM (VALUES ('error'), ('warning')) AS severities(severity)
    LEFT JOIN tmp_findings AS finding USING (severity)
    GROUP BY severities.severity
"""


def _register_rules(con: duckdb.DuckDBPyConnection) -> None:
    frame = pd.DataFrame(
        [
            {"rule_id": r.rule_id, "title": r.title, "rule_severity": r.severity, "requirement": r.requirement,
             "rule_order": i}
            for i, r in enumerate(RULES)
        ]
    )
    con.register("report_rules_frame", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE rpt_rules AS SELECT * FROM report_rules_frame")
    con.unregister("report_rules_frame")


def _evaluate(con: duckdb.DuckDBPyConnection, as_of: dt.date, policy: Policy, reuse_cache: bool = False) -> pd.DataFrame:
    status = evaluate_in_place(con, as_of, policy, reuse_cache=reuse_cache)
    con.execute(f"CREATE OR REPLACE TEMP TABLE rpt_provider_summary AS {provider_summary_sql()}")
    return status


def open_report(
    db_path: Path | str,
    as_of: dt.date | str | None = None,
    policy_path: Path | str | None = None,
    *,
    deidentify: bool = False,
    trend_months: int = 0,
) -> ReportContext:
    """Evaluate as of `as_of` on a read-only connection (and, with `trend_months`, as of
    each of that many month ends first: findings per month as they stood then)."""
    as_of = parse_date(as_of)
    policy = load_policy(Path(policy_path) if policy_path else None)
    con = connect(Path(db_path), read_only=True)
    try:
        salt = None
        if deidentify:
            salt = read_deidentify_salt(con)
            if not salt:
                raise PlanAnalyticsError(
                    "This database has no de-identification salt yet; run 'plan-analytics report --deidentify' "
                    "once (it needs write access to the database)."
                )
        _register_rules(con)
        trend = pd.DataFrame(columns=["month_end", "severity", "findings"])
        if trend_months:
            con.execute("CREATE OR REPLACE TEMP TABLE rpt_trend (month_end DATE, severity VARCHAR, findings BIGINT)")
            for number, day in enumerate(month_ends(as_of, trend_months)[:-1]):
                # Same data and policy throughout: as-of-independent work is done once.
                evaluate_in_place(con, day, policy, reuse_cache=number > 0)
                con.execute(TREND_INSERT, {"day": day})
        rule_status = _evaluate(con, as_of, policy, reuse_cache=bool(trend_months))
        if trend_months:
            con.execute(TREND_INSERT, {"day": as_of})
            trend = con.execute("SELECT * FROM rpt_trend ORDER BY month_end, severity").df()
    except BaseException:
        con.close()
        raise
    return ReportContext(con, Path(db_path), as_of, policy, rule_status, deidentify, trend, salt)


# --- network ---------------------------------------------------------------------------------


def severity_counts(ctx: ReportContext) -> dict[str, int]:
    rows = ctx.con.execute("SELECT severity, count(*) FROM tmp_findings GROUP BY severity").fetchall()
    return {severity: count for severity, count in rows}


def headline(ctx: ReportContext) -> pd.DataFrame:
    """One-row key figures of the network."""
    return ctx.query(
        """
        SELECT $as_of AS as_of,
               (SELECT count(*) FROM rpt_provider_summary WHERE active_episodes > 0) AS providers_with_active_episodes,
               (SELECT CAST(coalesce(sum(active_episodes), 0) AS BIGINT) FROM rpt_provider_summary) AS active_episodes,
               (SELECT count(*) FILTER (WHERE severity = 'error') FROM tmp_findings) AS error_findings,
               (SELECT count(*) FILTER (WHERE severity = 'warning') FROM tmp_findings) AS warning_findings,
               (SELECT round(median(compliant_share), 4) FROM rpt_provider_summary) AS median_provider_compliance,
               $digest AS policy_digest
        """,
        {"as_of": ctx.as_of, "digest": ctx.policy.digest()},
    )


def provider_ranking(ctx: ReportContext) -> pd.DataFrame:
    """Every provider, most compliant first (share of active episodes with no error finding)."""
    return ctx.query(
        """
        WITH severity AS (
            SELECT provider_id,
                   count(*) FILTER (WHERE severity = 'error') AS errors,
                   count(*) FILTER (WHERE severity = 'warning') AS warnings
            FROM tmp_findings GROUP BY provider_id
        )
        SELECT
            CASE WHEN summary.compliant_share IS NOT NULL
                 THEN rank() OVER (ORDER BY summary.compliant_share DESC NULLS LAST) END AS rank,
            summary.provider_id,
            summary.provider_name,
            summary.active_episodes,
            coalesce(severity.errors, 0) AS errors,
            coalesce(severity.warnings, 0) AS warnings,
            summary.compliant_share
        FROM rpt_provider_summary AS summary
        LEFT JOIN severity USING (provider_id)
        ORDER BY summary.compliant_share DESC NULLS LAST, summary.active_episodes DESC, summary.provider_id
        """
    )


def lowest_compliance(ctx: ReportContext, limit: int = 25) -> pd.DataFrame:
    """The least compliant providers that have active episodes (for the chart)."""
    return ctx.query(
        """
        SELECT provider_id, coalesce(provider_name, provider_id) AS provider, active_episodes, compliant_share
        FROM rpt_provider_summary WHERE active_episodes > 0
        ORDER BY compliant_share, active_episodes DESC, provider_id LIMIT $limit
        """,
        {"limit": limit},
    )


def compliance_distribution(ctx: ReportContext) -> pd.DataFrame:
    """Providers per tenth of compliance (0–10 %, …, 90–100 %)."""
    return ctx.query(
        """
        WITH bands AS (SELECT range AS band FROM range(10))
        SELECT band, printf('%d–%d %%', band * 10, band * 10 + 10) AS compliance,
               count(summary.provider_id) AS providers
        FROM bands
        LEFT JOIN rpt_provider_summary AS summary
          ON summary.compliant_share IS NOT NULL AND least(floor(summary.compliant_share * 10), 9) = band
        GROUP BY band ORDER BY band
        """
    )


def rule_counts(ctx: ReportContext) -> pd.DataFrame:
    """Per rule: title, severity, status, findings, providers and clients concerned, requirement."""
    ctx.con.register("rule_status_frame", ctx.rule_status)
    try:
        return ctx.query(
            """
            WITH counts AS (
                SELECT rule_id,
                       count(*) FILTER (WHERE severity = 'error') AS errors,
                       count(*) FILTER (WHERE severity = 'warning') AS warnings,
                       count(DISTINCT provider_id) AS providers,
                       count(DISTINCT client_id) AS clients
                FROM tmp_findings GROUP BY rule_id
            )
            SELECT rules.rule_id, rules.title, rules.rule_severity AS severity,
                   CASE WHEN status.reason <> '' THEN status.status || ': ' || status.reason
                        ELSE status.status END AS status,
                   coalesce(counts.errors, 0) AS errors, coalesce(counts.warnings, 0) AS warnings,
                   coalesce(counts.providers, 0) AS providers, coalesce(counts.clients, 0) AS clients,
                   rules.requirement
            FROM rpt_rules AS rules
            LEFT JOIN rule_status_frame AS status USING (rule_id)
            LEFT JOIN counts USING (rule_id)
            ORDER BY rules.rule_order
            """
        )
    finally:
        ctx.con.unregister("rule_status_frame")


def findings_by_rule(ctx: ReportContext) -> pd.DataFrame:
    """Finding counts per rule title and severity (long form, for the chart)."""
    return ctx.query(
        """
        SELECT rules.title, finding.severity, count(*) AS findings
        FROM tmp_findings AS finding JOIN rpt_rules AS rules USING (rule_id)
        GROUP BY ALL ORDER BY findings DESC
        """
    )


def _bucket_sql(column: str) -> str:
    cases = " ".join(
        f"WHEN {column} >= {low}" + (f" AND {column} <= {high}" if high else "") + f" THEN '{label}'"
        for label, low, high in AGING_BUCKETS
    )
    return f"CASE {cases} END"


def overdue_aging(ctx: ReportContext) -> pd.DataFrame:
    """Overdue findings (days_overdue ≥ 1) per aging bucket and rule, every bucket present."""
    buckets = ", ".join(f"('{label}', {i})" for i, (label, _, _) in enumerate(AGING_BUCKETS))
    return ctx.query(
        f"""
        WITH buckets(bucket, bucket_order) AS (VALUES {buckets}),
        overdue AS (
            SELECT {_bucket_sql('finding.days_overdue')} AS bucket, rules.title, count(*) AS findings
            FROM tmp_findings AS finding JOIN rpt_rules AS rules USING (rule_id)
            WHERE finding.days_overdue >= 1
            GROUP BY ALL
        )
        SELECT buckets.bucket, buckets.bucket_order, coalesce(overdue.title, '(none)') AS title,
               coalesce(overdue.findings, 0) AS findings
        FROM buckets LEFT JOIN overdue USING (bucket)
        ORDER BY buckets.bucket_order, title
        """
    )


def most_overdue(ctx: ReportContext, limit: int = 25) -> pd.DataFrame:
    """The network's most overdue findings, client IDs only (never names)."""
    return ctx.query(
        f"""
        SELECT finding.provider_id, {ctx.client_label('finding.client_id')} AS client_id, rules.title AS issue,
               finding.plan_id, finding.request_id, finding.due_date, finding.days_overdue
        FROM tmp_findings AS finding JOIN rpt_rules AS rules USING (rule_id)
        WHERE finding.days_overdue >= 1
        ORDER BY finding.days_overdue DESC, finding.provider_id, finding.client_id, rules.rule_order
        LIMIT $limit
        """,
        {"limit": limit},
    )


# --- one provider (or every provider at once) -------------------------------------------------


def _provider_filter(provider_id: str | None, column: str) -> tuple[str, dict]:
    if provider_id is None:
        return f"{column} IS NOT NULL", {}
    return f"{column} = $provider_id", {"provider_id": provider_id}


def provider_worklist(ctx: ReportContext, provider_id: str | None = None) -> pd.DataFrame:
    """Every finding of a provider (of every provider when None), with the client, what is
    wrong and what to do, most overdue first (then errors before warnings, earliest due date).
    Client names are selected only when the context is not de-identified."""
    condition, params = _provider_filter(provider_id, "finding.provider_id")
    action = "CASE finding.rule_id " + " ".join(
        f"WHEN '{rule_id}' THEN {expression}" for rule_id, expression in ACTIONS.items()
    ) + " END"
    name = "" if ctx.deidentify else "client.client_name,"
    join = "" if ctx.deidentify else "LEFT JOIN stg_clients AS client USING (client_id)"
    return ctx.query(
        f"""
        SELECT finding.provider_id,
               {ctx.client_label('finding.client_id')} AS client_id,
               {name}
               finding.plan_id, finding.session_id, finding.request_id,
               finding.severity, rules.title AS issue, finding.detail,
               {action} AS action,
               finding.due_date, finding.days_overdue, finding.rule_id
        FROM tmp_findings AS finding
        JOIN rpt_rules AS rules USING (rule_id)
        {join}
        WHERE {condition}
        ORDER BY finding.provider_id, finding.days_overdue DESC NULLS LAST, finding.severity = 'error' DESC,
                 finding.due_date NULLS LAST, finding.client_id, rules.rule_order,
                 finding.plan_id, finding.session_id, finding.request_id
        """,
        params,
    )


def upcoming_reviews(ctx: ReportContext, provider_id: str | None = None, days: int = max(REVIEW_HORIZONS)) -> pd.DataFrame:
    """Plan reviews of active episodes falling due within `days` after as-of, with the
    smallest of 7 / 14 / 30 days that holds each."""
    condition, params = _provider_filter(provider_id, "plan.provider_id")
    horizon = "CASE " + " ".join(
        f"WHEN review_due - $as_of <= {limit} THEN 'within {limit} days'" for limit in REVIEW_HORIZONS
    ) + " END"
    name = "" if ctx.deidentify else "client.client_name,"
    join = "" if ctx.deidentify else "LEFT JOIN stg_clients AS client USING (client_id)"
    return ctx.query(
        f"""
        WITH reviews AS (
            SELECT plan.provider_id, plan.client_id, plan.plan_id, plan.signed_date,
                   plan.signed_date + CAST($interval AS INTEGER) AS review_due
            FROM int_signed_plans AS plan
            JOIN int_episodes AS episode USING (provider_id, client_id)
            WHERE plan.is_latest AND episode.is_active AND {condition}
        )
        SELECT reviews.provider_id, {ctx.client_label('reviews.client_id')} AS client_id, {name}
               reviews.plan_id, reviews.signed_date, reviews.review_due,
               review_due - $as_of AS days_left, {horizon} AS due_within
        FROM reviews {join}
        WHERE review_due >= $as_of AND review_due - $as_of <= $days
        ORDER BY reviews.provider_id, review_due, reviews.client_id, reviews.plan_id
        """,
        {**params, "as_of": ctx.as_of, "interval": ctx.policy.review_interval_days, "days": days},
    )


def review_horizon_counts(ctx: ReportContext, provider_id: str | None = None) -> pd.DataFrame:
    """Reviews due within 7, 14 and 30 days (cumulative), per provider."""
    condition, params = _provider_filter(provider_id, "plan.provider_id")
    counts = ", ".join(
        f"count(*) FILTER (WHERE due - $as_of BETWEEN 0 AND {limit}) AS \"within {limit} days\""
        for limit in REVIEW_HORIZONS
    )
    return ctx.query(
        f"""
        SELECT plan.provider_id, {counts}
        FROM (SELECT plan.*, plan.signed_date + CAST($interval AS INTEGER) AS due FROM int_signed_plans AS plan) AS plan
        JOIN int_episodes AS episode USING (provider_id, client_id)
        WHERE plan.is_latest AND episode.is_active AND {condition}
        GROUP BY plan.provider_id ORDER BY plan.provider_id
        """,
        {**params, "as_of": ctx.as_of, "interval": ctx.policy.review_interval_days},
    )


def provider_standing(ctx: ReportContext, provider_id: str | None = None) -> pd.DataFrame:
    """Compliance of a provider (every provider when None) beside the network median and rank."""
    condition, params = _provider_filter(provider_id, "provider_id")
    standing = ctx.query(
        f"""
        WITH network AS (
            SELECT median(compliant_share) AS network_median,
                   count(compliant_share) AS ranked_providers
            FROM rpt_provider_summary
        ),
        ranked AS (
            SELECT *, CASE WHEN compliant_share IS NOT NULL
                           THEN rank() OVER (ORDER BY compliant_share DESC NULLS LAST) END AS rank
            FROM rpt_provider_summary
        )
        SELECT provider_id, provider_name, active_episodes, compliant_share,
               round(network.network_median, 4) AS network_median,
               round(compliant_share - network.network_median, 4) AS difference,
               rank, network.ranked_providers
        FROM ranked, network
        WHERE {condition}
        ORDER BY provider_id
        """,
        params,
    )
    if provider_id is not None and standing.empty:
        raise PlanAnalyticsError(f"Provider {provider_id} is not in the database.")
    return standing


def provider_ids(ctx: ReportContext) -> list[str]:
    return [row[0] for row in ctx.con.execute("SELECT provider_id FROM rpt_provider_summary ORDER BY 1").fetchall()]


# --- chart reviews -----------------------------------------------------------------------------


CHART_REVIEW_COLUMNS = (
    "request_id, payer, provider_id, client_id, received_date, due_date, fulfilled_date, status, "
    "business_days_left, days_overdue"
)


def _chart_review_table(ctx: ReportContext) -> None:
    """TEMP table rpt_chart_reviews: requests open or answered late as of the evaluation date,
    with their business-day due date (from the engine's int_chart_review_requests)."""
    if ctx.con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = 'rpt_chart_reviews'").fetchall():
        return
    run = ctx.con.execute
    run(
        f"""
        CREATE TEMP TABLE rpt_chart_reviews AS
        WITH with_due AS (
            SELECT request.*, request.fulfilled_as_of AS fulfilled,
                   due.business_ordinal - today.business_ordinal AS business_days_left
            FROM int_chart_review_requests AS request
            JOIN ref_business_calendar AS due ON due.day = request.due_date
            JOIN ref_business_calendar AS today ON today.day = $as_of
        )
        SELECT with_due.request_id, with_due.payer,
               coalesce(with_due.provider_id, late.provider_id) AS provider_id,
               {ctx.client_label('with_due.client_id')} AS client_id,
               with_due.received_date, with_due.due_date, with_due.fulfilled AS fulfilled_date,
               CASE WHEN with_due.fulfilled IS NOT NULL THEN 'answered late'
                    WHEN $as_of > with_due.due_date THEN 'open, late'
                    ELSE 'open' END AS status,
               CASE WHEN with_due.fulfilled IS NULL AND $as_of <= with_due.due_date
                    THEN with_due.business_days_left END AS business_days_left,
               late.days_overdue
        FROM with_due
        LEFT JOIN tmp_findings AS late
          ON late.rule_id = 'chart_review.late' AND late.request_id = with_due.request_id
        WHERE with_due.fulfilled IS NULL OR late.request_id IS NOT NULL
        """,
        {"as_of": ctx.as_of},
    )


def chart_review_requests(ctx: ReportContext) -> pd.DataFrame:
    """Insurer requests open or answered late: most overdue first, then by due date."""
    _chart_review_table(ctx)
    return ctx.query(
        f"SELECT {CHART_REVIEW_COLUMNS} FROM rpt_chart_reviews "
        "ORDER BY days_overdue DESC NULLS LAST, due_date, request_id"
    )


def chart_review_policy(ctx: ReportContext) -> pd.DataFrame:
    """The policy values that set chart-review due dates."""
    return pd.DataFrame(
        [{"as_of": ctx.as_of, "business_days_to_answer": ctx.policy.chart_review_business_days,
          "holiday_calendar": ctx.policy.holiday_calendar}]
    )


def chart_review_status_counts(ctx: ReportContext) -> pd.DataFrame:
    """Requests per status (open / open, late / answered late)."""
    _chart_review_table(ctx)
    return ctx.query("SELECT status, count(*) AS requests FROM rpt_chart_reviews GROUP BY status ORDER BY status")
