"""People and appointments of the synthetic export, as numpy arrays per chunk.

Days are integers since 1970-01-01 and timestamps integer seconds since then
(local wall-clock time); -1 stands for a null timestamp. Everything is drawn
for a whole chunk of clients at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .sample_vocab import CATEGORIES, CATEGORY_WEIGHTS, PAYER_WEIGHTS, PAYERS

DAY = 86_400
NULL = -1
WINDOW_DAYS = 730  # two years of history ending on the end date
ACTIVE_WINDOW_DAYS = 90

# Session status codes (index into the spellings written to the CSV).
COMPLETED, CANCELLED, NO_SHOW, SCHEDULED = 0, 1, 2, 3
IN_PERSON, TELEHEALTH = 0, 1
INDIVIDUAL, COUPLE, FAMILY, GROUP = 0, 1, 2, 3

SECOND_EPISODE_SHARE = 0.06
ONGOING_SHARE = 0.38
WEEKLY_SHARE = 0.65
GAMMA_SHAPE = 1.6  # right-skewed episode lengths: many short, a few long


@dataclass(frozen=True)
class Config:
    providers: int
    clients: int
    sessions: int
    seed: int
    end_day: int
    mean_slots: float  # appointment slots per episode, calibrated to hit `sessions`

    @property
    def window_start(self) -> int:
        return self.end_day - WINDOW_DAYS + 1


def weekday(day: np.ndarray) -> np.ndarray:
    """Monday = 0 (1970-01-01 was a Thursday)."""
    return (day + 3) % 7


# ---------------------------------------------------------------- providers


@dataclass
class Providers:
    first: np.ndarray  # index into FIRST_NAMES
    last: np.ndarray
    credential: np.ndarray
    npi_base: np.ndarray  # nine digits; the check digit is computed when written
    caseload: np.ndarray  # probability that a new client is this provider's


def make_providers(rng: np.random.Generator, count: int, n_first: int, n_last: int, n_cred: int) -> Providers:
    caseload = rng.gamma(4.0, 1.0, count)
    return Providers(
        first=rng.integers(0, n_first, count),
        last=rng.integers(0, n_last, count),
        credential=rng.integers(0, n_cred, count),
        npi_base=rng.integers(100_000_000, 200_000_000, count),
        caseload=caseload / caseload.sum(),
    )


def npi_check_digit(base9: np.ndarray) -> np.ndarray:
    """Luhn check digit of '80840' + base (the NPI standard); the prefix contributes 24."""
    digits = (base9[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    doubled = digits[:, 0::2] * 2  # positions 1,3,5,7,9 from the left are doubled
    total = 24 + (doubled // 10 + doubled % 10).sum(axis=1) + digits[:, 1::2].sum(axis=1)
    return (10 - total % 10) % 10


# ---------------------------------------------------------------- clients


@dataclass
class Clients:
    first_index: int  # global index of the chunk's first client
    first: np.ndarray
    last: np.ndarray
    birth_day: np.ndarray
    payer: np.ndarray
    category: np.ndarray
    diagnosis: np.ndarray  # index into the category's diagnosis list

    def __len__(self) -> int:
        return len(self.first)


def make_clients(rng: np.random.Generator, first_index: int, count: int, cfg: Config, n_first: int, n_last: int) -> Clients:
    category = rng.choice(len(CATEGORIES), count, p=CATEGORY_WEIGHTS)
    min_age = np.array([c.min_age for c in CATEGORIES])[category]
    max_age = np.array([c.max_age for c in CATEGORIES])[category]
    age_days = ((min_age + rng.random(count) * (max_age - min_age + 1)) * 365.25).astype(np.int64)
    payer = rng.choice(len(PAYERS), count, p=PAYER_WEIGHTS)
    medicare = PAYERS.index("Medicare")
    seniors = age_days >= 65 * 365.25
    payer = np.where(seniors & (rng.random(count) < 0.7), medicare, payer)
    payer = np.where(~seniors & (payer == medicare), PAYERS.index("Medicaid"), payer)
    n_dx = np.array([len(c.diagnoses) for c in CATEGORIES])[category]
    return Clients(
        first_index=first_index,
        first=rng.integers(0, n_first, count),
        last=rng.integers(0, n_last, count),
        birth_day=cfg.end_day - age_days,
        payer=payer,
        category=category,
        diagnosis=(rng.random(count) * n_dx).astype(np.int64),
    )


# ---------------------------------------------------------------- episodes


@dataclass
class Episodes:
    client: np.ndarray  # local client index within the chunk
    provider: np.ndarray
    therapy: np.ndarray
    cadence: np.ndarray  # days between appointments
    slot_minute: np.ndarray  # usual start time, minutes after midnight
    mode: np.ndarray  # 0 in person, 1 telehealth, 2 hybrid
    cpt_main: np.ndarray
    slots: np.ndarray
    first_day: np.ndarray
    p_cancel: np.ndarray
    p_no_show: np.ndarray

    def __len__(self) -> int:
        return len(self.client)


def draw_slots(rng: np.random.Generator, cadence: np.ndarray, mean_slots: float) -> np.ndarray:
    scale = max(mean_slots - 1.0, 0.05) / GAMMA_SHAPE
    slots = 1 + np.rint(rng.gamma(GAMMA_SHAPE, scale, len(cadence))).astype(np.int64)
    # The episode must fit in the two-year window.
    return np.minimum(slots, (WINDOW_DAYS - 30) // cadence + 1)


def draw_cadence(rng: np.random.Generator, count: int) -> np.ndarray:
    return np.where(rng.random(count) < WEEKLY_SHARE, 7, 14)


def calibrate_mean_slots(seed: int, target_per_episode: float) -> float:
    """The gamma mean that yields `target_per_episode` slots after the window cap."""
    mean = target_per_episode
    for _ in range(4):
        pilot = np.random.default_rng([seed, 99_991])
        cadence = draw_cadence(pilot, 200_000)
        realised = draw_slots(pilot, cadence, mean).mean()
        mean *= target_per_episode / realised
    return float(mean)


def make_episodes(rng: np.random.Generator, clients: Clients, cfg: Config, caseload: np.ndarray) -> Episodes:
    n = len(clients)
    youth = np.array([c.key == "adhd" for c in CATEGORIES])[clients.category]
    second = rng.random(n) < (SECOND_EPISODE_SHARE if cfg.providers > 1 else 0.0)
    client = np.concatenate([np.arange(n), np.flatnonzero(second)])
    primary = np.r_[np.ones(n, bool), np.zeros(second.sum(), bool)]
    client_order = np.argsort(client, kind="stable")  # a client's episodes stay together
    client, primary = client[client_order], primary[client_order]
    count = len(client)

    provider = rng.choice(cfg.providers, count, p=caseload)
    # A client's second episode is with another provider.
    if cfg.providers > 1:
        clash = ~primary
        provider[clash] = (provider[np.flatnonzero(clash) - 1] + 1 + rng.integers(0, cfg.providers - 1, clash.sum())) % cfg.providers

    therapy = _draw_therapy(rng, youth[client], primary)
    cadence = draw_cadence(rng, count)
    slots = draw_slots(rng, cadence, cfg.mean_slots)
    first_day = _place_episodes(rng, slots, cadence, cfg)
    weekday_wanted = np.where(rng.random(count) < 0.97, rng.integers(0, 5, count), 5)
    first_day = first_day + (weekday_wanted - weekday(first_day)) % 7
    mode = rng.choice(3, count, p=[0.45, 0.35, 0.20])
    cpt_main = np.where(rng.random(count) < 0.55, 90837, 90834)
    cpt_main = np.select([therapy == COUPLE, therapy == FAMILY, therapy == GROUP], [90847, 90847, 90853], cpt_main)
    return Episodes(
        client=client,
        provider=provider,
        therapy=therapy,
        cadence=cadence,
        slot_minute=8 * 60 + 30 * rng.integers(0, 21, count),  # 8:00 .. 18:00
        mode=mode,
        cpt_main=cpt_main,
        slots=slots,
        first_day=first_day,
        p_cancel=rng.beta(1.5, 15.0, count),
        p_no_show=rng.beta(1.2, 20.0, count),
    )


def _draw_therapy(rng: np.random.Generator, youth: np.ndarray, primary: np.ndarray) -> np.ndarray:
    count = len(youth)
    adult = rng.choice(4, count, p=[0.86, 0.07, 0.03, 0.04])
    child = np.where(rng.random(count) < 0.35, FAMILY, INDIVIDUAL)
    extra = rng.choice([COUPLE, FAMILY, GROUP], count, p=[0.4, 0.3, 0.3])
    therapy = np.where(youth, child, adult)
    return np.where(primary, therapy, np.where(youth, FAMILY, extra))


def _place_episodes(rng: np.random.Generator, slots: np.ndarray, cadence: np.ndarray, cfg: Config) -> np.ndarray:
    """First appointment day: ongoing episodes run just past the end date, the others were discharged earlier."""
    count = len(slots)
    span = (slots - 1) * cadence
    ongoing = rng.random(count) < ONGOING_SHARE
    last_ongoing = cfg.end_day + 1 + (rng.random(count) * cadence).astype(np.int64)
    earliest_last = cfg.window_start + span
    latest_last = cfg.end_day - 7  # room for the weekday alignment
    last_done = earliest_last + (rng.random(count) * np.maximum(latest_last - earliest_last, 0)).astype(np.int64)
    return np.where(ongoing, last_ongoing, last_done) - span


# ---------------------------------------------------------------- sessions


@dataclass
class Sessions:
    episode: np.ndarray
    ordinal: np.ndarray  # 0-based slot number within the episode
    day: np.ndarray
    start: np.ndarray  # seconds
    status: np.ndarray
    modality: np.ndarray
    cpt: np.ndarray  # 0 = none

    def __len__(self) -> int:
        return len(self.episode)


def make_sessions(rng: np.random.Generator, eps: Episodes, cfg: Config) -> Sessions:
    episode = np.repeat(np.arange(len(eps)), eps.slots)
    offsets = np.r_[0, np.cumsum(eps.slots)[:-1]]
    ordinal = np.arange(len(episode)) - offsets[episode]
    day = eps.first_day[episode] + ordinal * eps.cadence[episode]
    count = len(day)
    # Now and then an appointment moves to the next day (never onto a weekend).
    moved = (ordinal > 0) & (rng.random(count) < 0.06) & (weekday(day) < 4)
    day = day + moved
    minute = eps.slot_minute[episode] + np.where(rng.random(count) < 0.1, rng.choice([-60, -30, 30, 60], count), 0)
    start = day * DAY + minute * 60

    u = rng.random(count)
    p_cancel, p_no_show = eps.p_cancel[episode], eps.p_no_show[episode]
    status = np.where(u < p_cancel, CANCELLED, np.where(u < p_cancel + p_no_show, NO_SHOW, COMPLETED))
    status[ordinal == 0] = COMPLETED  # the intake is the first visit that happened
    status[day > cfg.end_day] = SCHEDULED

    mode = eps.mode[episode]
    hybrid_pick = np.where(rng.random(count) < 0.5, IN_PERSON, TELEHEALTH)
    modality = np.where(mode == 2, np.where(ordinal == 0, IN_PERSON, hybrid_pick), mode)

    cpt = np.where(ordinal == 0, 90791, eps.cpt_main[episode])
    cpt = np.where((status == CANCELLED) | (status == NO_SHOW), 0, cpt)
    return Sessions(episode, ordinal, day, start, status, modality, cpt)


@dataclass
class Completed:
    """Completed sessions in (episode, day) order, with per-episode lookups."""

    session: np.ndarray  # index into Sessions
    episode: np.ndarray
    day: np.ndarray
    key: np.ndarray  # episode * KEY + (day - offset), sorted: searchsorted finds "last completed on or before"
    offset: int
    count: np.ndarray  # per episode
    start_pos: np.ndarray  # per episode: position of completed session number 1
    active: np.ndarray  # per episode

    KEY = 1 << 20

    def last_pos(self) -> np.ndarray:
        return self.start_pos + self.count - 1

    def last_on_or_before(self, episode: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Position of the episode's last completed session dated <= day, or -1."""
        pos = np.searchsorted(self.key, episode * self.KEY + (day - self.offset), side="right") - 1
        ok = (pos >= 0) & (self.episode[np.maximum(pos, 0)] == episode)
        return np.where(ok, pos, -1)


def completed_index(sessions: Sessions, n_episodes: int, cfg: Config) -> Completed:
    session = np.flatnonzero(sessions.status == COMPLETED)
    episode = sessions.episode[session]
    offset = cfg.window_start - 400  # keeps key days positive and below KEY
    count = np.bincount(episode, minlength=n_episodes)
    start_pos = np.r_[0, np.cumsum(count)[:-1]]
    day = sessions.day[session]
    last_day = day[np.maximum(start_pos + count - 1, 0)] if len(session) else np.zeros(n_episodes, np.int64)
    active = (count > 0) & (last_day >= cfg.end_day - ACTIVE_WINDOW_DAYS)
    return Completed(
        session=session,
        episode=episode,
        day=day,
        key=episode.astype(np.int64) * Completed.KEY + (day - offset),
        offset=offset,
        count=count,
        start_pos=start_pos,
        active=active,
    )
