"""Chart-review packets: content, order, as-of, drafts, deadlines, permissions, errors."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import stat
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from packet_fixture import AS_OF, CLIENT_NAME, DOB, PL1, findings_frame, make_db
from plan_analytics.errors import PlanAnalyticsError
from plan_analytics.packet import build_packet, preview_packet
from plan_analytics.packet_checklist import compute_checklist
from plan_analytics.policy import Policy

pypdf = pytest.importorskip("pypdf")


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return make_db(tmp_path_factory.mktemp("db") / "qa.duckdb")


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def build(db, out, **kwargs):
    kwargs.setdefault("as_of", AS_OF)
    kwargs.setdefault("policy", Policy())
    kwargs.setdefault("findings", findings_frame())
    return build_packet(db, out_dir=out, **kwargs).folder


@pytest.fixture(scope="module")
def request_packet(db, tmp_path_factory):
    """CR1 as of 2026-03-09, default options, with the terminal output captured."""
    out = tmp_path_factory.mktemp("out") / "packets"
    buffer = io.StringIO()
    folder = build(db, out, request_id="CR1", console=Console(file=buffer, width=200))
    return folder, pdf_pages(folder / "packet.pdf"), buffer.getvalue()


@pytest.fixture(scope="module")
def draft_packet(db, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "packets"
    folder = build(db, out, request_id="CR1", include_drafts=True)
    return folder, pdf_pages(folder / "packet.pdf")


# --------------------------------------------------------------------------- content


def test_plan_fields_in_template_order(request_packet):
    _, pages, _ = request_packet
    text = "\n".join(pages)
    start = text.index("Treatment plan PL1")
    expected = [
        "Client name",
        CLIENT_NAME,
        "Date of birth",
        DOB,
        "Type of therapy",
        "individual",
        "PRESENTING PROBLEM",
        PL1["reason_for_treatment"],
        "F41.1",
        "Generalized anxiety disorder",
        "F32.1",
        "Major depressive disorder, single episode, moderate",
        "X12.3",
        "not a billable ICD-10-CM code",
        PL1["symptoms"],
        PL1["treatment_history"],
        "Goal 1:",
        "Reduce daily worry episodes",
        "Practice diaphragmatic breathing twice daily",
        "Record worry triggers in a journal",
        "Challenge one anxious thought per day",
        "Worry rated below 3 of 10 on most days",
        "2026-04-15",
        "Goal 2:",  # goal_number order although inserted 2 before 1
        "Keep a sleep diary",
        "No screens after 10 pm",
        "Rested on waking",
        "2026-05-01",
        PL1["interventions"],
        "Client signature: signed 2026-01-10 15:45",
        "Provider signature: signed 2026-01-10 16:00",
    ]
    positions = []
    cursor = start
    for needle in expected:
        pos = text.find(needle, cursor)
        assert pos >= 0, f"{needle!r} missing (or out of order) after position {cursor}"
        positions.append(pos)
        cursor = pos + len(needle)
    assert positions == sorted(positions)


def test_sections_in_order_and_cover_sheet(request_packet):
    _, pages, _ = request_packet
    cover = pages[0]
    for needle in [
        "Acme Health Plan",
        "CR1",
        "2026-03-06",  # received (Friday)
        "2026-03-11",  # due: Mon 9, Tue 10, Wed 11
        "2 business days left as of 2026-03-09",
        "Dr. Alex Rivera (ID P1)",  # provider of the latest completed session before receipt
        CLIENT_NAME,
        DOB,
        "2026-01-01 to 2026-02-28",
        "Generated at",
    ]:
        assert needle in cover, needle
    text = "\n".join(pages)
    order = [text.index(s) for s in ("Documentation checklist\nWhat", "Treatment plans\n", "Session log,", "Signed progress notes\n")]
    assert order == sorted(order)


def test_only_sessions_and_notes_of_the_period(request_packet):
    folder, pages, _ = request_packet
    text = "\n".join(pages)
    log = text[text.index("Session log,") : text.index("Signed progress notes\n")]
    for sid in ("S01", "S02", "S03", "S04", "S05"):
        assert sid in log
    for sid in ("S00", "S06", "S07", "S90"):  # before, after the period, after as-of, other client
        assert sid not in text
    assert "cancelled" in log and "telehealth" in log and "90791" in log and "14:30" in log
    notes = text[text.index("Signed progress notes\n") :]
    assert "N01" in notes and "N02" in notes
    # N03 signed after as-of, N05 unsigned, N06 for a session outside the period
    for nid in ("N03", "N05", "N06"):
        assert nid not in text
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["session_ids"] == ["S01", "S02", "S03", "S04", "S05"]
    assert manifest["note_ids"] == ["N01", "N02"]


def test_plans_cover_the_period_drafts_excluded_by_default(request_packet):
    folder, pages, _ = request_packet
    text = "\n".join(pages)
    assert "Treatment plan PL1" in text
    assert "OLDPLANTEXT" not in text  # PL0's coverage ended before the period
    assert "DRAFTTEXT" not in text and "FUTURETEXT" not in text
    assert "Treatment plan PLD" not in text and "Treatment plan PLF" not in text
    assert "OTHERCLIENT" not in text and "Robert Roe" not in text
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["plan_ids"] == ["PL1"]
    assert manifest["include_drafts"] is False


def test_drafts_marked_when_included(draft_packet):
    folder, pages = draft_packet
    text = "\n".join(pages)
    for plan_id, marker in (("PLD", "DRAFTTEXT"), ("PLF", "FUTURETEXT")):
        heading = re.search(rf"DRAFT\s+Treatment plan {plan_id}\n", text).start()
        assert "not signed by the provider as of 2026-03-09" in text[heading : heading + 200]
        assert text.index(marker) > heading
    # PLF is signed on 2026-03-15, after as-of: that signature does not exist yet
    assert "2026-03-15" not in text
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["plan_ids"] == ["PL1", "PLD", "PLF"]
    assert manifest["draft_plan_ids"] == ["PLD", "PLF"]


def test_client_name_dob_and_page_numbers_on_every_page(request_packet):
    _, pages, _ = request_packet
    assert len(pages) >= 4
    for number, text in enumerate(pages, start=1):
        assert CLIENT_NAME in text, f"page {number}"
        assert DOB in text, f"page {number}"
        assert f"Page {number} of {len(pages)}" in text


def test_checklist_in_pdf_and_no_other_client_ids(request_packet):
    _, pages, _ = request_packet
    checklist = pages[1]
    assert "Plan PL1 is missing: symptoms, target_date." in checklist
    assert "Session S02 has no current signed plan." in checklist
    assert "S06" not in checklist  # a finding outside the period
    assert "PL_C2" not in "\n".join(pages)  # cloned_plan's detail names another client's plan


def test_manifest(request_packet):
    folder, _, _ = request_packet
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["request_id"] == "CR1"
    assert manifest["client_id"] == "C1"
    assert manifest["period"] == {"from": "2026-01-01", "to": "2026-02-28"}
    assert manifest["as_of"] == "2026-03-09"
    assert manifest["policy_digest"] == Policy().digest()
    assert manifest["due_date"] == "2026-03-11"
    assert dt.datetime.fromisoformat(manifest["generated_at"]).tzinfo is not None
    assert manifest["pdf"]["sha256"] == hashlib.sha256((folder / "packet.pdf").read_bytes()).hexdigest()
    found = {(f["rule_id"], f["plan_id"], f["session_id"], f["in_period"]) for f in manifest["findings"]}
    assert ("coverage.session_without_current_plan", None, "S02", True) in found
    assert ("coverage.session_without_current_plan", None, "S06", False) in found
    assert ("integrity.edited_after_signing", "PL0", None, False) in found
    assert all(f["rule_id"] != "establishment.missing" for f in manifest["findings"])  # client C2's
    assert {"rule_id", "severity", "plan_id", "session_id", "detail"} <= set(manifest["findings"][0])


def test_terminal_output_has_ids_and_counts_only(request_packet):
    _, _, printed = request_packet
    assert "CR1" in printed and "5 session(s)" in printed
    for phi in (CLIENT_NAME, "Doe", DOB, "Acme", "Rivera", "worry"):
        assert phi not in printed


# --------------------------------------------------------------------------- safety


def test_permissions_and_no_temp_files(request_packet):
    folder, _, _ = request_packet
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700  # created by build_packet
    for name in ("packet.pdf", "manifest.json"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "packet.pdf"]


def test_rebuild_replaces_and_keeps_permissions(db, tmp_path):
    out = tmp_path / "out"
    folder = build(db, out, request_id="CR1")
    folder.chmod(0o755)
    (folder / "packet.pdf").chmod(0o644)
    folder = build(db, out, request_id="CR1")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "packet.pdf").stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "packet.pdf"]


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(request_id="NOPE"), "not in the database"),
        (dict(client_id="C404"), "not in the database"),
        (dict(request_id="CR_GHOST"), "no records"),
        (dict(client_id="C3"), "no sessions or treatment plans"),  # in clients only
        (dict(request_id="CR_EMPTY"), "no sessions from 2024-01-01 to 2024-06-30"),
        (dict(client_id="C1", date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 6, 30)), "no sessions"),
        (dict(request_id="CR_FUTURE"), "received after the as-of date"),
        (dict(client_id="C1", date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 1, 1)), "starts after it ends"),
    ],
)
def test_clear_errors_write_nothing(db, tmp_path, kwargs, words):
    out = tmp_path / "out"
    with pytest.raises(PlanAnalyticsError) as info:
        build(db, out, **kwargs)
    message = str(info.value)
    assert words in message
    assert "\n" not in message and CLIENT_NAME not in message
    assert not out.exists()


# --------------------------------------------------------------------------- periods


def test_client_packet_defaults_to_history_up_to_as_of(db):
    preview = preview_packet(db, as_of=AS_OF, client_id="C1", findings=findings_frame())
    assert preview.packet.folder_name == "C1"
    assert preview.cover["request_id"] is None
    assert (preview.cover["period_from"], preview.cover["period_to"]) == (dt.date(2025, 12, 1), AS_OF)
    # not S07 (after as-of); PL0 covered 2025-01-02..2025-07-01 only
    assert list(preview.sessions["session_id"]) == ["S00", "S01", "S02", "S03", "S04", "S05", "S06"]
    assert list(preview.plans["plan_id"]) == ["PL1"]


def test_client_packet_with_period(db):
    preview = preview_packet(
        db, as_of=AS_OF, client_id="C1", date_from=dt.date(2026, 1, 10), date_to=dt.date(2026, 1, 20),
        findings=findings_frame(),
    )
    assert list(preview.sessions["session_id"]) == ["S02", "S03"]


def test_request_without_period_runs_from_first_session_to_received(db):
    preview = preview_packet(db, as_of=AS_OF, request_id="CR_NOPERIOD", findings=findings_frame())
    assert preview.cover["period_from"] == dt.date(2025, 12, 1)
    assert preview.cover["period_to"] == dt.date(2026, 3, 6)
    assert list(preview.sessions["session_id"]) == ["S00", "S01", "S02", "S03", "S04", "S05", "S06"]


def test_older_as_of_hides_later_records(db):
    preview = preview_packet(db, as_of=dt.date(2026, 1, 15), client_id="C1", findings=findings_frame())
    assert list(preview.sessions["session_id"]) == ["S00", "S01", "S02"]
    assert list(preview.plans["plan_id"]) == ["PL1"]
    assert list(preview.notes["note_id"]) == ["N01", "N02"]


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    "request_id, as_of, due, deadline",
    [
        # Friday 2026-03-06 -> Mon 9, Tue 10, Wed 11
        ("CR1", dt.date(2026, 3, 6), dt.date(2026, 3, 11), "3 business days left"),
        ("CR1", dt.date(2026, 3, 11), dt.date(2026, 3, 11), "due today"),
        # Wed 2026-11-25; Thu 26 Thanksgiving -> Fri 27, Mon 30, Tue Dec 1
        ("CR_THANKS", dt.date(2026, 11, 25), dt.date(2026, 12, 1), "3 business days left"),
        ("CR_THANKS", dt.date(2026, 12, 3), dt.date(2026, 12, 1), "overdue by 2 business days"),
        # Thu 2026-07-02; Fri 3 is the observed Independence Day -> Mon 6, Tue 7, Wed 8
        ("CR_JULY", dt.date(2026, 7, 3), dt.date(2026, 7, 8), "3 business days left"),
        ("CR_JULY", dt.date(2026, 7, 11), dt.date(2026, 7, 8), "overdue by 2 business days"),  # Thu 9, Fri 10
        # fulfilled on Tue 2026-03-10: not yet as of Monday, on time from then on
        ("CR_DONE", dt.date(2026, 3, 9), dt.date(2026, 3, 11), "2 business days left"),
        ("CR_DONE", dt.date(2026, 3, 12), dt.date(2026, 3, 11), "fulfilled on 2026-03-10, on time"),
    ],
)
def test_due_dates_by_hand(db, request_id, as_of, due, deadline):
    preview = preview_packet(db, as_of=as_of, request_id=request_id, findings=findings_frame())
    assert preview.cover["due_date"] == due
    assert preview.cover["deadline"].startswith(deadline)


def test_request_provider_wins(db):
    preview = preview_packet(db, as_of=dt.date(2026, 12, 1), request_id="CR_THANKS", findings=findings_frame())
    assert preview.cover["provider_id"] == "P2"
    assert preview.cover["provider_name"] == "Dr. Sam Okafor"


# --------------------------------------------------------------------------- checklist


def test_checklist_from_hand_made_findings():
    frame = compute_checklist(
        findings_frame(),
        client_id="C1",
        session_ids={"S01", "S02", "S03"},
        plan_ids={"PL1", "PLD"},
        policy=Policy(),
    )
    status = dict(zip(frame["item"], frame["status"]))
    assert status == {
        "Plan established in time": "met",  # C2's establishment finding is not ours
        "Current plan for every session in the period": "not met",
        "Signatures and consent by modality": "not met",
        "Plan complete": "not met",
        "No edits after signing": "met",  # PL0 does not cover the period
        "Unique to the client": "not met",
    }
    detail = dict(zip(frame["item"], frame["detail"]))
    assert detail["Plan complete"] == "Plan PL1 is missing: symptoms, target_date."
    assert "S06" not in detail["Current plan for every session in the period"]


def test_checklist_engine_style_frame_and_not_applicable():
    findings = pd.DataFrame(
        {
            "rule_id": ["consent.verbal_consent_missing"],
            "severity": ["error"],
            "provider_id": ["P1"],
            "client_id": ["C1"],
            "plan_id": ["PL1"],
            "session_id": [None],
            "request_id": [None],
            "due_date": [pd.NaT],
            "days_overdue": [float("nan")],
            "detail": [None],
        }
    )
    rule_status = pd.DataFrame(
        {
            "rule_id": ["integrity.edited_after_signing", "uniqueness.cloned_plan"],
            "status": ["no findings", "not applicable"],
            "reason": ["", "plan_goals was not loaded"],
        }
    )
    frame = compute_checklist(
        findings, client_id="C1", session_ids=set(), plan_ids={"PL1"}, policy=Policy(), rule_status=rule_status
    )
    status = dict(zip(frame["item"], frame["status"]))
    assert status["Signatures and consent by modality"] == "not met"
    assert status["No edits after signing"] == "met"
    assert status["Unique to the client"] == "not checked"
    assert "plan_goals was not loaded" in frame.set_index("item").loc["Unique to the client", "detail"]


def test_checklist_with_no_findings():
    frame = compute_checklist(None, client_id="C1", session_ids={"S1"}, plan_ids={"P"}, policy=Policy())
    assert set(frame["status"]) == {"met"}
    assert len(frame) == 6


def test_chart_text_is_escaped_not_markup(db):
    from plan_analytics.packet_render import render_html

    packet = preview_packet(db, as_of=AS_OF, request_id="CR1", findings=findings_frame()).packet
    packet.contents.scope.client_name = '<img src="http://example.org/x.png">Doe'
    packet.contents.plans[0].symptoms = "</style><script>alert(1)</script>"
    html = render_html(
        packet.contents, packet.checklist, generated_at=packet.generated_at,
        policy_digest="x", chart_review_business_days=3,
    )
    assert "<img" not in html and "<script>" not in html
    assert "&lt;img src=&#34;http://example.org/x.png&#34;&gt;Doe" in html
