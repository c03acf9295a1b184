"""The auditor's checklist of a packet, computed from the rules engine's findings.

Pure pandas: it takes the findings frame (findings.csv columns) and the ids of the
packet's period, so it can be tested with a hand-made frame and no engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .engine import FINDING_COLUMNS as ENGINE_FINDING_COLUMNS
from .policy import Policy

FINDING_COLUMNS = tuple(ENGINE_FINDING_COLUMNS)  # the spec's findings.csv columns
CHECKLIST_COLUMNS = ("item", "requirement", "status", "findings", "detail")
MET, NOT_MET, NOT_CHECKED = "met", "not met", "not checked"


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    requirement: str
    rules: tuple[str, ...]  # exact rule ids, or prefixes ending with '.'

    def matches(self, rule_id: str) -> bool:
        return any(rule_id == r or (r.endswith(".") and rule_id.startswith(r)) for r in self.rules)


def checklist_items(policy: Policy) -> tuple[ChecklistItem, ...]:
    n = policy.establish_by_session
    return (
        ChecklistItem(
            "establishment",
            "Plan established in time",
            f"A signed treatment plan by the date of completed session {n} of each episode.",
            ("establishment.",),
        ),
        ChecklistItem(
            "coverage",
            "Current plan for every session in the period",
            f"Every completed session after session {n} falls within "
            f"{policy.review_interval_days} days of a signed plan.",
            ("coverage.session_without_current_plan",),
        ),
        ChecklistItem(
            "signatures",
            "Signatures and consent by modality",
            "Signed by the provider; signed by the client for in-person care, "
            "the client's verbal agreement noted for telehealth.",
            ("signature.unsigned", "consent."),
        ),
        ChecklistItem(
            "completeness",
            "Plan complete",
            "Name, date of birth, type of therapy, reason, diagnosis, symptoms, treatment history, "
            "goals with steps, desired outcome and target date, intervention methods.",
            ("completeness.missing_fields",),
        ),
        ChecklistItem(
            "integrity",
            "No edits after signing",
            "A signed plan was not changed after the provider signed it.",
            ("integrity.edited_after_signing",),
        ),
        ChecklistItem(
            "uniqueness",
            "Unique to the client",
            "The plan is written for this client, not copied from another client's plan.",
            ("uniqueness.cloned_plan",),
        ),
    )


def normalize_findings(findings: pd.DataFrame | None) -> pd.DataFrame:
    """Every findings.csv column present, as text, empty string for null."""
    if findings is None:
        findings = pd.DataFrame(columns=list(FINDING_COLUMNS))
    frame = findings.copy()
    for col in FINDING_COLUMNS:
        if col not in frame.columns:
            frame[col] = ""
    frame = frame[list(FINDING_COLUMNS)]

    def as_text(value) -> str:
        if value is None:
            return ""
        try:
            if pd.isna(value):
                return ""
        except (TypeError, ValueError):
            pass
        if hasattr(value, "isoformat") and not isinstance(value, str):
            return value.date().isoformat() if hasattr(value, "hour") else value.isoformat()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()

    return frame.map(as_text).reset_index(drop=True)


def findings_for_client(
    findings: pd.DataFrame | None,
    *,
    client_id: str,
    session_ids: set[str],
    plan_ids: set[str],
) -> pd.DataFrame:
    """The client's findings, with `in_period`: a finding that names a session counts when
    the session is in the packet's period; else one that names a plan counts when the plan
    covers (or, unsigned, belongs to) the period; a finding naming neither counts."""
    frame = normalize_findings(findings)
    frame = frame[frame["client_id"] == client_id].copy()

    def in_period(row) -> bool:
        if row["session_id"]:
            return row["session_id"] in session_ids
        if row["plan_id"]:
            return row["plan_id"] in plan_ids
        return True

    frame["in_period"] = frame.apply(in_period, axis=1).astype(bool) if len(frame) else pd.Series(dtype=bool)
    return frame.reset_index(drop=True)


def describe_finding(row: pd.Series) -> str:
    """One line for the PDF. Never names another client's records (cloned_plan's detail
    holds another client's plan id, so it is left out here)."""
    rule, plan, session = row["rule_id"], row["plan_id"], row["session_id"]
    due = f" (due {row['due_date']})" if row.get("due_date") else ""
    if rule == "establishment.missing":
        return f"No signed plan by completed session {session}{due}."
    if rule == "establishment.late":
        days = row.get("days_overdue")
        late = f" {days} days" if days else ""
        return f"Plan {plan} was signed{late} after completed session {session}{due}."
    if rule == "coverage.session_without_current_plan":
        return f"Session {session} has no current signed plan."
    if rule == "signature.unsigned":
        return f"Plan {plan} is not signed by the provider."
    if rule == "consent.client_signature_missing":
        return f"Plan {plan}: the client's signature is missing (in-person care)."
    if rule == "consent.verbal_consent_missing":
        return f"Plan {plan}: neither the client's signature nor verbal consent is noted (telehealth)."
    if rule == "completeness.missing_fields":
        missing = [f.strip() for f in row["detail"].split(";") if f.strip()]
        return f"Plan {plan} is missing: {', '.join(missing) or 'fields'}."
    if rule == "integrity.edited_after_signing":
        return f"Plan {plan} was edited after the provider signed it."
    if rule == "uniqueness.cloned_plan":
        return f"Plan {plan} closely matches another client's plan."
    subject = f"Plan {plan}" if plan else f"Session {session}" if session else "Chart"
    return f"{subject}: {rule}."


def compute_checklist(
    findings: pd.DataFrame | None,
    *,
    client_id: str,
    session_ids: set[str],
    plan_ids: set[str],
    policy: Policy,
    rule_status: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per checklist item: item, requirement, status (met / not met / not checked),
    findings (count) and detail (one line per finding, newline-separated).

    An item is 'not checked' only when the engine reports every one of its rules as
    'not applicable' (e.g. an optional file was absent) and nothing was found."""
    relevant = findings_for_client(findings, client_id=client_id, session_ids=session_ids, plan_ids=plan_ids)
    relevant = relevant[relevant["in_period"]] if len(relevant) else relevant
    statuses: dict[str, tuple[str, str]] = {}
    if rule_status is not None and len(rule_status):
        for _, r in rule_status.iterrows():
            statuses[str(r["rule_id"])] = (str(r.get("status", "")), str(r.get("reason", "") or ""))

    rows = []
    for item in checklist_items(policy):
        hits = relevant[relevant["rule_id"].map(item.matches)] if len(relevant) else relevant
        hits = hits.sort_values(["rule_id", "plan_id", "session_id"]) if len(hits) else hits
        if len(hits):
            status = NOT_MET
            detail = "\n".join(describe_finding(r) for _, r in hits.iterrows())
        else:
            mine = {rid: st for rid, st in statuses.items() if item.matches(rid)}
            if mine and all(st == "not applicable" for st, _ in mine.values()):
                status = NOT_CHECKED
                reasons = sorted({reason for _, reason in mine.values() if reason})
                detail = "; ".join(reasons) or "The records needed for this check were not loaded."
            else:
                status, detail = MET, ""
        rows.append(
            {
                "item": item.title,
                "requirement": item.requirement,
                "status": status,
                "findings": int(len(hits)),
                "detail": detail,
            }
        )
    return pd.DataFrame(rows, columns=list(CHECKLIST_COLUMNS))
