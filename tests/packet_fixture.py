"""A tiny hand-written chart for the packet tests, inserted straight into the stg_ tables.

Client C1 (Jane Q. Doe) is seen by provider P1. Request CR1 was received on Friday
2026-03-06 for records 2026-01-01..2026-02-28; the tests run as of Monday 2026-03-09.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from plan_analytics.db import connect

D = dt.date
T = dt.datetime
AS_OF = D(2026, 3, 9)
CLIENT_NAME = "Jane Q. Doe"
DOB = "1985-04-12"

PROVIDERS = [
    {"provider_id": "P1", "provider_name": "Dr. Alex Rivera", "npi": None},
    {"provider_id": "P2", "provider_name": "Dr. Sam Okafor", "npi": None},
]
CLIENTS = [
    {"client_id": "C1", "client_name": CLIENT_NAME, "date_of_birth": D(1985, 4, 12), "payer": "Acme Health Plan"},
    {"client_id": "C2", "client_name": "Robert Roe", "date_of_birth": D(1990, 1, 1), "payer": "Acme Health Plan"},
    {"client_id": "C3", "client_name": "Nora Nobody", "date_of_birth": D(1970, 5, 5), "payer": None},
]


def _session(sid, client, start, modality="in_person", status="completed", cpt="90837", provider="P1"):
    return {
        "session_id": sid,
        "client_id": client,
        "provider_id": provider,
        "session_start": start,
        "modality": modality,
        "status": status,
        "cpt_code": cpt,
    }


SESSIONS = [
    _session("S00", "C1", T(2025, 12, 1, 9, 0), cpt="90791"),  # before the period
    _session("S01", "C1", T(2026, 1, 5, 10, 0), cpt="90791"),
    _session("S02", "C1", T(2026, 1, 12, 10, 0)),
    _session("S03", "C1", T(2026, 1, 19, 14, 30), modality="telehealth"),
    _session("S04", "C1", T(2026, 1, 26, 10, 0), status="cancelled", cpt=None),
    _session("S05", "C1", T(2026, 2, 2, 10, 0), modality="telehealth"),
    _session("S06", "C1", T(2026, 3, 2, 10, 0)),  # after the period
    _session("S07", "C1", T(2026, 3, 20, 10, 0), status="scheduled"),  # after as-of
    _session("S90", "C2", T(2026, 1, 7, 11, 0), provider="P2"),
]

PL1 = {
    "plan_id": "PL1",
    "client_id": "C1",
    "provider_id": "P1",
    "status": "signed",
    "created_at": T(2026, 1, 8, 9, 0),
    "updated_at": T(2026, 1, 10, 16, 0),
    "provider_signed_at": T(2026, 1, 10, 16, 0),
    "client_signed_at": T(2026, 1, 10, 15, 45),
    "verbal_consent_at": None,
    "therapy_type": "individual",
    "reason_for_treatment": "Persistent worry interfering with work since the spring",
    "symptoms": "Restlessness, muscle tension and insomnia most nights",
    "treatment_history": "Six sessions of counseling at a college clinic in 2019",
    "interventions": "Cognitive behavioral therapy with weekly homework review",
    "diagnosis_codes": "F411; f32.1, X12.3",
}
PL0 = {  # signed long before the period: its coverage ended 2025-07-01
    **PL1,
    "plan_id": "PL0",
    "created_at": T(2024, 12, 20, 9, 0),
    "updated_at": T(2025, 1, 2, 9, 0),
    "provider_signed_at": T(2025, 1, 2, 9, 0),
    "client_signed_at": T(2025, 1, 2, 9, 0),
    "reason_for_treatment": "Old plan reason OLDPLANTEXT",
}
PLD = {  # a draft of the period
    **PL1,
    "plan_id": "PLD",
    "status": "draft",
    "created_at": T(2026, 2, 10, 9, 0),
    "updated_at": T(2026, 2, 10, 9, 0),
    "provider_signed_at": None,
    "client_signed_at": None,
    "reason_for_treatment": "Draft reason DRAFTTEXT",
}
PLF = {  # signed after as-of: on the as-of date it is still a draft
    **PL1,
    "plan_id": "PLF",
    "status": "signed",
    "created_at": T(2026, 2, 20, 9, 0),
    "updated_at": T(2026, 3, 15, 9, 0),
    "provider_signed_at": T(2026, 3, 15, 9, 0),
    "client_signed_at": T(2026, 3, 15, 9, 0),
    "reason_for_treatment": "Future signature reason FUTURETEXT",
}
PLAN_C2 = {**PL1, "plan_id": "PL_C2", "client_id": "C2", "provider_id": "P2", "reason_for_treatment": "OTHERCLIENT"}
PLANS = [PL0, PL1, PLD, PLF, PLAN_C2]

GOALS = [
    {
        "plan_id": "PL1",
        "goal_number": 2,
        "goal": "Sleep through the night at least five nights a week",
        "steps": "Keep a sleep diary\nNo screens after 10 pm",
        "desired_outcome": "Rested on waking",
        "target_date": D(2026, 5, 1),
    },
    {
        "plan_id": "PL1",
        "goal_number": 1,
        "goal": "Reduce daily worry episodes",
        "steps": "Practice diaphragmatic breathing twice daily\nRecord worry triggers in a journal\nChallenge one anxious thought per day",
        "desired_outcome": "Worry rated below 3 of 10 on most days",
        "target_date": D(2026, 4, 15),
    },
]

NOTES = [
    {"note_id": "N01", "session_id": "S01", "signed_at": T(2026, 1, 5, 17, 0), "goals_addressed": None},
    {"note_id": "N02", "session_id": "S02", "signed_at": T(2026, 1, 12, 17, 0), "goals_addressed": "1"},
    {"note_id": "N03", "session_id": "S03", "signed_at": T(2026, 3, 20, 9, 0), "goals_addressed": "1;2"},  # signed after as-of
    {"note_id": "N05", "session_id": "S05", "signed_at": None, "goals_addressed": "2"},  # unsigned
    {"note_id": "N06", "session_id": "S06", "signed_at": T(2026, 3, 2, 17, 0), "goals_addressed": "2"},  # outside period
]

REQUESTS = [
    {"request_id": "CR1", "payer": "Acme Health Plan", "client_id": "C1", "provider_id": None,
     "received_date": D(2026, 3, 6), "records_from": D(2026, 1, 1), "records_to": D(2026, 2, 28),
     "fulfilled_date": None},
    {"request_id": "CR_NOPERIOD", "payer": "Acme Health Plan", "client_id": "C1", "provider_id": None,
     "received_date": D(2026, 3, 6), "records_from": None, "records_to": None, "fulfilled_date": None},
    {"request_id": "CR_DONE", "payer": "Acme Health Plan", "client_id": "C1", "provider_id": None,
     "received_date": D(2026, 3, 6), "records_from": D(2026, 1, 1), "records_to": D(2026, 2, 28),
     "fulfilled_date": D(2026, 3, 10)},
    {"request_id": "CR_THANKS", "payer": "Acme", "client_id": "C1", "provider_id": "P2",
     "received_date": D(2026, 11, 25), "records_from": D(2026, 1, 1), "records_to": D(2026, 2, 28),
     "fulfilled_date": None},
    {"request_id": "CR_JULY", "payer": "Acme", "client_id": "C1", "provider_id": None,
     "received_date": D(2026, 7, 2), "records_from": D(2026, 1, 1), "records_to": D(2026, 2, 28),
     "fulfilled_date": None},
    {"request_id": "CR_FUTURE", "payer": "Acme", "client_id": "C1", "provider_id": None,
     "received_date": D(2026, 4, 1), "records_from": None, "records_to": None, "fulfilled_date": None},
    {"request_id": "CR_EMPTY", "payer": "Acme", "client_id": "C1", "provider_id": None,
     "received_date": D(2026, 3, 6), "records_from": D(2024, 1, 1), "records_to": D(2024, 6, 30),
     "fulfilled_date": None},
    {"request_id": "CR_GHOST", "payer": "Acme", "client_id": "C404", "provider_id": None,
     "received_date": D(2026, 3, 6), "records_from": None, "records_to": None, "fulfilled_date": None},
]

TABLES = {
    "stg_providers": PROVIDERS,
    "stg_clients": CLIENTS,
    "stg_sessions": SESSIONS,
    "stg_treatment_plans": PLANS,
    "stg_plan_goals": GOALS,
    "stg_progress_notes": NOTES,
    "stg_chart_review_requests": REQUESTS,
}


def insert(con, table: str, rows: list[dict]) -> None:
    for row in rows:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        con.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values()))


def make_db(path: Path) -> Path:
    con = connect(path)
    try:
        for table, rows in TABLES.items():
            insert(con, table, rows)
            # the engine judges which optional files were loaded from the load manifest
            con.execute(
                "INSERT INTO load_manifest (load_id, record_type, source_file) VALUES (0, ?, 'fixture')",
                [table.removeprefix("stg_")],
            )
    finally:
        con.close()
    return path


def findings_frame() -> pd.DataFrame:
    """Hand-made engine output: some findings of C1 in the period, some outside, one of C2."""
    rows = [
        # in the period
        ("coverage.session_without_current_plan", "error", "P1", "C1", "", "S02", "", "", "", ""),
        ("completeness.missing_fields", "error", "P1", "C1", "PL1", "", "", "", "", "symptoms;target_date"),
        ("uniqueness.cloned_plan", "error", "P1", "C1", "PL1", "", "", "", "", "PL_C2"),
        ("signature.unsigned", "warning", "P1", "C1", "PLD", "", "", "", "", ""),
        # outside the period: a session after it, a plan that does not cover it
        ("coverage.session_without_current_plan", "error", "P1", "C1", "", "S06", "", "", "", ""),
        ("integrity.edited_after_signing", "error", "P1", "C1", "PL0", "", "", "", "", ""),
        # another client
        ("establishment.missing", "error", "P2", "C2", "", "S90", "", "2026-01-07", "61", ""),
    ]
    return pd.DataFrame(
        rows,
        columns=["rule_id", "severity", "provider_id", "client_id", "plan_id", "session_id",
                 "request_id", "due_date", "days_overdue", "detail"],
    )
