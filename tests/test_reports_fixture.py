"""A small hand-checked network for the report tests (no tests in this module).

As of Tuesday 2026-06-30, default policy (plan current for 180 days, establish by session 2):

Provider P1 (Dr. Ada Alpha), worklist, most overdue first:
  1. CLT-1001 Alice Zephyr  establishment.missing  sessions 2026-05-01 and 2026-05-15, no plan;
                            due 2026-05-15, 46 days overdue
  2. CLT-1002 Bob Yarrow    review.overdue         PLAN-B signed 2025-12-01, due 2026-05-30, 31 days
  3. CLT-1003 Carol Xenon   chart_review.late      REQ-77 received Mon 2026-06-01, due Thu 2026-06-04
                                                   (3 business days), still open: 26 days
  then, without days overdue: review.due_soon for CLT-1004 Dan Willow (PLAN-D due 2026-07-04) and
  CLT-1005 Eve Vance (PLAN-E due 2026-07-19), and CLT-1002 coverage.session_without_current_plan
  (session 2026-06-20, PLAN-B expired).
  Reviews due: PLAN-D 2026-07-04 (within 7 days), PLAN-E 2026-07-19 (within 30 days).
  Active episodes: CLT-1001..1005; errors name CLT-1001, 1002, 1003, so compliance 2/5 = 0.4.
Provider P2 (Dr. Ben Beta): CLT-1005 complete and current (compliant); CLT-1004 only a stale unsigned
  draft PLAN-X (signature.unsigned error) after two sessions, so also establishment.missing.
Provider P3 (Dr. Cy Gamma): no sessions.
REQ-88 (CLT-1005, P2) received Fri 2026-06-26, still open, due Wed 2026-07-01: open, not late.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

from staging_fixtures import build_database

AS_OF = dt.date(2026, 6, 30)
CLIENT_NAMES = {
    "CLT-1001": "Alice Zephyr",
    "CLT-1002": "Bob Yarrow",
    "CLT-1003": "Carol Xenon",
    "CLT-1004": "Dan Willow",
    "CLT-1005": "Eve Vance",
}
P1_OVERDUE = [  # (client_id, rule_id, days_overdue) in the order the worklist must show them
    ("CLT-1001", "establishment.missing", 46),
    ("CLT-1002", "review.overdue", 31),
    ("CLT-1003", "chart_review.late", 26),
]

PROVIDERS = """
provider_id, provider_name
P1, Dr. Ada Alpha
P2, Dr. Ben Beta
P3, Dr. Cy Gamma
"""

CLIENTS = "client_id, client_name, date_of_birth, payer\n" + "\n".join(
    f"{cid}, {name}, 1980-01-0{i + 1}, Acme" for i, (cid, name) in enumerate(CLIENT_NAMES.items())
)

SESSIONS = """
session_id, client_id, provider_id, session_start, modality, status
S-A1, CLT-1001, P1, 2026-05-01 10:00, in_person, completed
S-A2, CLT-1001, P1, 2026-05-15 10:00, in_person, completed
S-B1, CLT-1002, P1, 2025-11-24 10:00, in_person, completed
S-B2, CLT-1002, P1, 2025-12-01 10:00, in_person, completed
S-B3, CLT-1002, P1, 2026-06-20 10:00, in_person, completed
S-C1, CLT-1003, P1, 2026-02-20 10:00, in_person, completed
S-C2, CLT-1003, P1, 2026-03-01 10:00, in_person, completed
S-C3, CLT-1003, P1, 2026-06-10 10:00, in_person, completed
S-D1, CLT-1004, P1, 2026-01-02 10:00, in_person, completed
S-D2, CLT-1004, P1, 2026-01-05 10:00, in_person, completed
S-D3, CLT-1004, P1, 2026-06-15 10:00, in_person, completed
S-E1, CLT-1005, P1, 2026-01-15 10:00, in_person, completed
S-E2, CLT-1005, P1, 2026-01-20 10:00, in_person, completed
S-E3, CLT-1005, P1, 2026-06-16 10:00, in_person, completed
S-F1, CLT-1005, P2, 2026-04-01 10:00, telehealth, completed
S-F2, CLT-1005, P2, 2026-04-08 10:00, telehealth, completed
S-F3, CLT-1005, P2, 2026-06-24 10:00, telehealth, completed
S-G1, CLT-1004, P2, 2026-05-04 10:00, telehealth, completed
S-G2, CLT-1004, P2, 2026-05-11 10:00, telehealth, completed
"""

PLAN_TEXT = (
    "individual, Worry that keeps the client from work, F41.1, Restless nights and racing thoughts {n},"
    " Counseling in {n} years before, Cognitive behavioral therapy with weekly review {n}"
)
PLAN_COLUMNS = (
    "plan_id, client_id, provider_id, status, created_at, provider_signed_at, client_signed_at, verbal_consent_at,"
    " therapy_type, reason_for_treatment, diagnosis_codes, symptoms, treatment_history, interventions"
)


def _plan(plan_id, client, provider, signed, client_signed="", verbal="", status="signed"):
    created = signed or "2026-06-01 09:00"
    text = PLAN_TEXT.format(n=plan_id)  # distinct narratives: no clones
    return f"{plan_id}, {client}, {provider}, {status}, {created}, {signed}, {client_signed}, {verbal}, {text}"


PLANS = "\n".join(
    [
        PLAN_COLUMNS,
        _plan("PLAN-B", "CLT-1002", "P1", "2025-12-01 09:00", client_signed="2025-12-01 09:00"),
        _plan("PLAN-C", "CLT-1003", "P1", "2026-03-01 09:00", client_signed="2026-03-01 09:00"),
        _plan("PLAN-D", "CLT-1004", "P1", "2026-01-05 09:00", client_signed="2026-01-05 09:00"),
        _plan("PLAN-E", "CLT-1005", "P1", "2026-01-20 09:00", client_signed="2026-01-20 09:00"),
        _plan("PLAN-F", "CLT-1005", "P2", "2026-04-08 09:00", verbal="2026-04-08 09:00"),
        _plan("PLAN-X", "CLT-1004", "P2", "", status="draft"),
    ]
)

GOALS = "plan_id, goal_number, goal, steps, desired_outcome, target_date\n" + "\n".join(
    f"{plan}, 1, Sleep through the night, Keep a sleep diary, Seven hours of sleep, 2026-12-31"
    for plan in ("PLAN-B", "PLAN-C", "PLAN-D", "PLAN-E", "PLAN-F", "PLAN-X")
)

REQUESTS = """
request_id, payer, client_id, provider_id, received_date, fulfilled_date
REQ-77, Acme, CLT-1003, P1, 2026-06-01,
REQ-88, Acme, CLT-1005, P2, 2026-06-26,
"""


def make_db(path: Path) -> Path:
    con = build_database(
        path,
        {
            "providers": PROVIDERS,
            "clients": CLIENTS,
            "sessions": SESSIONS,
            "treatment_plans": PLANS,
            "plan_goals": GOALS,
            "chart_review_requests": REQUESTS,
        },
    )
    con.close()
    return path


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[list[dict]]:
    """Every table of a page as a list of {header: cell} rows."""
    parser = _Tables()
    parser.feed(html)
    tables = []
    for rows in parser.tables:
        rows = [row for row in rows if row]
        if rows:
            tables.append([dict(zip(rows[0], row)) for row in rows[1:]])
    return tables


def table_with(html: str, column: str) -> list[dict]:
    """The first table that has `column`."""
    return next(table for table in html_tables(html) if table and column in table[0])
