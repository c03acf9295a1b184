"""Insurers' chart-review requests of one chunk.

Most are answered within the three business days; some late, some still open
past their due date. In the first chunk, request number 1 is the demo
request: open, received in the last week before the end date, for an active
client whose sessions fall in the requested period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .business_days import business_calendar
from .sample_timeline import Completed, Config

REQUEST_SHARE = 0.075  # requests per client
LATE_SHARE = 0.12
OPEN_PAST_DUE_SHARE = 0.06
ANSWER_BUSINESS_DAYS = 3
EPOCH = dt.date(1970, 1, 1)


@dataclass
class Requests:
    episode: np.ndarray
    received: np.ndarray  # days
    records_from: np.ndarray
    records_to: np.ndarray
    fulfilled: np.ndarray  # -1 while open
    with_provider: np.ndarray  # bool: the request names the provider
    kind: np.ndarray  # "demo", "on_time", "late", "open_past_due"


@lru_cache(maxsize=4)
def _calendar(end_day: int) -> tuple[np.ndarray, np.ndarray]:
    first = EPOCH + dt.timedelta(days=end_day - 800)
    frame = business_calendar(first, EPOCH + dt.timedelta(days=end_day + 60))
    days = (frame["day"].to_numpy().astype("datetime64[D]").astype(np.int64))
    return days, frame["business_ordinal"].to_numpy()


def nth_business_day_after(day: np.ndarray, n: np.ndarray | int, end_day: int) -> np.ndarray:
    days, ordinal = _calendar(end_day)
    target = ordinal[day - days[0]] + n
    return days[np.searchsorted(ordinal, target, side="left")]


def next_business_day(day: np.ndarray, end_day: int) -> np.ndarray:
    """The day itself when it is a business day, else the next one."""
    return nth_business_day_after(day - 1, 1, end_day)


def make_requests(rng: np.random.Generator, comp: Completed, n_clients: int, cfg: Config, with_demo: bool,
                  exclude: np.ndarray) -> Requests:
    n_ep = len(comp.count)
    wanted = round(REQUEST_SHARE * n_clients)
    demo = _demo_episode(rng, comp, cfg, exclude) if with_demo else -1
    eligible = (comp.count > 0) & (comp.day[comp.start_pos.clip(max=max(len(comp.day) - 1, 0))] <= cfg.end_day - 17)
    if demo >= 0:
        eligible[demo] = False
    candidates = np.flatnonzero(eligible)
    k = min(len(candidates), max(wanted - (demo >= 0), 0))
    episode = np.sort(rng.choice(candidates, k, replace=False)) if k else np.empty(0, np.int64)

    # Anchor each request on one of the episode's completed sessions before end - 17 days.
    last_ok = comp.last_on_or_before(episode, np.full(k, cfg.end_day - 17))
    anchor = comp.start_pos[episode] + (rng.random(k) * (last_ok - comp.start_pos[episode] + 1)).astype(np.int64)
    anchor_day = comp.day[anchor]
    latest = np.minimum(anchor_day + 90, cfg.end_day - 10)  # answered or overdue by the end date
    received = anchor_day + 7 + (rng.random(k) * (latest - anchor_day - 6)).astype(np.int64)
    received = next_business_day(received, cfg.end_day)
    records_from = _month_start(anchor_day - rng.integers(0, 151, k))
    records_to = received - rng.integers(1, 8, k)
    due = nth_business_day_after(received, ANSWER_BUSINESS_DAYS, cfg.end_day)
    on_time = nth_business_day_after(received, rng.integers(1, ANSWER_BUSINESS_DAYS + 1, k), cfg.end_day)
    late = due + rng.integers(1, 13, k)
    # Fixed counts rather than coin flips, so even a small export has both kinds of late answer.
    n_late, n_open = max(1, round(LATE_SHARE * k)), max(1, round(OPEN_PAST_DUE_SHARE * k))
    kind = np.full(k, "on_time", dtype="<U13")
    shuffled = rng.permutation(k)
    kind[shuffled[:n_late]] = "late"
    kind[shuffled[n_late:n_late + n_open]] = "open_past_due"
    fulfilled = np.select([kind == "late", kind == "open_past_due"], [late, -1], on_time)
    fulfilled = np.where(fulfilled > cfg.end_day, -1, fulfilled)  # not answered yet on the end date
    order = np.argsort(received, kind="stable")
    req = Requests(episode[order], received[order], records_from[order], records_to[order], fulfilled[order],
                   rng.random(k)[order] < 0.7, kind[order])
    if demo >= 0:
        req = _prepend_demo(req, demo, cfg)
    return req


def _demo_episode(rng: np.random.Generator, comp: Completed, cfg: Config, exclude: np.ndarray) -> int:
    """An active, scenario-free episode with sessions in the last two weeks."""
    last_day = comp.day[np.maximum(comp.last_pos(), 0)] if len(comp.day) else np.zeros(len(comp.count))
    ok = comp.active & (comp.count >= 6) & (last_day >= cfg.end_day - 14) & ~exclude
    candidates = np.flatnonzero(ok)
    return int(rng.choice(candidates)) if len(candidates) else -1


def _prepend_demo(req: Requests, episode: int, cfg: Config) -> Requests:
    # The latest business day at least two days before the end date, so it is open and not yet due.
    received = int(_latest_business_day(cfg.end_day - 2, cfg.end_day))
    records_from = int(_month_start(np.array([received - 180]))[0])
    return Requests(
        episode=np.r_[episode, req.episode],
        received=np.r_[received, req.received],
        records_from=np.r_[records_from, req.records_from],
        records_to=np.r_[received - 1, req.records_to],
        fulfilled=np.r_[-1, req.fulfilled],
        with_provider=np.r_[True, req.with_provider],
        kind=np.concatenate([np.array(["demo"]), req.kind]),
    )


def _latest_business_day(day: int, end_day: int) -> int:
    days, ordinal = _calendar(end_day)
    position = day - days[0]
    return int(days[np.searchsorted(ordinal, ordinal[position], side="left")])


def _month_start(day: np.ndarray) -> np.ndarray:
    months = day.astype("datetime64[D]").astype("datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int64)
