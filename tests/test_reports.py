"""Report data, provider pages and notebooks' hygiene: fast tests without a kernel.

The fixture network is described in test_reports_fixture.py (every number there is
worked out by hand)."""

from __future__ import annotations

import json
import stat

import nbformat
import pytest

from plan_analytics import report_data as rd
from plan_analytics.registry import RULES
from plan_analytics.report_pages import page_name, render_index, render_provider_pages, ReportLink
from plan_analytics.reports import ReportResult, notebook_path
from test_reports_fixture import AS_OF, CLIENT_NAMES, P1_OVERDUE, make_db, table_with

NOTEBOOKS = {
    "network_overview": {"db_path", "as_of", "policy_path", "output_dir", "deidentify"},
    "provider_report": {"db_path", "as_of", "policy_path", "provider_id", "output_dir", "deidentify"},
    "chart_review_status": {"db_path", "as_of", "policy_path", "output_dir", "deidentify"},
}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return make_db(tmp_path_factory.mktemp("reports") / "qa.duckdb")


@pytest.fixture(scope="module")
def ctx(db):
    with rd.open_report(db, AS_OF) as context:
        yield context


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_notebook_is_committed_clean_with_a_parameters_cell(name):
    nb = nbformat.read(notebook_path(name), as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    for parameter in NOTEBOOKS[name]:
        assert f"\n{parameter} = " in code[0].source
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None
    # No logic beyond calls into plan_analytics: no SQL, no pandas in the notebook itself.
    source = "\n".join(cell.source for cell in code)
    assert "SELECT" not in source and "import pandas" not in source and "groupby" not in source


def test_every_rule_has_an_action():
    assert set(rd.ACTIONS) == {rule.rule_id for rule in RULES}


def test_worklist_is_most_overdue_first_with_names_and_actions(ctx):
    worklist = rd.provider_worklist(ctx, "P1")
    overdue = worklist[worklist.days_overdue.notna()]
    assert list(zip(overdue.client_id, overdue.rule_id, overdue.days_overdue)) == P1_OVERDUE
    assert list(overdue.client_name) == [CLIENT_NAMES[c] for c, _, _ in P1_OVERDUE]
    assert list(overdue.action) == [
        "write and sign the initial treatment plan",
        "review the plan with the client and re-sign it",
        "send the requested records now",
    ]
    assert list(overdue.due_date.dt.strftime("%Y-%m-%d")) == ["2026-05-15", "2026-05-30", "2026-06-04"]
    # Then the findings without days overdue: errors before warnings, earliest due date first.
    rest = worklist[worklist.days_overdue.isna()]
    assert list(zip(rest.client_id, rest.rule_id)) == [
        ("CLT-1002", "coverage.session_without_current_plan"),
        ("CLT-1004", "review.due_soon"),
        ("CLT-1005", "review.due_soon"),
    ]
    # Titles come from the registry.
    assert set(worklist.issue) <= {rule.title for rule in RULES}


def test_completeness_action_lists_the_missing_elements(ctx):
    sql = rd.ACTIONS["completeness.missing_fields"]
    assert ctx.con.execute(f"SELECT {sql} FROM (SELECT 'symptoms;goals' AS detail)").fetchall() == [
        ("add: symptoms; goals",)
    ]


def test_reviews_due_within_7_14_30_days(ctx):
    reviews = rd.upcoming_reviews(ctx, "P1")
    assert list(zip(reviews.plan_id, reviews.days_left, reviews.due_within)) == [
        ("PLAN-D", 4, "within 7 days"),
        ("PLAN-E", 19, "within 30 days"),
    ]
    counts = rd.review_horizon_counts(ctx, "P1").iloc[0]
    assert (counts["within 7 days"], counts["within 14 days"], counts["within 30 days"]) == (1, 1, 2)


def test_standing_against_the_network_median(ctx):
    standing = rd.provider_standing(ctx, "P1").iloc[0]
    # P1: 2 of 5 active episodes without an error; P2: 1 of 2; median of 0.4 and 0.5.
    assert (standing.compliant_share, standing.network_median, standing["rank"]) == (0.4, 0.45, 2)
    with pytest.raises(rd.PlanAnalyticsError, match="Provider NOPE is not in the database"):
        rd.provider_standing(ctx, "NOPE")


def test_ranking_aging_and_rule_counts(ctx):
    ranking = rd.provider_ranking(ctx)
    assert list(ranking.provider_id) == ["P2", "P1", "P3"]
    aging = rd.overdue_aging(ctx).groupby("bucket", sort=False)["findings"].sum()
    # 26 days (REQ-77); 31, 46 and P2's 50 days; nothing older.
    assert aging.to_dict() == {"1–30 days": 1, "31–60 days": 3, "61–90 days": 0, ">90 days": 0}
    counts = rd.rule_counts(ctx).set_index("rule_id")
    assert counts.loc["establishment.missing", "errors"] == 2
    assert counts.loc["thread.note_without_goal", "status"].startswith("not applicable")


def test_chart_review_requests_with_business_day_due_dates(ctx):
    requests = rd.chart_review_requests(ctx)
    rows = [(r.request_id, str(r.due_date.date()), r.status) for r in requests.itertuples()]
    # REQ-77: Mon 06-01 + 3 business days = Thu 06-04. REQ-88: Fri 06-26 -> Mon, Tue, Wed 07-01.
    assert rows == [("REQ-77", "2026-06-04", "open, late"), ("REQ-88", "2026-07-01", "open")]
    assert requests.set_index("request_id").loc["REQ-88", "business_days_left"] == 1


def test_trend_re_evaluates_each_month_end(db):
    with rd.open_report(db, AS_OF, trend_months=3) as context:
        trend = context.trend.pivot(index="month_end", columns="severity", values="findings")
    assert [str(day.date()) for day in trend.index] == ["2026-04-30", "2026-05-31", "2026-06-30"]
    # As of 2026-04-30 no episode had reached session 2 without a plan yet; as of today 6 errors.
    assert trend.loc[trend.index[-1], "error"] == 6
    assert trend["error"].is_monotonic_increasing


def test_pseudonyms_are_stable_and_need_the_salt(tmp_path):
    db = make_db(tmp_path / "qa.duckdb")
    with pytest.raises(rd.PlanAnalyticsError, match="no de-identification salt"):
        rd.open_report(db, AS_OF, deidentify=True)
    rd.ensure_deidentify_salt(db)
    rd.ensure_deidentify_salt(db)  # kept, not replaced
    first = rd.open_report(db, AS_OF, deidentify=True)
    labels = list(rd.provider_worklist(first, "P1").client_id)
    assert "client_name" not in rd.provider_worklist(first, "P1").columns
    first.close()
    with rd.open_report(db, AS_OF, deidentify=True) as second:
        assert list(rd.provider_worklist(second, "P1").client_id) == labels
    assert all(label.startswith("anon-") and len(label) == 21 for label in labels)
    assert not set(labels) & set(CLIENT_NAMES)


def test_provider_pages_share_the_worklist(ctx, tmp_path):
    folder = tmp_path / "providers"
    pages = render_provider_pages(ctx, folder)
    assert pages == {"P1": "P1.html", "P2": "P2.html", "P3": "P3.html"}
    html = (folder / "P1.html").read_text()
    rows = table_with(html, "days overdue")
    overdue = [(row["client"], row["days overdue"]) for row in rows if row["days overdue"]]
    assert overdue == [(client, str(days)) for client, _, days in P1_OVERDUE]
    assert rows[0]["name"] == "Alice Zephyr" and rows[0]["what to do"] == "write and sign the initial treatment plan"
    assert "40.0 % of 5 active episodes" in html and "network median is 45.0 %" in html
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "P1.html").stat().st_mode) == 0o600
    # A second run replaces the folder whole.
    (folder / "stale.html").write_text("old")
    render_provider_pages(ctx, folder)
    assert not (folder / "stale.html").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_provider_page_names_are_safe():
    assert page_name("P0001") == "P0001.html"
    assert page_name("../etc/passwd").startswith("p-") and "/" not in page_name("a/b")


def test_index_links_reports_and_provider_pages(ctx, tmp_path):
    index = render_index(
        tmp_path / "index.html",
        as_of=AS_OF,
        policy_digest=ctx.policy.digest(),
        deidentified=False,
        reports=[ReportLink("Network compliance overview", "network_overview.html", "network_overview.ipynb")],
        providers=rd.provider_ranking(ctx),
        provider_pages={"P1": "P1.html", "P2": "P2.html"},
    )
    html = index.read_text()
    for href in ("network_overview.html", "network_overview.ipynb", "providers/P1.html", "providers/P2.html"):
        assert f'href="{href}"' in html
    assert not [name for name in CLIENT_NAMES.values() if name in html]


@pytest.mark.parametrize(
    ("counts", "fail_on", "code"),
    [
        ({"error": 2, "warning": 1}, None, 0),
        ({"error": 2, "warning": 1}, "error", 1),
        ({"warning": 1}, "error", 0),
        ({"warning": 1}, "warning", 1),
        ({}, "warning", 0),
    ],
)
def test_exit_code(counts, fail_on, code, tmp_path):
    assert ReportResult(tmp_path, tmp_path / "index.html", [], counts).exit_code(fail_on) == code


def test_report_command_refuses_an_unknown_provider_before_starting_a_kernel(tmp_path):
    from typer.testing import CliRunner

    from plan_analytics.cli import app

    db = make_db(tmp_path / "qa.duckdb")  # not the module's: the CLI writes its audit trail

    result = CliRunner().invoke(
        app, ["report", "--db", str(db), "--as-of", AS_OF.isoformat(), "--provider", "NOPE", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "Provider NOPE is not in the database" in result.output
    assert json.dumps(result.output).count("\\n") <= 3  # a sentence, not a traceback
