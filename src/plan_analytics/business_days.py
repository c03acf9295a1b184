"""Business days: Saturdays, Sundays and the policy's public holidays are skipped.

Holidays come from python-holidays (for US: federal holidays with their observed
days), never from a hand-written list.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
import pandas as pd


@lru_cache(maxsize=64)
def _holidays(country: str, first_year: int, last_year: int) -> frozenset[dt.date]:
    # observed=True is the default: a holiday on a Sunday is also taken on the Monday.
    calendar = holidays.country_holidays(country, years=range(first_year, last_year + 1))
    return frozenset(calendar.keys())


def is_business_day(day: dt.date, country: str = "US") -> bool:
    return day.weekday() < 5 and day not in _holidays(country, day.year - 1, day.year + 1)


def add_business_days(start: dt.date, count: int, country: str = "US") -> dt.date:
    """The `count`-th business day after `start` (start itself never counts)."""
    day = start
    remaining = count
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day, country):
            remaining -= 1
    return day


def business_days_between(start: dt.date, end: dt.date, country: str = "US") -> int:
    """Business days after `start` up to and including `end` (negative when end < start)."""
    if end < start:
        return -business_days_between(end, start, country)
    return sum(
        1
        for offset in range(1, (end - start).days + 1)
        if is_business_day(start + dt.timedelta(days=offset), country)
    )


def business_calendar(first: dt.date, last: dt.date, country: str = "US") -> pd.DataFrame:
    """One row per calendar day in [first, last]: `day` and `business_ordinal`, the number
    of business days from `first` up to and including that day.

    SQL finds "the N-th business day after D" as the first day whose ordinal is
    ordinal(D) + N, so the due dates of millions of requests are one join.
    """
    days = pd.date_range(first, last, freq="D")
    off = _holidays(country, first.year, last.year)
    business = [(d.weekday() < 5 and d.date() not in off) for d in days]
    frame = pd.DataFrame({"day": days.date, "is_business": business})
    frame["business_ordinal"] = frame["is_business"].cumsum().astype("int64")
    return frame
