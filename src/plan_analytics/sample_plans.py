"""Treatment-plan timelines, the deliberate compliance problems, and progress notes.

A compliant episode gets its first plan at completed session 1 or 2 and a
review roughly every five to six months, each signed at a session. A small,
fixed share of episodes is then given exactly one scenario (a missing plan, a
late plan, a skipped review, a copied narrative ...) so that every rule of
compliance-rules.md fires while most episodes stay clean. One episode never
carries two scenarios, which keeps the README's id lists unambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .sample_timeline import DAY, IN_PERSON, NULL, Completed, Config, Sessions

FIRST, REVIEW, DRAFT_FRESH, DRAFT_STALE, DRAFT_SUPERSEDED = range(5)

REVIEW_MIN_DAYS, REVIEW_MAX_DAYS = 150, 176  # re-signed roughly every five to six months
REVIEW_INTERVAL = 180
STALE_DRAFT_DAYS = 14

# Scenario name -> share of a chunk's episodes (at least one per chunk when eligible).
SCENARIO_RATES = {
    "establishment.missing": 0.008,
    "establishment.late": 0.008,
    "review.overdue": 0.008,
    "signature.unsigned.stale": 0.005,
    "signature.unsigned.fresh": 0.006,
    "consent.client_signature_missing": 0.005,
    "consent.verbal_consent_missing": 0.005,
    "completeness.blank_symptoms": 0.0025,
    "completeness.tbd_interventions": 0.0025,
    "completeness.diagnosis_not_billable": 0.0025,
    "completeness.diagnosis_invalid": 0.0025,
    "completeness.unknown_therapy_type": 0.0025,
    "completeness.no_goals": 0.0025,
    "completeness.target_before_created": 0.0025,
    "uniqueness.cloned_plan": 0.01,  # pairs: the copy and its source both fire
    "integrity.edited_after_signing": 0.006,
    "goal.target_date_passed": 0.008,
    "thread.note_without_goal": 0.008,
}
COMPLETENESS = [name for name in SCENARIO_RATES if name.startswith("completeness.")]


def seconds(rng: np.random.Generator, low_min: int, high_min: int, n: int) -> np.ndarray:
    """A random offset between low and high minutes, with random seconds."""
    return rng.integers(low_min, high_min + 1, n) * 60 + rng.integers(0, 60, n)


class Picker:
    """Chooses the episodes of each scenario without ever choosing one twice."""

    def __init__(self, rng: np.random.Generator, n_episodes: int):
        self.rng = rng
        self.n = n_episodes
        self.taken = np.zeros(n_episodes, bool)
        self.chosen: dict[str, np.ndarray] = {}

    def pick(self, name: str, eligible: np.ndarray, count: int | None = None) -> np.ndarray:
        candidates = np.flatnonzero(eligible & ~self.taken)
        wanted = count if count is not None else max(1, round(SCENARIO_RATES[name] * self.n))
        k = min(len(candidates), wanted)
        chosen = np.sort(self.rng.choice(candidates, k, replace=False)) if k else np.empty(0, np.int64)
        self.taken[chosen] = True
        self.chosen[name] = chosen
        return chosen


@dataclass
class Plans:
    episode: np.ndarray
    kind: np.ndarray
    created: np.ndarray
    signed: np.ndarray
    updated: np.ndarray
    client_signed: np.ndarray
    verbal: np.ndarray
    sign_pos: np.ndarray  # position in Completed of the signing session, -1 for drafts
    since_pos: np.ndarray  # position in Completed of the episode's first session (review text)
    # Filled once scenarios are known:
    content: np.ndarray = field(default=None)  # plan whose narrative this one carries (itself unless a clone)
    n_goals: np.ndarray = field(default=None)
    scenario: dict[str, np.ndarray] = field(default_factory=dict)  # plan indices per plan-level scenario

    def __len__(self) -> int:
        return len(self.episode)


def _plan_rows(episode, kind, created, signed, sign_pos, since_pos) -> dict[str, np.ndarray]:
    return dict(episode=episode, kind=np.full(len(episode), kind), created=created, signed=signed,
                sign_pos=sign_pos, since_pos=since_pos)


def first_plans(rng: np.random.Generator, comp: Completed, sessions: Sessions, picker: Picker) -> dict:
    n_ep = len(comp.count)
    count = comp.count
    picker.pick("establishment.missing", (count >= 2) & (count <= 5))
    late = picker.pick("establishment.late", count >= 6)
    # A client seen once may never come back; then no plan was written and nothing is due.
    has_plan = (count >= 1) & ~((count == 1) & (rng.random(n_ep) < 0.4))
    has_plan[picker.chosen["establishment.missing"]] = False
    rank = np.where((count >= 2) & (rng.random(n_ep) < 0.4), 2, 1)
    rank[late] = np.minimum(count[late], 3 + rng.integers(0, 3, len(late)))

    ep = np.flatnonzero(has_plan)
    n = len(ep)
    create_pos = comp.start_pos[ep]
    sign_pos = create_pos + rank[ep] - 1
    created = sessions.start[comp.session[create_pos]] + seconds(rng, 50, 110, n)
    signed_same_day = created + seconds(rng, 3, 180, n)
    signed_later = sessions.start[comp.session[sign_pos]] + seconds(rng, 50, 100, n)
    signed = np.where(rank[ep] == 1, signed_same_day, signed_later)
    return _plan_rows(ep, FIRST, created, signed, sign_pos, create_pos)


def review_plans(rng: np.random.Generator, comp: Completed, sessions: Sessions, first: dict, cfg: Config,
                 picker: Picker) -> list[dict]:
    """Re-signed plans, one round at a time over all episodes still in care."""
    n_ep = len(comp.count)
    last_day = comp.day[np.maximum(comp.last_pos(), 0)] if len(comp.day) else np.zeros(n_ep, np.int64)
    active_long = comp.active & (comp.count >= 8)
    first_signed_day = np.full(n_ep, 10**9)
    first_signed_day[first["episode"]] = first["signed"] // DAY
    overdue = picker.pick("review.overdue", active_long & (first_signed_day <= cfg.end_day - 300))
    cutoff = np.full(n_ep, 10**9)
    # The last review of these episodes lies more than review_interval_days before the end date.
    cutoff[overdue] = cfg.end_day - REVIEW_INTERVAL - 1 - rng.integers(5, 61, len(overdue))

    rounds = []
    ep, prev_day, prev_pos = first["episode"], first["signed"] // DAY, first["sign_pos"]
    while len(ep):
        target = prev_day + rng.integers(REVIEW_MIN_DAYS, REVIEW_MAX_DAYS + 1, len(ep))
        needed = (last_day[ep] > target) | (comp.active[ep] & (prev_day + REVIEW_INTERVAL < cfg.end_day))
        pos = comp.last_on_or_before(ep, target)
        pos = np.where(pos > prev_pos, pos, prev_pos + 1)  # no session in the window: review at the next one
        safe = np.minimum(pos, len(comp.episode) - 1)
        ok = needed & (pos < len(comp.episode)) & (comp.episode[safe] == ep) & (comp.day[safe] <= cutoff[ep])
        ep, pos = ep[ok], pos[ok]
        n = len(ep)
        created = sessions.start[comp.session[pos]] + seconds(rng, 40, 100, n)
        signed = created + seconds(rng, 2, 90, n)
        rounds.append(_plan_rows(ep, REVIEW, created, signed, pos, comp.start_pos[ep]))
        prev_day, prev_pos = comp.day[pos], pos
    return rounds


def draft_plans(rng: np.random.Generator, comp: Completed, sessions: Sessions, signed_rows: list[dict],
                cfg: Config, picker: Picker) -> list[dict]:
    n_ep = len(comp.count)
    latest_pos = np.full(n_ep, -1)
    for rows in signed_rows:
        np.maximum.at(latest_pos, rows["episode"], rows["sign_pos"])
    has_signed = latest_pos >= 0
    episodes = np.arange(n_ep)
    drafts = []

    # A review drafted more than stale_draft_days ago and never signed.
    stale_pos = comp.last_on_or_before(episodes, np.full(n_ep, cfg.end_day - STALE_DRAFT_DAYS - 1))
    stale = picker.pick("signature.unsigned.stale", comp.active & has_signed & (stale_pos > latest_pos))
    drafts.append(_draft_rows(rng, comp, sessions, stale, stale_pos[stale], DRAFT_STALE))

    # A review drafted at one of the last sessions, to be signed at the next.
    last_pos = comp.last_pos()
    recent = (comp.count > 0) & (comp.day[np.maximum(last_pos, 0)] >= cfg.end_day - STALE_DRAFT_DAYS + 1)
    fresh = picker.pick("signature.unsigned.fresh", comp.active & has_signed & recent & (last_pos > latest_pos))
    drafts.append(_draft_rows(rng, comp, sessions, fresh, last_pos[fresh], DRAFT_FRESH))
    return drafts


def superseded_drafts(rng: np.random.Generator, first: dict) -> dict:
    """Abandoned first drafts, replaced by a plan created minutes later: realistic, never a finding."""
    keep = rng.random(len(first["episode"])) < 0.03
    created = first["created"][keep] - seconds(rng, 10, 40, keep.sum())
    return _plan_rows(first["episode"][keep], DRAFT_SUPERSEDED, created, np.full(keep.sum(), NULL),
                      np.full(keep.sum(), -1), first["since_pos"][keep])


def _draft_rows(rng, comp: Completed, sessions: Sessions, episodes: np.ndarray, pos: np.ndarray, kind: int) -> dict:
    created = sessions.start[comp.session[pos]] + seconds(rng, 50, 100, len(pos))
    return _plan_rows(episodes, kind, created, np.full(len(pos), NULL), np.full(len(pos), -1),
                      comp.start_pos[episodes])


def assemble_plans(rng: np.random.Generator, parts: list[dict], comp: Completed, sessions: Sessions,
                   cfg: Config) -> Plans:
    merged = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    order = np.lexsort((merged["kind"], merged["created"], merged["episode"]))
    merged = {key: value[order] for key, value in merged.items()}
    n = len(order)
    signed = merged["signed"]
    is_signed = signed != NULL
    # Most EHRs stamp updated_at with the signature itself; some a few seconds later (within tolerance).
    updated = np.where(is_signed, signed + np.where(rng.random(n) < 0.3, rng.integers(1, 46, n), 0),
                       merged["created"] + seconds(rng, 0, 20, n))
    modality = np.where(is_signed, sessions.modality[comp.session[np.maximum(merged["sign_pos"], 0)]], -1)
    in_person = is_signed & (modality == IN_PERSON)
    telehealth = is_signed & ~in_person
    client_signed = np.full(n, NULL)
    verbal = np.full(n, NULL)
    client_signed[in_person] = signed[in_person] + seconds(rng, -15, 15, in_person.sum())
    verbal[telehealth] = signed[telehealth] - seconds(rng, 1, 30, telehealth.sum())
    # Some telehealth clients also e-sign through the portal within a few days.
    portal = telehealth & (rng.random(n) < 0.3)
    portal_time = signed + seconds(rng, 60, 72 * 60, n)
    portal &= portal_time < (cfg.end_day + 1) * DAY
    client_signed[portal] = portal_time[portal]
    return Plans(
        episode=merged["episode"], kind=merged["kind"], created=merged["created"], signed=signed,
        updated=updated, client_signed=client_signed, verbal=verbal, sign_pos=merged["sign_pos"],
        since_pos=merged["since_pos"],
    )


def latest_signed(plans: Plans, n_episodes: int) -> np.ndarray:
    """Per episode, the index of its latest signed plan, or -1."""
    signed = np.flatnonzero(plans.signed != NULL)
    order = signed[np.lexsort((plans.signed[signed], plans.episode[signed]))]
    latest = np.full(n_episodes, -1)
    latest[plans.episode[order]] = order  # later assignments win: the last in signing order
    return latest


def plan_scenarios(rng: np.random.Generator, plans: Plans, comp: Completed, provider: np.ndarray,
                   client: np.ndarray, cfg: Config, picker: Picker) -> None:
    """Choose the plans that carry plan-level problems; the text and goal builders apply them."""
    n_ep = len(comp.count)
    latest = latest_signed(plans, n_ep)
    has = latest >= 0
    safe = np.maximum(latest, 0)
    # Before any scenario, verbal consent is noted exactly for telehealth plans.
    tele = has & (plans.verbal[safe] != NULL)
    in_person = has & (plans.verbal[safe] == NULL)
    chosen: dict[str, np.ndarray] = {}

    ep = picker.pick("consent.client_signature_missing", in_person)
    chosen["consent.client_signature_missing"] = latest[ep]
    ep = picker.pick("consent.verbal_consent_missing", tele & (plans.client_signed[safe] == NULL))
    chosen["consent.verbal_consent_missing"] = latest[ep]
    for name in COMPLETENESS:
        ep = picker.pick(name, has)
        chosen[name] = latest[ep]
    signed_day = plans.signed[safe] // DAY
    ep = picker.pick("integrity.edited_after_signing", has & (signed_day <= cfg.end_day - 3))
    chosen["integrity.edited_after_signing"] = latest[ep]
    created_day = plans.created[safe] // DAY
    ep = picker.pick("goal.target_date_passed", has & comp.active & (created_day <= cfg.end_day - 45))
    chosen["goal.target_date_passed"] = latest[ep]
    chosen["uniqueness.cloned_plan"], chosen["uniqueness.cloned_source"] = _clone_pairs(
        rng, latest, provider, client, picker)
    plans.scenario = chosen


def _clone_pairs(rng, latest: np.ndarray, provider: np.ndarray, client: np.ndarray, picker: Picker):
    """Pairs of episodes of one provider and different clients: the copy takes the source's narrative."""
    name = "uniqueness.cloned_plan"
    wanted = max(1, round(SCENARIO_RATES[name] * picker.n / 2))
    candidates = np.flatnonzero((latest >= 0) & ~picker.taken)
    candidates = candidates[rng.permutation(len(candidates))]
    sources, copies = [], []
    by_provider: dict[int, int] = {}
    for ep in candidates:  # a handful of pairs per chunk: a plain loop over candidates is cheap
        p = int(provider[ep])
        mate = by_provider.get(p)
        if mate is not None and client[mate] != client[ep]:
            sources.append(mate)
            copies.append(ep)
            del by_provider[p]
            if len(copies) == wanted:
                break
        elif mate is None:
            by_provider[p] = ep
    sources, copies = np.array(sources, np.int64), np.array(copies, np.int64)
    picker.taken[sources] = picker.taken[copies] = True
    picker.chosen[name] = copies
    picker.chosen["uniqueness.cloned_source"] = sources
    return latest[copies], latest[sources]


def apply_plan_scenarios(rng: np.random.Generator, plans: Plans, cfg: Config, goal_capacity: np.ndarray) -> None:
    """Timestamps changed by scenarios; text and goals read plans.scenario themselves."""
    s = plans.scenario
    for name in ("consent.client_signature_missing", "consent.verbal_consent_missing"):
        plans.client_signed[s[name]] = NULL
        plans.verbal[s[name]] = NULL
    edited = s["integrity.edited_after_signing"]
    room = cfg.end_day - plans.signed[edited] // DAY
    plans.updated[edited] = plans.signed[edited] + (1 + (rng.random(len(edited)) * np.minimum(room - 1, 40))).astype(np.int64) * DAY + seconds(rng, 5, 300, len(edited))
    plans.content = np.arange(len(plans))
    plans.content[s["uniqueness.cloned_plan"]] = s["uniqueness.cloned_source"]
    n_goals = np.minimum(rng.choice([2, 3, 4], len(plans), p=[0.35, 0.45, 0.2]), goal_capacity)
    plans.n_goals = n_goals[plans.content]
    plans.n_goals[s["completeness.no_goals"]] = 0


# ---------------------------------------------------------------- progress notes


@dataclass
class Notes:
    session: np.ndarray  # index into Sessions
    signed: np.ndarray
    plan: np.ndarray  # current plan index, -1 when none
    first_goal: np.ndarray  # goal numbers addressed; 0 = none
    second_goal: np.ndarray


def current_plan(plans: Plans, episode: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Per session: latest signed plan of its episode signed in [day - 180, day], or -1."""
    signed = np.flatnonzero(plans.signed != NULL)
    order = signed[np.lexsort((plans.signed[signed], plans.episode[signed]))]
    key = plans.episode[order] * (1 << 32) + plans.signed[order]
    probe = episode * (1 << 32) + (day + 1) * DAY - 1
    pos = np.searchsorted(key, probe, side="right") - 1
    safe = order[np.maximum(pos, 0)] if len(order) else np.zeros(len(day), np.int64)
    ok = (pos >= 0) & (plans.episode[safe] == episode) & (plans.signed[safe] // DAY >= day - REVIEW_INTERVAL)
    return np.where(ok, safe, -1)


def make_notes(rng: np.random.Generator, comp: Completed, sessions: Sessions, plans: Plans, cfg: Config,
               picker: Picker) -> Notes:
    session = comp.session
    n = len(session)
    signed = sessions.start[session] + seconds(rng, 50, 180, n)
    signed += np.where(rng.random(n) < 0.08, rng.integers(1, 37, n) * 3600, 0)
    signed += np.where(rng.random(n) < 0.03, rng.integers(3, 13, n) * DAY, 0)
    signed = np.where(signed < (cfg.end_day + 1) * DAY, signed, NULL)  # not yet signed on the end date

    plan = current_plan(plans, comp.episode, comp.day)
    goals = np.where(plan >= 0, plans.n_goals[np.maximum(plan, 0)], 0)
    first_goal = np.where(goals > 0, 1 + (rng.random(n) * goals).astype(np.int64), 0)
    other = 1 + (first_goal - 1 + 1 + (rng.random(n) * np.maximum(goals - 1, 1)).astype(np.int64)) % np.maximum(goals, 1)
    second_goal = np.where((goals > 1) & (rng.random(n) < 0.4), other, 0)

    # One note per chosen episode names a goal number its plan does not have.
    candidate = (goals > 0) & (signed != NULL) & ~picker.taken[comp.episode]
    eligible_ep = np.zeros(len(comp.count), bool)
    eligible_ep[comp.episode[candidate]] = True
    chosen = picker.pick("thread.note_without_goal", eligible_ep)
    wrong = np.flatnonzero(candidate & np.isin(comp.episode, chosen))
    wrong = wrong[rng.permutation(len(wrong))]
    _, first_of_episode = np.unique(comp.episode[wrong], return_index=True)
    wrong = np.sort(wrong[first_of_episode])
    first_goal[wrong] = goals[wrong] + 1 + rng.integers(0, 2, len(wrong))
    second_goal[wrong] = 0
    picker.chosen["thread.note_without_goal.notes"] = wrong
    return Notes(session, signed, plan, first_goal, second_goal)
