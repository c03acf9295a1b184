"""Chart-review packets: what an insurer asked for, as one PDF and a manifest.

    build_packet(db, as_of=..., policy=..., request_id="CR0001", out_dir=Path("packets"))
        -> packets/CR0001/packet.pdf and packets/CR0001/manifest.json

The packet holds protected health information: the folder is 0700, the files 0600 and
written atomically; the terminal gets ids and counts only. Any user error (unknown
request or client, no records, no sessions in the period) is one PlanAnalyticsError
sentence and nothing is written.

`preview_packet` returns the same content as frames for the notebook.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import zoneinfo
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from . import __version__
from .db import connect
from .errors import PlanAnalyticsError
from .packet_checklist import compute_checklist, findings_for_client, normalize_findings
from .packet_data import PacketContents, PacketRequest, gather
from .packet_render import render_html, render_pdf
from .policy import Policy

PDF_NAME = "packet.pdf"
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "plan-analytics chart-review packet manifest v1"


# --------------------------------------------------------------------------- findings


def evaluate_findings(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, policy: Policy
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(findings, rule_status) from the rules engine, as of the packet's date."""
    try:
        from . import engine
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.engine":
            raise
        raise PlanAnalyticsError(
            "The rules engine (plan_analytics.engine) is not installed, so the checklist cannot be judged."
        ) from None
    evaluation = engine.evaluate(con, as_of, policy)
    return evaluation.findings, getattr(evaluation, "rule_status", None)


def read_findings_csv(path: Path | str) -> pd.DataFrame:
    """A findings.csv written by `plan-analytics check` (for the same as-of date)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise PlanAnalyticsError(f"Findings file {path} does not exist.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        raise PlanAnalyticsError(f"Findings file {path} is not a findings.csv.") from None
    missing = {"rule_id", "severity", "client_id", "plan_id", "session_id"} - set(frame.columns)
    if missing:
        raise PlanAnalyticsError(f"Findings file {path} lacks the column(s) {', '.join(sorted(missing))}.")
    return frame


# --------------------------------------------------------------------------- assembly


@dataclass
class Packet:
    """Everything a packet holds, before it is written."""

    contents: PacketContents
    checklist: pd.DataFrame
    client_findings: pd.DataFrame  # the client's open findings, with in_period
    generated_at: str
    policy: Policy
    include_drafts: bool = False

    @property
    def folder_name(self) -> str:
        return safe_folder_name(self.contents.scope.packet_key)


def assemble_from_database(
    db: Path | str, ask: PacketRequest, findings: pd.DataFrame | None, rule_status: pd.DataFrame | None
) -> "Packet":
    """`assemble` on a read-only connection that is closed again before any file is written."""
    con = connect(db, read_only=True)
    try:
        return assemble(con, ask, findings=findings, rule_status=rule_status)
    finally:
        con.close()


def assemble(
    con: duckdb.DuckDBPyConnection,
    ask: PacketRequest,
    *,
    findings: pd.DataFrame | None = None,
    rule_status: pd.DataFrame | None = None,
) -> Packet:
    as_of, policy, include_drafts = ask.as_of, ask.policy, ask.include_drafts
    contents = gather(con, ask)
    if findings is None:
        findings, rule_status = evaluate_findings(con, as_of, policy)
    findings = normalize_findings(findings)
    ids = dict(
        client_id=contents.scope.client_id,
        session_ids=contents.session_ids,
        plan_ids=contents.period_plan_ids,
    )
    checklist = compute_checklist(findings, policy=policy, rule_status=rule_status, **ids)
    client_findings = findings_for_client(findings, **ids)
    generated_at = dt.datetime.now(zoneinfo.ZoneInfo(policy.timezone)).isoformat(timespec="seconds")
    return Packet(contents, checklist, client_findings, generated_at, policy, include_drafts)


def safe_folder_name(key: str) -> str:
    """A request or client id as one folder name: no separators, no '..', no hidden names."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", key).lstrip(".")
    return name or "_"


def manifest(packet: Packet, pdf: bytes, pages: int) -> dict[str, Any]:
    scope = packet.contents.scope
    findings = [
        {
            "rule_id": r["rule_id"],
            "severity": r["severity"],
            "plan_id": r["plan_id"] or None,
            "session_id": r["session_id"] or None,
            "detail": r["detail"] or None,
            "in_period": bool(r["in_period"]),
        }
        for _, r in packet.client_findings.iterrows()
    ]
    return {
        "format": MANIFEST_FORMAT,
        "tool_version": __version__,
        "request_id": scope.request_id,
        "client_id": scope.client_id,
        "provider_id": scope.provider_id,
        "period": {"from": scope.period_from.isoformat(), "to": scope.period_to.isoformat()},
        "received_date": scope.received_date.isoformat() if scope.received_date else None,
        "due_date": scope.due_date.isoformat() if scope.due_date else None,
        "as_of": scope.as_of.isoformat(),
        "generated_at": packet.generated_at,
        "policy_digest": packet.policy.digest(),
        "include_drafts": packet.include_drafts,
        "plan_ids": [p.plan_id for p in packet.contents.plans],
        "draft_plan_ids": [p.plan_id for p in packet.contents.plans if p.is_draft],
        "session_ids": [s.session_id for s in packet.contents.sessions],
        "note_ids": [n.note_id for n in packet.contents.notes],
        "pdf": {"file": PDF_NAME, "sha256": hashlib.sha256(pdf).hexdigest(), "pages": pages},
        "checklist": [
            {"item": r["item"], "status": r["status"], "findings": int(r["findings"])}
            for _, r in packet.checklist.iterrows()
        ],
        "findings": findings,
    }


# --------------------------------------------------------------------------- writing


def _write_private(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same folder, make it 0600, then rename over `path`."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _private_folder(folder: Path) -> None:
    """Create the folder (and missing parents) owner-only; an existing packet folder is
    tightened to 0700 as well, since it holds PHI."""
    old_umask = os.umask(0o077)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    finally:
        os.umask(old_umask)
    folder.chmod(0o700)


@dataclass(frozen=True)
class PacketResult:
    """Where a packet was written. `outputs` lists the files (the CLI's audit trail hashes them)."""

    folder: Path
    pdf_path: Path
    manifest_path: Path
    pdf_sha256: str
    pages: int

    @property
    def outputs(self) -> list[Path]:
        return [self.pdf_path, self.manifest_path]


def write_packet(packet: Packet, out_dir: Path | str) -> PacketResult:
    """Render and write DIR/<request or client>/packet.pdf and manifest.json."""
    c = packet.contents
    html = render_html(
        c,
        packet.checklist,
        generated_at=packet.generated_at,
        policy_digest=packet.policy.digest(),
        chart_review_business_days=packet.policy.chart_review_business_days,
    )
    rendered = render_pdf(html)  # in memory: a rendering failure leaves no file behind
    doc = manifest(packet, rendered.data, rendered.pages)
    folder = Path(out_dir) / packet.folder_name
    _private_folder(folder)
    _write_private(folder / PDF_NAME, rendered.data)
    _write_private(folder / MANIFEST_NAME, (json.dumps(doc, indent=2) + "\n").encode("utf-8"))
    return PacketResult(folder, folder / PDF_NAME, folder / MANIFEST_NAME, doc["pdf"]["sha256"], rendered.pages)


# --------------------------------------------------------------------------- public API


def build_packet(
    db: Path | str,
    *,
    as_of: dt.date,
    policy: Policy | None = None,
    request_id: str | None = None,
    client_id: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    out_dir: Path | str,
    include_drafts: bool = False,
    console=None,
    findings: pd.DataFrame | None = None,
    rule_status: pd.DataFrame | None = None,
) -> PacketResult:
    """Build the chart-review packet of a request (or of a client and period) as of a date.

    Writes OUT_DIR/<request_id or client_id>/packet.pdf and manifest.json and returns a
    PacketResult (folder, pdf_path, manifest_path, outputs). `findings`/`rule_status`
    default to the rules engine's evaluation as of `as_of` (pass them to reuse a run).
    Raises PlanAnalyticsError, writing nothing, for an unknown request or client, a client
    without records, or a period without sessions.
    """
    ask = PacketRequest(as_of, policy or Policy(), request_id, client_id, date_from, date_to, include_drafts)
    packet = assemble_from_database(db, ask, findings, rule_status)
    result = write_packet(packet, out_dir)
    if console is not None:
        c = packet.contents
        not_met = int((packet.checklist["status"] == "not met").sum())
        drafts = sum(1 for p in c.plans if p.is_draft)
        in_period = int(packet.client_findings["in_period"].sum()) if len(packet.client_findings) else 0
        # ids and counts only: nothing of the chart itself reaches the terminal.
        console.print(
            f"Packet {packet.folder_name}: client {c.scope.client_id}, "
            f"{len(c.plans)} plan(s){f' ({drafts} draft)' if drafts else ''}, "
            f"{len(c.sessions)} session(s), {len(c.notes)} signed note(s), "
            f"{not_met} checklist item(s) not met, "
            f"{in_period} open finding(s) in the period.",
            highlight=False,
        )
        console.print(f"Wrote {result.pdf_path} and {result.manifest_path}", highlight=False)
    return result


@dataclass
class PacketPreview:
    """The packet's content as frames, for the notebook (nothing is written)."""

    cover: dict[str, Any]
    checklist: pd.DataFrame
    plans: pd.DataFrame
    goals: pd.DataFrame
    sessions: pd.DataFrame
    notes: pd.DataFrame
    findings: pd.DataFrame
    packet: Packet


def preview(packet: Packet) -> PacketPreview:
    c = packet.contents
    s = c.scope
    cover = {
        "payer": s.payer,
        "request_id": s.request_id,
        "received_date": s.received_date,
        "due_date": s.due_date,
        "deadline": s.deadline_text or None,
        "fulfilled_date": s.fulfilled_date,
        "provider_id": s.provider_id,
        "provider_name": s.provider_name,
        "client_id": s.client_id,
        "client_name": s.client_name,
        "date_of_birth": s.date_of_birth,
        "period_from": s.period_from,
        "period_to": s.period_to,
        "as_of": s.as_of,
        "generated_at": packet.generated_at,
    }
    plans = pd.DataFrame(
        [
            {
                "plan_id": p.plan_id,
                "draft": p.is_draft,
                "provider_id": p.provider_id,
                "signed_at": p.provider_signed_at,
                "covers_from": p.covers_from,
                "covers_to": p.covers_to,
                "therapy_type": p.therapy_type,
                "diagnoses": "; ".join(f"{d.code} {d.description}" for d in p.diagnoses),
                "goals": len(p.goals),
                "client_signed_at": p.client_signed_at,
                "verbal_consent_at": p.verbal_consent_at,
            }
            for p in c.plans
        ],
        columns=[
            "plan_id", "draft", "provider_id", "signed_at", "covers_from", "covers_to",
            "therapy_type", "diagnoses", "goals", "client_signed_at", "verbal_consent_at",
        ],
    )
    goals = pd.DataFrame(
        [{"plan_id": p.plan_id, **asdict(g), "steps": len(g.steps)} for p in c.plans for g in p.goals],
        columns=["plan_id", "goal_number", "goal", "steps", "desired_outcome", "target_date"],
    )
    sessions = pd.DataFrame(
        [
            {
                "session_id": x.session_id,
                "date": x.date,
                "time": x.time,
                "modality": x.modality,
                "status": x.status,
                "cpt_code": x.cpt_code,
                "provider_id": x.provider_id,
            }
            for x in c.sessions
        ],
        columns=["session_id", "date", "time", "modality", "status", "cpt_code", "provider_id"],
    )
    notes = pd.DataFrame(
        [asdict(n) for n in c.notes],
        columns=["note_id", "session_id", "session_date", "signed_at", "goals_addressed"],
    )
    return PacketPreview(cover, packet.checklist, plans, goals, sessions, notes, packet.client_findings, packet)


def preview_packet(
    db: Path | str,
    *,
    as_of: dt.date,
    policy: Policy | None = None,
    request_id: str | None = None,
    client_id: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    include_drafts: bool = False,
    findings: pd.DataFrame | None = None,
    rule_status: pd.DataFrame | None = None,
) -> PacketPreview:
    """What build_packet would put in the packet, as a cover dict and frames; writes nothing."""
    ask = PacketRequest(as_of, policy or Policy(), request_id, client_id, date_from, date_to, include_drafts)
    packet = assemble_from_database(db, ask, findings, rule_status)
    return preview(packet)
