"""What the staging layer guarantees, one Pandera model per record type.

The loader types each incoming batch in SQL (unparsable values become null,
enum spellings become canonical) and then validates it with these models.
A failed check on a required column rejects the row; a failed check on an
optional column empties that value and records a load warning. So each
constraint is declared here once, and nowhere else.

Frames hold what DuckDB hands over through Arrow: text as pandas strings,
timestamps (and dates, converted with ``date_as_object=False``) as datetime64.
"""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from . import formats

# "In the future" means after the load day in the practice's time zone; the
# loader sets it for the duration of a load.
LOAD_DAY: ContextVar[dt.date | None] = ContextVar("LOAD_DAY", default=None)


def load_day() -> pd.Timestamp:
    return pd.Timestamp(LOAD_DAY.get() or dt.date.today())


def _not_in_future(series: pd.Series) -> pd.Series:
    return series.isna() | (series < load_day() + pd.Timedelta(days=1))


def _vocabulary(column: str, record_type: str) -> list[str]:
    col = formats.RECORD_TYPES[record_type].column(column)
    values = sorted(set(col.spellings.values()))
    return values + ([col.unknown_as] if col.unknown_as else [])


class _Staged(pa.DataFrameModel):
    class Config:
        # The batch also carries the loader's bookkeeping columns (_row).
        strict = False
        coerce = False


class Providers(_Staged):
    provider_id: Series[str] = pa.Field(nullable=False, unique=True)
    provider_name: Series[str] = pa.Field(nullable=False)
    npi: Series[str] = pa.Field(nullable=True)


class Clients(_Staged):
    client_id: Series[str] = pa.Field(nullable=False, unique=True)
    client_name: Series[str] = pa.Field(nullable=True)
    date_of_birth: Series[pd.Timestamp] = pa.Field(nullable=True)
    payer: Series[str] = pa.Field(nullable=True)

    @pa.check("date_of_birth", name="not_in_future", error="is in the future")
    def _dob_not_in_future(cls, series: pd.Series) -> pd.Series:
        return _not_in_future(series)


class Sessions(_Staged):
    session_id: Series[str] = pa.Field(nullable=False, unique=True)
    client_id: Series[str] = pa.Field(nullable=False)
    provider_id: Series[str] = pa.Field(nullable=False)
    session_start: Series[pd.Timestamp] = pa.Field(nullable=False)
    modality: Series[str] = pa.Field(nullable=False, isin=_vocabulary("modality", "sessions"))
    status: Series[str] = pa.Field(nullable=False, isin=list(formats.SESSION_STATUSES))
    cpt_code: Series[str] = pa.Field(nullable=True)


class TreatmentPlans(_Staged):
    plan_id: Series[str] = pa.Field(nullable=False, unique=True)
    client_id: Series[str] = pa.Field(nullable=False)
    provider_id: Series[str] = pa.Field(nullable=False)
    status: Series[str] = pa.Field(nullable=True, isin=list(formats.PLAN_STATUSES))
    created_at: Series[pd.Timestamp] = pa.Field(nullable=False)
    # Filled from created_at when absent, so null only where created_at is.
    updated_at: Series[pd.Timestamp] = pa.Field(nullable=True)
    provider_signed_at: Series[pd.Timestamp] = pa.Field(nullable=True)
    client_signed_at: Series[pd.Timestamp] = pa.Field(nullable=True)
    verbal_consent_at: Series[pd.Timestamp] = pa.Field(nullable=True)
    # Unknown therapy types are kept as written; the completeness rule reports them.
    therapy_type: Series[str] = pa.Field(nullable=True)
    reason_for_treatment: Series[str] = pa.Field(nullable=True)
    symptoms: Series[str] = pa.Field(nullable=True)
    treatment_history: Series[str] = pa.Field(nullable=True)
    interventions: Series[str] = pa.Field(nullable=True)
    diagnosis_codes: Series[str] = pa.Field(nullable=True)


class PlanGoals(_Staged):
    plan_id: Series[str] = pa.Field(nullable=False)
    goal_number: Series[pd.Int64Dtype] = pa.Field(nullable=False, ge=1)
    goal: Series[str] = pa.Field(nullable=True)
    steps: Series[str] = pa.Field(nullable=True)
    desired_outcome: Series[str] = pa.Field(nullable=True)
    target_date: Series[pd.Timestamp] = pa.Field(nullable=True)

    class Config:
        unique = ["plan_id", "goal_number"]


class ProgressNotes(_Staged):
    note_id: Series[str] = pa.Field(nullable=False, unique=True)
    session_id: Series[str] = pa.Field(nullable=False)
    signed_at: Series[pd.Timestamp] = pa.Field(nullable=True)
    goals_addressed: Series[str] = pa.Field(nullable=True)


class ChartReviewRequests(_Staged):
    request_id: Series[str] = pa.Field(nullable=False, unique=True)
    payer: Series[str] = pa.Field(nullable=True)
    client_id: Series[str] = pa.Field(nullable=False)
    provider_id: Series[str] = pa.Field(nullable=True)
    received_date: Series[pd.Timestamp] = pa.Field(nullable=False)
    records_from: Series[pd.Timestamp] = pa.Field(nullable=True)
    records_to: Series[pd.Timestamp] = pa.Field(nullable=True)
    fulfilled_date: Series[pd.Timestamp] = pa.Field(nullable=True)


MODELS: dict[str, type[_Staged]] = {
    "providers": Providers,
    "clients": Clients,
    "sessions": Sessions,
    "treatment_plans": TreatmentPlans,
    "plan_goals": PlanGoals,
    "progress_notes": ProgressNotes,
    "chart_review_requests": ChartReviewRequests,
}
