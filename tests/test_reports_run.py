"""`run_reports` end to end: every notebook runs under papermill (a real kernel), is
exported to static HTML with its charts, and the PHI rules hold in what is written.

Two runs: the hand-checked fixture network (names visible in provider reports only), and
a small generated sample loaded by the real loader, de-identified (the full sample-data
path; kept small so it stays in the default run)."""

from __future__ import annotations

import io
import re
import stat
from pathlib import Path

import nbformat
import pytest
from rich.console import Console

from plan_analytics.errors import PlanAnalyticsError
from plan_analytics.reports import execute_notebook, run_reports
from test_reports_fixture import AS_OF, CLIENT_NAMES, P1_OVERDUE, make_db, table_with

REPORT_FILES = {
    "index.html",
    "network_overview.html",
    "network_overview.ipynb",
    "chart_review_status.html",
    "chart_review_status.ipynb",
    "provider_P1.html",
    "provider_P1.ipynb",
}


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("report_run")
    db = make_db(base / "qa.duckdb")
    log = io.StringIO()
    result = run_reports(
        db,
        as_of=AS_OF,
        provider_id="P1",
        all_providers=True,
        out_dir=base / "out",
        console=Console(file=log, width=200),
    )
    return result, log.getvalue()


def test_outputs_are_owner_only_and_logged(fixture_run):
    result, log = fixture_run
    folder = result.out_dir
    assert folder.name == AS_OF.isoformat()
    assert {p.name for p in folder.iterdir() if p.is_file()} == REPORT_FILES  # no temporary files left
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    for path in [*folder.iterdir(), *(folder / "providers").iterdir()]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    for name in ("network_overview", "chart_review_status", "provider_P1", "provider pages"):
        assert re.search(rf"^{name}  \d+\.\d s  {re.escape(str(folder))}", log, re.M), log
    assert result.exit_code("error") == 1 and result.exit_code(None) == 0
    assert set(result.outputs) >= {folder / name for name in REPORT_FILES}


def test_index_links_every_report(fixture_run):
    result, _ = fixture_run
    html = (result.out_dir / "index.html").read_text()
    links = set(re.findall(r'href="([^"]+)"', html))
    assert links == (REPORT_FILES - {"index.html"}) | {f"providers/{p}.html" for p in ("P1", "P2", "P3")}
    for link in links:
        assert (result.out_dir / link).is_file()


def test_notebooks_ran_and_html_has_no_code_and_drawable_charts(fixture_run):
    result, _ = fixture_run
    for stem in ("network_overview", "chart_review_status", "provider_P1"):
        nb = nbformat.read(result.out_dir / f"{stem}.ipynb", as_version=4)
        code = [cell for cell in nb.cells if cell.cell_type == "code"]
        assert all(cell.execution_count for cell in code)
        html = (result.out_dir / f"{stem}.html").read_text()
        assert "open_report(" not in html and "import " not in html.split("<body", 1)[1]  # inputs excluded
        assert 'class="pa-chart"' in html and "vegaEmbed(" in html
        assert "vega-embed" in html  # the library, inlined or from the CDN, in the head
        assert "require.min.js" not in html  # it would turn the bundles into AMD modules
        assert '"$schema":"https://vega.github.io/schema/vega-lite/v6' in html
    overview = (result.out_dir / "network_overview.html").read_text()
    for title in ("Findings by rule", "Overdue findings by days overdue", "Providers by compliance",
                  "Least compliant providers", "Findings at each month end"):
        assert title in overview
    assert "Plan review overdue" in overview  # chart data: titles from the registry


def test_network_overview_holds_no_client_name(fixture_run):
    result, _ = fixture_run
    for name in ("network_overview", "chart_review_status"):
        for suffix in (".html", ".ipynb"):
            text = (result.out_dir / f"{name}{suffix}").read_text()
            assert not [client for client in CLIENT_NAMES.values() if client in text], name + suffix
    assert "CLT-1001" in (result.out_dir / "network_overview.html").read_text()  # IDs are allowed


@pytest.mark.parametrize(
    ("page", "client_column", "days_column"),
    [("provider_P1.html", "client_id", "days_overdue"), ("providers/P1.html", "client", "days overdue")],
)
def test_provider_report_lists_overdue_items_most_overdue_first(fixture_run, page, client_column, days_column):
    result, _ = fixture_run
    html = (result.out_dir / page).read_text()
    rows = table_with(html, days_column)
    overdue = [(row[client_column], int(row[days_column])) for row in rows if row[days_column]]
    assert overdue == [(client, days) for client, _, days in P1_OVERDUE]
    assert CLIENT_NAMES["CLT-1001"] in html  # names appear in provider reports


def test_a_failing_notebook_is_one_sentence(tmp_path, monkeypatch):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    def fail(input_path, output_path, **kwargs):
        Path(output_path).write_text("{}")  # papermill leaves a partial notebook behind
        raise PapermillExecutionError(2, 1, "ctx = ...", "PlanAnalyticsError",
                                      "/x/missing.duckdb does not exist; run 'plan-analytics load' first.\nmore",
                                      ["Traceback (most recent call last):", "  File ..."])

    monkeypatch.setattr(papermill, "execute_notebook", fail)
    with pytest.raises(PlanAnalyticsError) as error:
        execute_notebook("chart_review_status", {"db_path": "/x/missing.duckdb"}, tmp_path / "out.ipynb", cwd=tmp_path)
    assert str(error.value) == (
        "The chart_review_status notebook failed: PlanAnalyticsError: "
        "/x/missing.duckdb does not exist; run 'plan-analytics load' first."
    )
    assert list(tmp_path.iterdir()) == []  # no partial notebook


def test_sample_data_run_deidentified(tmp_path):
    from plan_analytics.loader import load_export
    from plan_analytics.policy import Policy
    from plan_analytics.sample import write_sample

    write_sample(tmp_path / "export", providers=4, clients=40, seed=3, end_date=AS_OF)
    db = tmp_path / "qa.duckdb"
    load_export(tmp_path / "export", db, Policy())
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    clients = con.execute("SELECT client_id, client_name FROM stg_clients").fetchall()
    provider = con.execute("SELECT min(provider_id) FROM stg_providers").fetchall()[0][0]
    con.close()
    result = run_reports(
        db, as_of=AS_OF, provider_id=provider, all_providers=True, out_dir=tmp_path / "out", deidentify=True,
        console=Console(file=io.StringIO()),
    )
    files = [p for p in result.out_dir.rglob("*") if p.is_file()]
    assert len(files) == len(REPORT_FILES) + 4
    text = "\n".join(p.read_text() for p in files)
    raw_ids = [cid for cid, _ in clients if re.search(rf"(?<![A-Za-z0-9]){re.escape(cid)}(?![A-Za-z0-9])", text)]
    names = [name for _, name in clients if name and name in text]
    assert raw_ids == [] and names == []
    assert "anon-" in text
