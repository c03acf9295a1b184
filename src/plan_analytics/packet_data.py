"""What goes into a chart-review packet: the scope of a request (or a client) and the
records of that client, read from the typed stg_ tables as they stood on the as-of date.

Everything here is plain data (dataclasses of Python values) so that rendering, the
manifest and the notebook preview share one reading of the database.

As-of semantics (compliance-rules.md): an event belongs to the as-of date when its local
date is <= as-of; anything dated later does not exist yet (sessions, plans created later,
signatures, consents).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb
import simple_icd_10_cm as icd

from . import icd10
from .business_days import add_business_days, business_days_between
from .errors import PlanAnalyticsError
from .policy import Policy

NOT_BILLABLE = "not a billable ICD-10-CM code"


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Diagnosis:
    code: str  # as displayed: canonical dotted form when known, else as written (upper-cased)
    description: str
    billable: bool


@dataclass
class Goal:
    goal_number: int
    goal: str | None
    steps: list[str]
    desired_outcome: str | None
    target_date: dt.date | None


@dataclass
class Plan:
    plan_id: str
    provider_id: str
    provider_name: str | None
    created_at: dt.datetime
    provider_signed_at: dt.datetime | None  # None when not signed as of the as-of date
    client_signed_at: dt.datetime | None  # None when absent or dated after as-of
    verbal_consent_at: dt.datetime | None  # idem
    therapy_type: str | None
    reason_for_treatment: str | None
    symptoms: str | None
    treatment_history: str | None
    interventions: str | None
    diagnosis_codes: str | None
    diagnoses: list[Diagnosis] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    covers_from: dt.date | None = None  # signed date
    covers_to: dt.date | None = None  # signed date + review_interval_days

    @property
    def is_draft(self) -> bool:
        return self.provider_signed_at is None


@dataclass
class Session:
    session_id: str
    provider_id: str
    session_start: dt.datetime
    modality: str | None
    status: str
    cpt_code: str | None

    @property
    def date(self) -> dt.date:
        return self.session_start.date()

    @property
    def time(self) -> str:
        # A date-only session_start is stored as 00:00: show no time rather than midnight.
        t = self.session_start.time()
        return "" if t == dt.time(0, 0) else t.strftime("%H:%M")


@dataclass
class Note:
    note_id: str
    session_id: str
    session_date: dt.date
    signed_at: dt.datetime
    goals_addressed: str | None


@dataclass
class Scope:
    """Who and which period a packet covers, and the request's deadline."""

    client_id: str
    period_from: dt.date
    period_to: dt.date
    as_of: dt.date
    request_id: str | None = None
    payer: str | None = None
    received_date: dt.date | None = None
    due_date: dt.date | None = None
    business_days_left: int | None = None  # negative when overdue
    fulfilled_date: dt.date | None = None
    provider_id: str | None = None
    provider_name: str | None = None
    client_name: str | None = None
    date_of_birth: dt.date | None = None

    @property
    def packet_key(self) -> str:
        return self.request_id or self.client_id

    @property
    def deadline_text(self) -> str:
        """'3 business days left', 'due today', 'overdue by 2 business days' or ''."""
        if self.due_date is None or self.business_days_left is None:
            return ""
        if self.fulfilled_date is not None:
            if self.fulfilled_date <= self.due_date:
                return f"fulfilled on {self.fulfilled_date.isoformat()}, on time"
            return f"fulfilled on {self.fulfilled_date.isoformat()}, after the due date"
        left = self.business_days_left
        if self.as_of <= self.due_date:
            if self.as_of == self.due_date:
                return f"due today ({self.as_of.isoformat()})"
            return f"{left} business day{'s' if left != 1 else ''} left as of {self.as_of.isoformat()}"
        late = -left
        if late == 0:  # e.g. due on a Friday, as-of the Saturday after
            return f"overdue since {self.due_date.isoformat()} as of {self.as_of.isoformat()}"
        return f"overdue by {late} business day{'s' if late != 1 else ''} as of {self.as_of.isoformat()}"


@dataclass
class PacketContents:
    scope: Scope
    plans: list[Plan]  # plans printed in the packet (drafts only when included)
    draft_plans: list[Plan]  # unsigned plans relevant to the period (printed or not)
    sessions: list[Session]
    notes: list[Note]

    @property
    def period_plan_ids(self) -> set[str]:
        """Plans a finding may name and still belong to this packet's period."""
        return {p.plan_id for p in self.plans} | {p.plan_id for p in self.draft_plans}

    @property
    def session_ids(self) -> set[str]:
        return {s.session_id for s in self.sessions}


# --------------------------------------------------------------------------- helpers


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> dict[str, Any] | None:
    rows = _rows(con, sql, params)
    return rows[0] if rows else None


def text_or_none(value: Any) -> str | None:
    """Text as written (a placeholder such as 'TBD' is printed as it stands in the chart:
    the completeness rule, not the packet, judges it); empty -> None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _not_after(ts: dt.datetime | None, as_of: dt.date) -> dt.datetime | None:
    """A timestamp dated after the as-of date does not exist yet."""
    if ts is None or ts.date() > as_of:
        return None
    return ts


def split_lines(value: str | None) -> list[str]:
    if not value:
        return []
    return [line.strip() for line in str(value).splitlines() if line.strip()]


def describe_diagnoses(codes: str | None) -> list[Diagnosis]:
    """ICD-10-CM codes separated by ';' or ',', with or without the dot, case-insensitive.
    Billable means what the completeness rule means (plan_analytics.icd10)."""
    if not codes:
        return []
    out = []
    for token in codes.replace(",", ";").split(";"):
        raw = token.strip().upper()
        if not raw:
            continue
        bare = icd10.normalize(raw)
        known = icd10.description(bare)
        shown = icd.add_dot(bare) if known else raw
        if icd10.is_billable(bare):
            out.append(Diagnosis(shown, known or "", True))
        elif known:  # a category or block: a real heading, but not a billable code
            out.append(Diagnosis(shown, f"{known} ({NOT_BILLABLE})", False))
        else:
            out.append(Diagnosis(raw, NOT_BILLABLE, False))
    return out


# --------------------------------------------------------------------------- scope


def _client_exists(con: duckdb.DuckDBPyConnection, client_id: str) -> bool:
    row = _one(
        con,
        """SELECT (SELECT count(*) FROM stg_clients WHERE client_id = $c)
                + (SELECT count(*) FROM stg_sessions WHERE client_id = $c)
                + (SELECT count(*) FROM stg_treatment_plans WHERE client_id = $c) AS n""",
        {"c": client_id},
    )
    return bool(row and row["n"])


def _latest_completed_provider(
    con: duckdb.DuckDBPyConnection, client_id: str, on_or_before: dt.date
) -> str | None:
    row = _one(
        con,
        """SELECT provider_id FROM stg_sessions
           WHERE client_id = $c AND status = 'completed'
             AND CAST(session_start AS DATE) <= $d
           ORDER BY session_start DESC, session_id DESC LIMIT 1""",
        {"c": client_id, "d": on_or_before},
    )
    return row["provider_id"] if row else None


def _first_session_date(con: duckdb.DuckDBPyConnection, client_id: str, as_of: dt.date) -> dt.date | None:
    row = _one(
        con,
        """SELECT min(CAST(session_start AS DATE)) AS d FROM stg_sessions
           WHERE client_id = $c AND CAST(session_start AS DATE) <= $a""",
        {"c": client_id, "a": as_of},
    )
    return row["d"] if row else None


@dataclass(frozen=True)
class PacketRequest:
    """What the user asked for: an insurer's request, or a client and period, as of a date."""

    as_of: dt.date
    policy: Policy
    request_id: str | None = None
    client_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_drafts: bool = False


def resolve_scope(con: duckdb.DuckDBPyConnection, ask: PacketRequest) -> Scope:
    """The client, period, provider and deadline of a packet. Raises PlanAnalyticsError with
    one sentence (ids only, never chart content) for anything the user has to fix."""
    as_of, policy, request_id, client_id = ask.as_of, ask.policy, ask.request_id, ask.client_id
    date_from, date_to = ask.date_from, ask.date_to
    if (request_id is None) == (client_id is None):
        raise PlanAnalyticsError("Give exactly one of a chart-review request id or a client id.")

    if request_id is not None:
        if date_from is not None or date_to is not None:
            raise PlanAnalyticsError(
                "A chart-review request sets its own period; --from and --to go with --client only."
            )
        req = _one(
            con,
            "SELECT * FROM stg_chart_review_requests WHERE request_id = $r",
            {"r": request_id},
        )
        if req is None:
            raise PlanAnalyticsError(f"Chart-review request {request_id} is not in the database.")
        if req["received_date"] > as_of:
            raise PlanAnalyticsError(
                f"Chart-review request {request_id} was received after the as-of date {as_of.isoformat()}."
            )
        client_id = req["client_id"]
        received = req["received_date"]
        if not _client_exists(con, client_id):
            raise PlanAnalyticsError(
                f"Client {client_id} of chart-review request {request_id} has no records in the database."
            )
        first = _first_session_date(con, client_id, as_of)
        period_from = req["records_from"] or first
        period_to = req["records_to"] or received
        provider_id = text_or_none(req["provider_id"]) or _latest_completed_provider(
            con, client_id, min(received, as_of)
        )
        due = add_business_days(received, policy.chart_review_business_days, policy.holiday_calendar)
        left = business_days_between(as_of, due, policy.holiday_calendar)
        fulfilled = req["fulfilled_date"] if req["fulfilled_date"] and req["fulfilled_date"] <= as_of else None
        scope = Scope(
            client_id=client_id,
            period_from=period_from,  # may be None until checked below
            period_to=period_to,
            as_of=as_of,
            request_id=request_id,
            payer=text_or_none(req["payer"]),
            received_date=received,
            due_date=due,
            business_days_left=left,
            fulfilled_date=fulfilled,
            provider_id=provider_id,
        )
    else:
        assert client_id is not None
        if not _client_exists(con, client_id):
            raise PlanAnalyticsError(f"Client {client_id} is not in the database.")
        first = _first_session_date(con, client_id, as_of)
        period_from = date_from or first
        period_to = date_to or as_of
        scope = Scope(
            client_id=client_id,
            period_from=period_from,
            period_to=period_to,
            as_of=as_of,
            provider_id=_latest_completed_provider(
                con, client_id, min(period_to, as_of) if period_to else as_of
            ),
        )

    has_records = _one(
        con,
        """SELECT (SELECT count(*) FROM stg_sessions
                   WHERE client_id = $c AND CAST(session_start AS DATE) <= $a)
                + (SELECT count(*) FROM stg_treatment_plans
                   WHERE client_id = $c AND CAST(created_at AS DATE) <= $a) AS n""",
        {"c": scope.client_id, "a": as_of},
    )
    if not has_records or not has_records["n"]:
        raise PlanAnalyticsError(
            f"Client {scope.client_id} has no sessions or treatment plans on or before {as_of.isoformat()}."
        )
    if scope.period_from is None:
        raise PlanAnalyticsError(
            f"Client {scope.client_id} has no sessions on or before {as_of.isoformat()}, so there is no period to send."
        )
    if scope.period_from > scope.period_to:
        raise PlanAnalyticsError(
            f"The period {scope.period_from.isoformat()} to {scope.period_to.isoformat()} "
            "is empty: it starts after it ends."
        )

    client = _one(
        con,
        "SELECT client_name, date_of_birth, payer FROM stg_clients WHERE client_id = $c",
        {"c": scope.client_id},
    )
    if client:
        scope.client_name = text_or_none(client["client_name"])
        scope.date_of_birth = client["date_of_birth"]
        if scope.payer is None:
            scope.payer = text_or_none(client["payer"])
    if scope.provider_id:
        scope.provider_name = _provider_name(con, scope.provider_id)
    return scope


def _provider_name(con: duckdb.DuckDBPyConnection, provider_id: str) -> str | None:
    row = _one(
        con,
        "SELECT provider_name FROM stg_providers WHERE provider_id = $p",
        {"p": provider_id},
    )
    return text_or_none(row["provider_name"]) if row else None


# --------------------------------------------------------------------------- records


def _plans(con: duckdb.DuckDBPyConnection, scope: Scope, policy: Policy) -> tuple[list[Plan], list[Plan]]:
    """(signed plans covering any part of the period, unsigned plans relevant to it)."""
    as_of = scope.as_of
    rows = _rows(
        con,
        """SELECT p.*, pr.provider_name FROM stg_treatment_plans p
           LEFT JOIN stg_providers pr USING (provider_id)
           WHERE p.client_id = $c AND CAST(p.created_at AS DATE) <= $a
           ORDER BY p.plan_id""",
        {"c": scope.client_id, "a": as_of},
    )
    interval = dt.timedelta(days=policy.review_interval_days)
    plans: list[Plan] = []
    for r in rows:
        signed = _not_after(r["provider_signed_at"], as_of)
        plan = Plan(
            plan_id=r["plan_id"],
            provider_id=r["provider_id"],
            provider_name=text_or_none(r["provider_name"]),
            created_at=r["created_at"],
            provider_signed_at=signed,
            client_signed_at=_not_after(r["client_signed_at"], as_of),
            verbal_consent_at=_not_after(r["verbal_consent_at"], as_of),
            therapy_type=text_or_none(r["therapy_type"]),
            reason_for_treatment=text_or_none(r["reason_for_treatment"]),
            symptoms=text_or_none(r["symptoms"]),
            treatment_history=text_or_none(r["treatment_history"]),
            interventions=text_or_none(r["interventions"]),
            diagnosis_codes=text_or_none(r["diagnosis_codes"]),
        )
        if signed is not None:
            plan.covers_from = signed.date()
            plan.covers_to = signed.date() + interval
        plans.append(plan)

    covering = [
        p
        for p in plans
        if not p.is_draft and p.covers_from <= scope.period_to and p.covers_to >= scope.period_from
    ]

    def superseded(draft: Plan) -> bool:
        return any(
            not other.is_draft
            and other.provider_id == draft.provider_id
            and other.created_at >= draft.created_at
            and other.plan_id != draft.plan_id
            for other in plans
        )

    drafts = [
        p
        for p in plans
        if p.is_draft
        and p.created_at.date() <= scope.period_to
        and (p.created_at.date() >= scope.period_from or not superseded(p))
    ]
    chosen = covering + drafts
    _attach_goals(con, chosen)
    for plan in chosen:
        plan.diagnoses = describe_diagnoses(plan.diagnosis_codes)

    def order(p: Plan):
        return (p.provider_signed_at or p.created_at, p.plan_id)

    return sorted(covering, key=order), sorted(drafts, key=order)


def _attach_goals(con: duckdb.DuckDBPyConnection, plans: list[Plan]) -> None:
    if not plans:
        return
    by_id = {p.plan_id: p for p in plans}
    rows = _rows(
        con,
        """SELECT plan_id, goal_number, goal, steps, desired_outcome, target_date
           FROM stg_plan_goals WHERE list_contains($ids, plan_id)
           ORDER BY plan_id, goal_number""",
        {"ids": sorted(by_id)},
    )
    for r in rows:
        by_id[r["plan_id"]].goals.append(
            Goal(
                goal_number=r["goal_number"],
                goal=text_or_none(r["goal"]),
                steps=[s for s in split_lines(r["steps"]) if text_or_none(s)],
                desired_outcome=text_or_none(r["desired_outcome"]),
                target_date=r["target_date"],
            )
        )


def _sessions(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Session]:
    rows = _rows(
        con,
        """SELECT session_id, provider_id, session_start, modality, status, cpt_code
           FROM stg_sessions
           WHERE client_id = $c
             AND CAST(session_start AS DATE) BETWEEN $f AND $t
             AND CAST(session_start AS DATE) <= $a
           ORDER BY session_start, session_id""",
        {"c": scope.client_id, "f": scope.period_from, "t": scope.period_to, "a": scope.as_of},
    )
    return [
        Session(
            session_id=r["session_id"],
            provider_id=r["provider_id"],
            session_start=r["session_start"],
            modality=r["modality"],
            status=r["status"],
            cpt_code=text_or_none(r["cpt_code"]),
        )
        for r in rows
    ]


def _notes(con: duckdb.DuckDBPyConnection, sessions: list[Session], as_of: dt.date) -> list[Note]:
    if not sessions:
        return []
    dates = {s.session_id: s.date for s in sessions}
    rows = _rows(
        con,
        """SELECT note_id, session_id, signed_at, goals_addressed FROM stg_progress_notes
           WHERE list_contains($ids, session_id)
             AND signed_at IS NOT NULL AND CAST(signed_at AS DATE) <= $a""",
        {"ids": sorted(dates), "a": as_of},
    )
    notes = [
        Note(
            note_id=r["note_id"],
            session_id=r["session_id"],
            session_date=dates[r["session_id"]],
            signed_at=r["signed_at"],
            goals_addressed=text_or_none(r["goals_addressed"]),
        )
        for r in rows
    ]
    return sorted(notes, key=lambda n: (n.session_date, n.session_id, n.note_id))


def gather(con: duckdb.DuckDBPyConnection, ask: PacketRequest) -> PacketContents:
    """Resolve the scope and read every record the packet prints."""
    as_of, policy, include_drafts = ask.as_of, ask.policy, ask.include_drafts
    scope = resolve_scope(con, ask)
    sessions = _sessions(con, scope)
    if not sessions:
        raise PlanAnalyticsError(
            f"Client {scope.client_id} has no sessions from {scope.period_from.isoformat()} "
            f"to {scope.period_to.isoformat()} (as of {as_of.isoformat()}); no packet was written."
        )
    covering, drafts = _plans(con, scope, policy)
    plans = covering + drafts if include_drafts else covering
    plans = sorted(plans, key=lambda p: (p.provider_signed_at or p.created_at, p.plan_id))
    notes = _notes(con, sessions, as_of)
    return PacketContents(scope=scope, plans=plans, draft_plans=drafts, sessions=sessions, notes=notes)
