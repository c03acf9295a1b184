"""The chart-review notebook runs under papermill, is committed clean, and the packet
works end to end with the real rules engine."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import nbformat
import pytest

from packet_fixture import AS_OF, findings_frame, make_db
from plan_analytics.policy import Policy

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "chart_review_packet.ipynb"
PARAMETERS = {"db_path", "as_of", "policy_path", "request_id", "client_id", "date_from", "date_to", "output_dir"}


def test_notebook_is_committed_clean_with_a_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    for name in PARAMETERS:
        assert f"{name} =" in code[0].source
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None


def test_notebook_runs_under_papermill(tmp_path):
    papermill = pytest.importorskip("papermill")
    db = make_db(tmp_path / "qa.duckdb")
    findings_csv = tmp_path / "findings.csv"
    findings_frame().to_csv(findings_csv, index=False)
    out = tmp_path / "packets"
    executed = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK),
        str(executed),
        parameters={
            "db_path": str(db),
            "as_of": AS_OF.isoformat(),
            "request_id": "CR1",
            "output_dir": str(out),
            "findings_csv": str(findings_csv),
        },
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    nb = nbformat.read(executed, as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "Plan PL1 is missing: symptoms, target_date." in text
    assert "5 sessions, 2 signed notes" in text
    assert (out / "CR1" / "packet.pdf").exists()
    assert stat.S_IMODE((out / "CR1" / "packet.pdf").stat().st_mode) == 0o600


def test_packet_with_the_real_engine(tmp_path):
    from plan_analytics.packet import build_packet

    db = make_db(tmp_path / "qa.duckdb")
    result = build_packet(db, as_of=AS_OF, policy=Policy(), request_id="CR1", out_dir=tmp_path / "out")
    folder = result.folder
    assert result.outputs == [folder / "packet.pdf", folder / "manifest.json"]
    manifest = json.loads((folder / "manifest.json").read_text())
    findings = {(f["rule_id"], f["plan_id"], f["in_period"]) for f in manifest["findings"]}
    # PL1's X12.3 is not a billable code; PLD and PLF are unsigned drafts of the period.
    assert ("completeness.missing_fields", "PL1", True) in findings
    assert ("signature.unsigned", "PLD", True) in findings
    assert "PL_C2" not in {f["plan_id"] for f in manifest["findings"]}  # client C2's own findings
    status = {c["item"]: c["status"] for c in manifest["checklist"]}
    assert status["Plan complete"] == "not met"
    assert status["Signatures and consent by modality"] == "not met"
    assert status["No edits after signing"] == "met"
