"""PHI stays in its place: every command, run on the sample with --verbose, prints no
client name; what holds PHI on disk is owner-only; the wide-audience overview shows IDs only."""

import stat
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from plan_analytics.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
AS_OF = "2026-11-30"


@pytest.fixture(scope="module")
def client_names():
    names = pd.read_csv(SAMPLE / "clients.csv", dtype=str)["client_name"].dropna().str.strip()
    # A client may share a name with a provider (synthetic name lists overlap); the
    # provider's name is rightly shown, so such names cannot count as a leak.
    providers = pd.read_csv(SAMPLE / "providers.csv", dtype=str)["provider_name"].str.split(",").str[0]
    names = sorted(set(names[names.str.len() > 3]) - set(providers.str.strip()))
    assert len(names) > 300
    return names


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """Run every command once, as a QA lead would, and keep what each printed."""
    work = tmp_path_factory.mktemp("phi")
    db = work / "qa.duckdb"
    runner = CliRunner()
    commands = {
        "sample": ["sample", str(work / "generated"), "--providers", "3", "--clients", "30"],
        "load": ["load", str(SAMPLE), "--db", str(db)],
        "check": ["check", "--db", str(db), "--as-of", AS_OF, "--out", str(work / "check")],
        "report": ["report", "--db", str(db), "--as-of", AS_OF, "--all-providers", "--out", str(work / "reports")],
        "packet": ["packet", "--db", str(db), "--as-of", AS_OF, "--request", "CR0001", "--out", str(work / "packets")],
        "audit": ["audit", "--db", str(db)],
        "rules": ["rules"],
    }
    printed = {}
    for name, arguments in commands.items():
        result = runner.invoke(app, ["--verbose", *arguments], terminal_width=200)
        assert result.exit_code == 0, (name, result.output[-2000:])
        printed[name] = result.output
    return work, printed


def test_no_command_prints_a_client_name(pipeline, client_names):
    _, printed = pipeline
    for command, output in printed.items():
        leaked = [name for name in client_names if name in output]
        assert leaked == [], f"{command} printed client names"


def test_files_holding_phi_are_owner_only(pipeline):
    work, _ = pipeline
    phi_files = [
        work / "qa.duckdb",
        work / "check" / "findings.csv",
        work / "packets" / "CR0001" / "packet.pdf",
        work / "packets" / "CR0001" / "manifest.json",
        work / "reports" / AS_OF / "index.html",
        *sorted((work / "reports" / AS_OF / "providers").glob("*.html"))[:3],
    ]
    for path in phi_files:
        assert path.is_file(), path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (work / "check", work / "packets" / "CR0001", work / "reports" / AS_OF):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_the_network_overview_shows_ids_not_names(pipeline, client_names):
    work, _ = pipeline
    overview = (work / "reports" / AS_OF / "network_overview.html").read_text(encoding="utf-8")
    assert "C00" in overview  # client IDs are there ...
    assert [name for name in client_names if name in overview] == []  # ... names are not


def test_the_audit_trail_has_every_database_command(pipeline):
    _, printed = pipeline
    audit = printed["audit"]
    for command in ("load", "check", "report", "packet"):
        assert f"│ {command}" in audit
