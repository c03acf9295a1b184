"""`plan-analytics sample`: write a realistic synthetic export (format v1).

Clients are generated in fixed-size chunks, each from its own random stream
(seed, chunk number), and every chunk is appended to the CSV files before the
next one is drawn, so memory stays flat from 400 clients to a million and the
output depends only on the arguments. Inside a chunk all work is vectorized
over clients, episodes, sessions and plans (see sample_timeline,
sample_plans, sample_content, sample_requests).

The files are written under temporary names and renamed at the end, so an
interrupted run never leaves a half-written export behind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import sample_vocab as V
from .errors import PlanAnalyticsError
from .formats import RECORD_TYPES
from .sample_content import COUPLES_MESSY, THERAPY_SPELLINGS, THERAPY_UNKNOWN, PlanContent
from .sample_plans import (
    DRAFT_SUPERSEDED,
    FIRST,
    REVIEW_INTERVAL,
    Picker,
    Plans,
    apply_plan_scenarios,
    assemble_plans,
    draft_plans,
    first_plans,
    latest_signed,
    make_notes,
    plan_scenarios,
    review_plans,
    superseded_drafts,
)
from .sample_requests import make_requests
from .sample_text import concat, ints_as_text, strings
from .sample_timeline import (
    CANCELLED,
    COUPLE,
    DAY,
    IN_PERSON,
    NULL,
    SECOND_EPISODE_SHARE,
    TELEHEALTH,
    Clients,
    Completed,
    Config,
    Episodes,
    Sessions,
    calibrate_mean_slots,
    completed_index,
    make_clients,
    make_episodes,
    make_providers,
    make_sessions,
    npi_check_digit,
)

CHUNK_CLIENTS = 20_000  # fixed, so the output does not depend on the machine
DEFAULT_END = dt.date(2026, 11, 30)
SESSIONS_PER_CLIENT = 20
EPOCH = dt.date(1970, 1, 1)
MESSY_CLIENT_SHARE = 0.01
IDS_LISTED = 12  # per scenario in the README

MODALITY_SPELLINGS = ("in_person", "telehealth", "Office", "video", "phone")
STATUS_SPELLINGS = ("completed", "cancelled", "no_show", "scheduled", "Canceled")
BAD_SESSION_START = "13/45/2026 10:00 AM"
WRITE_OPTIONS = pacsv.WriteOptions(include_header=True)


@dataclass(frozen=True)
class Widths:
    provider: int
    client: int
    session: int
    plan: int
    request: int


@dataclass
class Counters:
    session: int = 0
    plan: int = 0
    note: int = 0
    request: int = 0
    rows: dict[str, int] = field(default_factory=lambda: {name: 0 for name in RECORD_TYPES})


class ScenarioLog:
    """Which ids carry which deliberate problem, for the README."""

    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {}
        self.totals: dict[str, int] = {}

    def add(self, name: str, ids: list[str], total: int | None = None) -> None:
        kept = self.items.setdefault(name, [])
        kept.extend(ids[: max(IDS_LISTED - len(kept), 0)])
        self.totals[name] = self.totals.get(name, 0) + (len(ids) if total is None else total)


# ---------------------------------------------------------------- entry point


def write_sample(
    out_dir: Path,
    *,
    providers: int = 20,
    clients: int = 400,
    sessions: int | None = None,
    seed: int = 7,
    end_date: dt.date | None = None,
    console: Console | None = None,
) -> dict[str, int]:
    """Write the seven CSV files and README.md into out_dir; return rows written per file."""
    if providers < 1 or clients < 1:
        raise PlanAnalyticsError("--providers and --clients must be at least 1.")
    if sessions is not None and sessions < clients:
        raise PlanAnalyticsError("--sessions must be at least the number of clients.")
    end_date = end_date or DEFAULT_END
    cfg = _config(providers, clients, sessions, seed, end_date)
    widths = _widths(cfg)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counters, log = Counters(), ScenarioLog()

    rng = np.random.default_rng([seed, 1_000_003])
    staff = make_providers(rng, providers, len(V.FIRST_NAMES), len(V.LAST_NAMES), len(V.CREDENTIALS))
    n_chunks = -(-clients // CHUNK_CLIENTS)
    with _Sink(out_dir, counters) as sink, _progress(console) as progress:
        task = progress.add_task("sample", total=n_chunks)
        sink.write("providers", _provider_table(staff, widths, log))
        for chunk_no in range(n_chunks):
            first_client = chunk_no * CHUNK_CLIENTS
            count = min(CHUNK_CLIENTS, clients - first_client)
            for name, table in _chunk_tables(cfg, widths, staff, chunk_no, first_client, count, counters, log):
                sink.write(name, table)
            progress.update(task, advance=1, description=(
                f"sample: {first_client + count:,} clients, {counters.rows['sessions']:,} sessions"))
    (out_dir / "README.md").write_text(_readme(cfg, counters, log), encoding="utf-8")
    return dict(counters.rows)


def _config(providers: int, clients: int, sessions: int | None, seed: int, end_date: dt.date) -> Config:
    total = sessions if sessions is not None else SESSIONS_PER_CLIENT * clients
    episodes_per_client = 1 + (SECOND_EPISODE_SHARE if providers > 1 else 0.0)
    per_episode = total / (clients * episodes_per_client)
    return Config(providers, clients, total, seed, (end_date - EPOCH).days, calibrate_mean_slots(seed, per_episode))


def _widths(cfg: Config) -> Widths:
    def digits(n: float, minimum: int) -> int:
        return max(minimum, len(str(int(n))))

    return Widths(
        provider=digits(cfg.providers, 4),
        client=digits(cfg.clients, 5),
        session=digits(cfg.sessions * 1.5, 6),
        plan=digits(cfg.clients * 6, 5),
        request=digits(cfg.clients * 0.1 + 1, 4),
    )


def _progress(console: Console | None) -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, disable=console is None,
    )


class _Sink:
    """One CSV writer per record type, appended to chunk by chunk, renamed into place on success."""

    def __init__(self, out_dir: Path, counters: Counters):
        self.out_dir, self.counters = out_dir, counters
        self.writers: dict[str, pacsv.CSVWriter] = {}

    def __enter__(self) -> _Sink:
        schema = {name: pa.schema([(c, pa.string()) for c in rt.column_names]) for name, rt in RECORD_TYPES.items()}
        for name in RECORD_TYPES:
            self.writers[name] = pacsv.CSVWriter(self._tmp(name), schema[name], write_options=WRITE_OPTIONS)
        return self

    def _tmp(self, name: str) -> Path:
        return self.out_dir / f".{name}.csv.partial"

    def write(self, name: str, columns: dict[str, pa.Array]) -> None:
        names = RECORD_TYPES[name].column_names
        assert list(columns) == names, (name, list(columns))
        table = pa.table([pc.cast(columns[c], pa.string()) for c in names], names=names)
        self.writers[name].write_table(table)
        self.counters.rows[name] += table.num_rows

    def __exit__(self, exc_type, exc, tb) -> None:
        for writer in self.writers.values():
            writer.close()
        for name in RECORD_TYPES:
            if exc_type is None:
                self._tmp(name).replace(self.out_dir / f"{name}.csv")
            else:
                self._tmp(name).unlink(missing_ok=True)


# ---------------------------------------------------------------- formatting helpers


def ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    return concat(prefix, pc.utf8_lpad(ints_as_text(numbers), width=width, padding="0"))


def one_id(prefix: str, number: int, width: int) -> str:
    return f"{prefix}{number:0{width}d}"


def timestamps(seconds: np.ndarray) -> pa.Array:
    arr = pa.array(seconds, type=pa.timestamp("s"), mask=seconds == NULL)
    return pc.strftime(arr, format="%Y-%m-%dT%H:%M:%S")


def dates(days: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(days.astype(np.int32), type=pa.date32(), mask=days == NULL), pa.string())


def us_datetime(seconds: int) -> str:
    """03/05/2026 14:30 as a US export writes it: '3/5/2026 2:30 PM'."""
    moment = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(seconds))
    hour = moment.hour % 12 or 12
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def us_date(day: int) -> str:
    d = EPOCH + dt.timedelta(days=int(day))
    return f"{d.month}/{d.day}/{d.year}"


def _replace(array: pa.Array, rows: np.ndarray, values: list[str | None]) -> pa.Array:
    if len(rows) == 0:
        return array
    mask = np.zeros(len(array), bool)
    mask[rows] = True
    # replace_with_mask consumes replacements in row order.
    ordered = [values[i] for i in np.argsort(rows)]
    return pc.replace_with_mask(array, pa.array(mask), pa.array(ordered, pa.string()))


# ---------------------------------------------------------------- providers


def _provider_table(staff, widths: Widths, log: ScenarioLog) -> dict[str, pa.Array]:
    n = len(staff.first)
    first = strings(V.FIRST_NAMES).take(pa.array(staff.first))
    last = strings(V.LAST_NAMES).take(pa.array(staff.last))
    credential = strings(V.CREDENTIALS).take(pa.array(staff.credential))
    check = npi_check_digit(staff.npi_base)
    bad_npi = np.array([2]) if n >= 5 else np.empty(0, np.int64)
    # One provider's NPI carries a wrong check digit: the loader warns about it.
    check[bad_npi] = (check[bad_npi] + 1) % 10
    log.add("loader.npi_check_digit", [one_id("P", int(i) + 1, widths.provider) for i in bad_npi])
    return {
        "provider_id": ids("P", np.arange(1, n + 1), widths.provider),
        "provider_name": concat(concat(first, last, sep=" "), credential, sep=", "),
        "npi": ints_as_text(staff.npi_base * 10 + check),
    }


# ---------------------------------------------------------------- one chunk


@dataclass
class Chunk:
    cfg: Config
    widths: Widths
    clients: Clients
    eps: Episodes
    sessions: Sessions
    comp: Completed
    plans: Plans
    picker: Picker
    counters: Counters
    log: ScenarioLog

    def client_id(self, local: np.ndarray) -> pa.Array:
        return ids("C", self.clients.first_index + local + 1, self.widths.client)

    def client_text(self, local: int) -> str:
        return one_id("C", self.clients.first_index + int(local) + 1, self.widths.client)

    def provider_text(self, provider: int) -> str:
        return one_id("P", int(provider) + 1, self.widths.provider)

    def episode_text(self, ep: int) -> str:
        return f"{self.client_text(self.eps.client[ep])}/{self.provider_text(self.eps.provider[ep])}"

    def plan_text(self, plan: int) -> str:
        return one_id("TP", self.counters.plan + int(plan) + 1, self.widths.plan)

    def session_text(self, session: int) -> str:
        return one_id("S", self.counters.session + int(session) + 1, self.widths.session)


def _chunk_tables(cfg, widths, staff, chunk_no, first_client, count, counters: Counters, log: ScenarioLog):
    rng = np.random.default_rng([cfg.seed, chunk_no])
    clients = make_clients(rng, first_client, count, cfg, len(V.FIRST_NAMES), len(V.LAST_NAMES))
    eps = make_episodes(rng, clients, cfg, staff.caseload)
    sessions = make_sessions(rng, eps, cfg)
    comp = completed_index(sessions, len(eps), cfg)
    picker = Picker(rng, len(eps))
    first = first_plans(rng, comp, sessions, picker)
    reviews = review_plans(rng, comp, sessions, first, cfg, picker)
    drafts = draft_plans(rng, comp, sessions, [first, *reviews], cfg, picker)
    plans = assemble_plans(rng, [first, *reviews, *drafts, superseded_drafts(rng, first)], comp, sessions, cfg)
    plan_scenarios(rng, plans, comp, eps.provider, eps.client, cfg, picker)
    goal_capacity = np.array([len(c.goals) for c in V.CATEGORIES])[clients.category[eps.client[plans.episode]]]
    apply_plan_scenarios(rng, plans, cfg, goal_capacity)
    first_names = strings(V.FIRST_NAMES)
    content = PlanContent(rng, plans, eps, clients, comp, cfg, first_names)
    notes = make_notes(rng, comp, sessions, plans, cfg, picker)
    requests = make_requests(rng, comp, count, cfg, with_demo=chunk_no == 0, exclude=picker.taken)
    messy = _messy_clients(rng, clients, eps, chunk_no == 0)

    chunk = Chunk(cfg, widths, clients, eps, sessions, comp, plans, picker, counters, log)
    _log_scenarios(chunk, notes, requests, messy)
    tables = [
        ("clients", _client_table(chunk, first_names)),
        ("sessions", _session_table(rng, chunk, messy, chunk_no == 0)),
        ("treatment_plans", _plan_table(chunk, content, messy)),
        ("plan_goals", _goal_table(chunk, content)),
        ("progress_notes", _note_table(chunk, notes)),
        ("chart_review_requests", _request_table(chunk, requests, chunk_no == 0)),
    ]
    counters.session += len(sessions) + (2 if chunk_no == 0 else 0)
    counters.plan += len(plans)
    counters.note += len(notes.session)
    counters.request += len(requests.episode)
    return tables


def _messy_clients(rng: np.random.Generator, clients: Clients, eps: Episodes, first_chunk: bool) -> np.ndarray:
    """Clients whose rows use other spellings (a second clinic's EHR): 'Office', 'video', 'Canceled', 'Couples'."""
    n = len(clients)
    wanted = max(2 if first_chunk else 0, round(MESSY_CLIENT_SHARE * n))
    couples = np.unique(eps.client[eps.therapy == COUPLE])
    chosen = list(rng.choice(couples, min(1, len(couples)), replace=False)) if len(couples) else []
    others = np.setdiff1d(np.arange(n), chosen)
    chosen += list(rng.choice(others, min(len(others), max(wanted - len(chosen), 0)), replace=False))
    mask = np.zeros(n, bool)
    mask[np.array(chosen, dtype=np.int64)] = True
    return mask


# ---------------------------------------------------------------- tables


def _client_table(chunk: Chunk, first_names: pa.Array) -> dict[str, pa.Array]:
    c = chunk.clients
    first = first_names.take(pa.array(c.first))
    last = strings(V.LAST_NAMES).take(pa.array(c.last))
    return {
        "client_id": chunk.client_id(np.arange(len(c))),
        "client_name": concat(first, last, sep=" "),
        "date_of_birth": dates(c.birth_day),
        "payer": strings(V.PAYERS).take(pa.array(c.payer)),
    }


def _session_table(rng: np.random.Generator, chunk: Chunk, messy: np.ndarray, first_chunk: bool) -> dict[str, pa.Array]:
    s, eps = chunk.sessions, chunk.eps
    n = len(s)
    client = eps.client[s.episode]
    messy_row = messy[client]
    modality = s.modality.copy()
    tele_word = np.where(rng.random(n) < 0.7, 3, 4)  # 'video' or 'phone'
    modality = np.where(messy_row, np.where(s.modality == IN_PERSON, 2, tele_word), modality)
    status = np.where(messy_row & (s.status == CANCELLED), 4, s.status)
    columns = {
        "session_id": ids("S", chunk.counters.session + np.arange(1, n + 1), chunk.widths.session),
        "client_id": chunk.client_id(client),
        "provider_id": ids("P", eps.provider[s.episode] + 1, chunk.widths.provider),
        "session_start": timestamps(s.start),
        "modality": strings(MODALITY_SPELLINGS).take(pa.array(modality)),
        "status": strings(STATUS_SPELLINGS).take(pa.array(status)),
        "cpt_code": pc.if_else(pa.array(s.cpt > 0), ints_as_text(s.cpt), pa.nulls(n, pa.string())),
    }
    if first_chunk:
        # A couple of start times as a US-style export writes them.
        us_rows = np.flatnonzero(messy_row & (s.day <= chunk.cfg.end_day))[:2]
        columns["session_start"] = _replace(columns["session_start"], us_rows, [us_datetime(s.start[r]) for r in us_rows])
        chunk.log.add("loader.us_style_dates", [chunk.session_text(r) for r in us_rows])
        columns = _append_bad_sessions(chunk, columns)
    return columns


def _append_bad_sessions(chunk: Chunk, columns: dict[str, pa.Array]) -> dict[str, pa.Array]:
    """Exactly two rows the loader must reject: an unparsable start, a missing client_id."""
    s = chunk.sessions
    n = len(s)
    row = int(np.flatnonzero(s.status == 0)[0])
    bad_ids = [chunk.session_text(n), chunk.session_text(n + 1)]
    start = timestamps(s.start[[row]])[0].as_py()
    extra = {
        "session_id": bad_ids,
        "client_id": [columns["client_id"][row].as_py(), None],
        "provider_id": [columns["provider_id"][row].as_py()] * 2,
        "session_start": [BAD_SESSION_START, start],
        "modality": ["in_person", "telehealth"],
        "status": ["completed", "completed"],
        "cpt_code": ["90837", "90834"],
    }
    chunk.log.add("loader.unparsable_session_start", bad_ids[:1])
    chunk.log.add("loader.missing_client_id", bad_ids[1:])
    return {name: pa.concat_arrays([col, pa.array(extra[name], pa.string())]) for name, col in columns.items()}


def _plan_table(chunk: Chunk, content: PlanContent, messy: np.ndarray) -> dict[str, pa.Array]:
    p, eps = chunk.plans, chunk.eps
    n = len(p)
    client = eps.client[p.episode]
    therapy = eps.therapy[p.episode].copy()
    therapy[messy[client] & (therapy == COUPLE)] = COUPLES_MESSY
    therapy[p.scenario["completeness.unknown_therapy_type"]] = THERAPY_UNKNOWN
    return {
        "plan_id": ids("TP", chunk.counters.plan + np.arange(1, n + 1), chunk.widths.plan),
        "client_id": chunk.client_id(client),
        "provider_id": ids("P", eps.provider[p.episode] + 1, chunk.widths.provider),
        "status": pc.if_else(pa.array(p.signed != NULL), "signed", "draft"),
        "created_at": timestamps(p.created),
        "updated_at": timestamps(p.updated),
        "provider_signed_at": timestamps(p.signed),
        "client_signed_at": timestamps(p.client_signed),
        "verbal_consent_at": timestamps(p.verbal),
        "therapy_type": strings(THERAPY_SPELLINGS).take(pa.array(therapy)),
        "reason_for_treatment": content.reason(),
        "symptoms": content.symptoms(),
        "treatment_history": content.treatment_history(),
        "interventions": content.interventions(),
        "diagnosis_codes": content.diagnosis_codes(),
    }


def _goal_table(chunk: Chunk, content: PlanContent) -> dict[str, pa.Array]:
    goals = content.goals()
    return {
        "plan_id": ids("TP", chunk.counters.plan + goals["plan"] + 1, chunk.widths.plan),
        "goal_number": ints_as_text(goals["goal_number"]),
        "goal": goals["goal"],
        "steps": goals["steps"],
        "desired_outcome": goals["desired_outcome"],
        "target_date": dates(goals["target_day"]),
    }


def _note_table(chunk: Chunk, notes) -> dict[str, pa.Array]:
    n = len(notes.session)
    both = notes.second_goal > 0
    low = np.where(both, np.minimum(notes.first_goal, notes.second_goal), notes.first_goal)
    high = np.where(both, np.maximum(notes.first_goal, notes.second_goal), 0)
    none = pa.nulls(n, pa.string())
    low_text = pc.if_else(pa.array(low > 0), ints_as_text(low), none)
    high_text = pc.if_else(pa.array(high > 0), ints_as_text(high), none)
    goals = concat(low_text, high_text, sep=";")
    goals = pc.if_else(pa.array(low > 0), goals, none)
    return {
        "note_id": ids("PN", chunk.counters.note + np.arange(1, n + 1), chunk.widths.session),
        "session_id": ids("S", chunk.counters.session + notes.session + 1, chunk.widths.session),
        "signed_at": timestamps(notes.signed),
        "goals_addressed": goals,
    }


def _request_table(chunk: Chunk, req, first_chunk: bool) -> dict[str, pa.Array]:
    n = len(req.episode)
    eps = chunk.eps
    client = eps.client[req.episode]
    provider = ids("P", eps.provider[req.episode] + 1, chunk.widths.provider)
    received = dates(req.received)
    if first_chunk and n > 2:
        received = _replace(received, np.array([2]), [us_date(req.received[2])])
        chunk.log.add("loader.us_style_dates", [one_id("CR", chunk.counters.request + 3, chunk.widths.request)])
    return {
        "request_id": ids("CR", chunk.counters.request + np.arange(1, n + 1), chunk.widths.request),
        "payer": strings(V.PAYERS).take(pa.array(chunk.clients.payer[client])),
        "client_id": chunk.client_id(client),
        "provider_id": pc.if_else(pa.array(req.with_provider), provider, pa.nulls(n, pa.string())),
        "received_date": received,
        "records_from": dates(req.records_from),
        "records_to": dates(req.records_to),
        "fulfilled_date": dates(req.fulfilled),
    }


# ---------------------------------------------------------------- README


def _log_scenarios(chunk: Chunk, notes, requests, messy: np.ndarray) -> None:
    log, chosen, p = chunk.log, chunk.picker.chosen, chunk.plans
    limit = IDS_LISTED

    def episodes(name: str, ep_ids: np.ndarray, describe) -> None:
        log.add(name, [describe(int(e)) for e in ep_ids[:limit]], total=len(ep_ids))

    first_plan = np.full(len(chunk.eps), -1)
    first_rows = np.flatnonzero(p.kind == FIRST)
    first_plan[p.episode[first_rows]] = first_rows
    latest = latest_signed(p, len(chunk.eps))
    episodes("establishment.missing", chosen["establishment.missing"], chunk.episode_text)
    episodes("establishment.late", chosen["establishment.late"],
             lambda e: f"{chunk.plan_text(first_plan[e])} ({chunk.episode_text(e)})")
    episodes("review.overdue", chosen["review.overdue"],
             lambda e: f"{chunk.plan_text(latest[e])} ({chunk.episode_text(e)})")
    for name in ("signature.unsigned.stale", "signature.unsigned.fresh"):
        drafts = np.flatnonzero(np.isin(p.episode, chosen[name]) & (p.signed == NULL) & (p.kind != DRAFT_SUPERSEDED))
        log.add(name, [chunk.plan_text(i) for i in drafts[:limit]], total=len(drafts))
    for name, plan_ids in p.scenario.items():
        if name == "uniqueness.cloned_source":
            continue
        if name == "uniqueness.cloned_plan":
            sources = p.scenario["uniqueness.cloned_source"]
            log.add(name, [f"{chunk.plan_text(c)} copies {chunk.plan_text(s)}" for c, s in zip(plan_ids[:limit], sources)],
                    total=len(plan_ids))
            continue
        log.add(name, [chunk.plan_text(i) for i in plan_ids[:limit]], total=len(plan_ids))
    wrong = chosen["thread.note_without_goal.notes"]
    log.add("thread.note_without_goal", [one_id("PN", chunk.counters.note + int(i) + 1, chunk.widths.session)
                                         for i in wrong[:limit]], total=len(wrong))
    no_goal_notes = np.isin(notes.plan, p.scenario["completeness.no_goals"]) & (notes.signed != NULL)
    log.add("thread.note_under_plan_without_goals", [one_id("PN", chunk.counters.note + int(i) + 1, chunk.widths.session)
                                                     for i in np.flatnonzero(no_goal_notes)[:limit]],
            total=int(no_goal_notes.sum()))
    for kind in ("demo", "late", "open_past_due"):
        rows = np.flatnonzero(requests.kind == kind)
        log.add(f"chart_review.{kind}", [one_id("CR", chunk.counters.request + int(i) + 1, chunk.widths.request)
                                          for i in rows[:limit]], total=len(rows))
    log.add("loader.messy_spellings", [chunk.client_text(c) for c in np.flatnonzero(messy)[:limit]],
            total=int(messy.sum()))
    _log_due_soon(chunk, latest)


def _log_due_soon(chunk: Chunk, latest: np.ndarray) -> None:
    """review.due_soon is not injected: ongoing care produces it. List where it should show up."""
    end = chunk.cfg.end_day
    has = (latest >= 0) & chunk.comp.active
    signed_day = chunk.plans.signed[np.maximum(latest, 0)] // DAY
    due = signed_day + REVIEW_INTERVAL
    soon = np.flatnonzero(has & (due >= end) & (due - 30 <= end))
    chunk.log.add("review.due_soon", [f"{chunk.plan_text(latest[e])} ({chunk.episode_text(e)})" for e in soon[:IDS_LISTED]],
                  total=len(soon))


RULE_NOTES = {
    "establishment.missing": "rule 1 (no signed plan by completed session 2; later sessions also fire rule 5) — client/provider",
    "establishment.late": "rule 2 (first plan signed at completed session 3-5; sessions 3+ before it fire rule 5) — plan (episode)",
    "review.overdue": "rule 3 (last review more than 180 days before the end date; later sessions fire rule 5; old goal dates may fire rule 12) — latest plan (episode)",
    "review.due_soon": "rule 4, not injected: ongoing episodes whose review falls due within 30 days — latest plan (episode)",
    "signature.unsigned.stale": "rule 6 as error (draft created more than 14 days before the end date) — draft plan",
    "signature.unsigned.fresh": "rule 6 as warning (draft created in the last 14 days) — draft plan",
    "consent.client_signature_missing": "rule 7 (in-person plan, no client signature) — plan",
    "consent.verbal_consent_missing": "rule 8 (telehealth plan, neither client signature nor verbal consent) — plan",
    "completeness.blank_symptoms": "rule 9: symptoms is whitespace — plan",
    "completeness.tbd_interventions": "rule 9: interventions is 'TBD' — plan",
    "completeness.diagnosis_not_billable": "rule 9: diagnosis 'F41' (a category, not billable) — plan",
    "completeness.diagnosis_invalid": "rule 9: diagnosis list includes 'Z99.999' — plan",
    "completeness.unknown_therapy_type": f"rule 9: therapy_type '{V.UNKNOWN_THERAPY_TYPE}' — plan",
    "completeness.no_goals": "rule 9: plan without goal rows (goals, goal_steps, desired_outcome, target_date) — plan",
    "completeness.target_before_created": "rule 9: goal 1 target_date before the plan was created — plan",
    "uniqueness.cloned_plan": "rule 10: narrative copied from another client's plan of the same provider; both plans fire",
    "integrity.edited_after_signing": "rule 11 (updated_at days after provider_signed_at) — plan",
    "goal.target_date_passed": "rule 12 (goal 1 target_date before the end date, active episode) — plan",
    "chart_review.late": "rule 13 (answered after 3 business days) — request",
    "chart_review.open_past_due": "rule 13 (still open past the due date) — request",
    "chart_review.demo": "not a finding: the demo request, open and not yet due (packet demo) — request",
    "thread.note_without_goal": "rule 14 (goals_addressed names a goal number the current plan lacks) — note",
    "thread.note_under_plan_without_goals": "rule 14 as a side effect: notes under the plan without goals — note",
    "loader.unparsable_session_start": f"rejected at load: session_start '{BAD_SESSION_START}' — session",
    "loader.missing_client_id": "rejected at load: empty client_id — session",
    "loader.us_style_dates": "accepted at load: US-style date / timestamp — session or request",
    "loader.messy_spellings": "accepted at load: modality 'Office'/'video'/'phone', status 'Canceled', therapy_type 'Couples' — client",
    "loader.npi_check_digit": "load warning: NPI with a wrong check digit — provider",
}


def _readme(cfg: Config, counters: Counters, log: ScenarioLog) -> str:
    end = EPOCH + dt.timedelta(days=cfg.end_day)
    lines = [
        "# Synthetic sample export (format v1)",
        "",
        "Entirely synthetic: names are random combinations of common given names and surnames, so no row",
        "describes a real person. Ids are not PHI and are listed below.",
        "",
        "Regenerate byte-identically with:",
        "",
        "```",
        f"plan-analytics sample data/sample --providers {cfg.providers} --clients {cfg.clients} --seed {cfg.seed}"
        + (f" --end {end.isoformat()}" if end != DEFAULT_END else ""),
        "```",
        "",
        f"History: the two years ending {end.isoformat()}; evaluate it `--as-of {end.isoformat()}`.",
        "",
        "| file | rows |",
        "|---|---|",
        *[f"| {name}.csv | {rows:,} |" for name, rows in counters.rows.items()],
        "",
        "Weekly or biweekly sessions per (provider, client) episode, in person, telehealth or both, with",
        "cancellations, no-shows and the next appointment scheduled after the end date. Plans are signed at",
        "completed session 1 or 2 and re-signed every five to six months (a new plan_id per review); goal",
        "steps hold one step per line (quoted newlines in plan_goals.csv). Every completed session has a",
        "progress note naming goals of its current plan.",
        "",
        "## Deliberate problems, by id",
        "",
        "Each injected problem sits in its own episode (natural ones such as review.due_soon may overlap). Lists stop at "
        f"{IDS_LISTED} ids; the count is the total.",
        "",
    ]
    for name, note in RULE_NOTES.items():
        total = log.totals.get(name, 0)
        shown = log.items.get(name, [])
        more = f" … and {total - len(shown)} more" if total > len(shown) else ""
        lines.append(f"- **{name}** ({total}): {note}.")
        if shown:
            lines.append(f"  {', '.join(shown)}{more}")
    lines.append("")
    return "\n".join(lines)
