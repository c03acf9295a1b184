"""The compliance policy: every tunable of compliance-rules.md, with its default."""

from __future__ import annotations

import hashlib
import json
import tomllib
import zoneinfo
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import holidays

from .errors import PlanAnalyticsError


@dataclass(frozen=True)
class Policy:
    establish_by_session: int = 2
    review_interval_days: int = 180
    review_due_soon_days: int = 30
    active_window_days: int = 90
    stale_draft_days: int = 14
    edit_tolerance_seconds: int = 60
    clone_similarity: float = 0.85
    chart_review_business_days: int = 3
    holiday_calendar: str = "US"
    timezone: str = "America/New_York"

    def as_dict(self) -> dict:
        return asdict(self)

    def digest(self) -> str:
        """A short hash recorded with every run, so a finding can be traced to its policy."""
        blob = json.dumps(self.as_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def sql_parameters(self) -> dict:
        """Numeric policy values as bound SQL parameters (names match the spec's keys)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.type in ("int", "float")}


# (minimum, maximum) accepted for each numeric key.
RANGES = {
    "establish_by_session": (1, 50),
    "review_interval_days": (1, 3660),
    "review_due_soon_days": (0, 3660),
    "active_window_days": (1, 3660),
    "stale_draft_days": (0, 3660),
    "edit_tolerance_seconds": (0, 86400),
    "clone_similarity": (0.01, 1.0),
    "chart_review_business_days": (1, 60),
}


def load_policy(path: Path | None) -> Policy:
    """Read a TOML policy file; unknown keys and out-of-range values are refused."""
    if path is None:
        return Policy()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanAnalyticsError(f"Policy file {path} does not exist.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PlanAnalyticsError(f"Policy file {path} is not valid TOML ({exc}).") from None
    return policy_from_dict(data, source=str(path))


def policy_from_dict(data: dict, source: str = "policy") -> Policy:
    known = {f.name: f for f in fields(Policy)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise PlanAnalyticsError(
            f"{source}: unknown key {', '.join(unknown)}; known keys are {', '.join(known)}."
        )
    for key, value in data.items():
        expected = float if known[key].type == "float" else int if known[key].type == "int" else str
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
            data[key] = value
        if not isinstance(value, expected) or isinstance(value, bool):
            raise PlanAnalyticsError(f"{source}: {key} must be a {expected.__name__}.")
        if key in RANGES:
            low, high = RANGES[key]
            if not low <= value <= high:
                raise PlanAnalyticsError(f"{source}: {key} = {value} is outside {low}..{high}.")
    policy = Policy(**data)
    try:
        zoneinfo.ZoneInfo(policy.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise PlanAnalyticsError(f"{source}: timezone {policy.timezone!r} is not a known time zone.") from None
    if policy.holiday_calendar not in holidays.list_supported_countries():
        raise PlanAnalyticsError(
            f"{source}: holiday_calendar {policy.holiday_calendar!r} is not a python-holidays country code."
        )
    return policy
