"""Plan completeness as a Pandera model: the one definition of a complete plan.

The rule's SQL (rules/completeness.missing_fields.sql) states for each signed plan
which required elements are present; this model says every one must be. The
compliance engine and the notebooks both validate with it, so "complete" is
defined once. Column order is the order the spec lists missing fields in.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from pandera.typing import Series

PRESENT = dict(eq=True, nullable=False)


class PlanCompleteness(pa.DataFrameModel):
    """One row per signed plan; every element must be present (True)."""

    client_name: Series[bool] = pa.Field(**PRESENT)
    date_of_birth: Series[bool] = pa.Field(**PRESENT)
    therapy_type: Series[bool] = pa.Field(**PRESENT)
    reason_for_treatment: Series[bool] = pa.Field(**PRESENT)
    diagnosis: Series[bool] = pa.Field(**PRESENT)
    symptoms: Series[bool] = pa.Field(**PRESENT)
    treatment_history: Series[bool] = pa.Field(**PRESENT)
    goals: Series[bool] = pa.Field(**PRESENT)
    goal_steps: Series[bool] = pa.Field(**PRESENT)
    desired_outcome: Series[bool] = pa.Field(**PRESENT)
    target_date: Series[bool] = pa.Field(**PRESENT)
    interventions: Series[bool] = pa.Field(**PRESENT)

    class Config:
        strict = False  # identifying columns (plan_id, provider_id, client_id) ride along


REQUIRED_ELEMENTS: tuple[str, ...] = tuple(PlanCompleteness.to_schema().columns)


def not_all_present_sql(source: str) -> str:
    """The rows of `source` with some element not TRUE. A complete plan passes the model
    anyway, so only these need validating: most signed plans are complete, and moving
    them into pandas cost more than the rule's query. NULL is kept, the model rejects it."""
    for name in REQUIRED_ELEMENTS:  # column names are our own constants, not user input
        assert name.isidentifier(), name
    every_present = " AND ".join(f'"{name}"' for name in REQUIRED_ELEMENTS)
    return f"SELECT * FROM {source} WHERE ({every_present}) IS NOT TRUE"


def missing_elements(presence: pd.DataFrame) -> pd.DataFrame:
    """Validate the presence frame lazily; return one row per incomplete plan with
    `missing` listing its absent elements, `;`-separated, in the model's order."""
    identity = presence[["plan_id", "provider_id", "client_id"]]
    try:
        PlanCompleteness.validate(presence, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        cases = cases[cases["column"].isin(REQUIRED_ELEMENTS) & cases["index"].notna()]
        order = {name: position for position, name in enumerate(REQUIRED_ELEMENTS)}
        cases = cases.assign(
            row=cases["index"].astype("int64"), position=cases["column"].map(order)
        ).sort_values(["row", "position"])
        missing = cases.groupby("row", sort=True)["column"].agg(";".join)
        result = identity.loc[missing.index].assign(missing=missing.values)
        return result.reset_index(drop=True)
    return identity.iloc[0:0].assign(missing=pd.Series(dtype="string"))
