"""Export format v1: the record types a data directory may hold.

This module is the single declaration of the input contract
(`docs/export-format.md` explains it in prose). The loader, the staging
tables, the Pandera models and the sample generator all read it, so a column
is added in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Kinds of column. Values arrive as text; staging holds them typed.
TEXT = "text"
TIMESTAMP = "timestamp"  # local wall-clock TIMESTAMP in staging
DATE = "date"
INTEGER = "integer"
ENUM = "enum"  # canonical lower-case spelling in staging

FILE_SUFFIXES = (".csv.gz", ".csv", ".parquet", ".jsonl")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = False
    # For ENUM: accepted spelling (already trimmed and lower-cased) -> canonical value.
    spellings: dict[str, str] = field(default_factory=dict)
    # ENUM only: what an unknown or missing value becomes instead of a rejection.
    # None means an unknown value is kept as written (therapy_type) when
    # keep_unknown is set, or rejected when the column is required.
    unknown_as: str | None = None
    keep_unknown: bool = False


@dataclass(frozen=True)
class RecordType:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    required_file: bool = False

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _enum(values: list[str], extra: dict[str, str] | None = None) -> dict[str, str]:
    spellings = {v: v for v in values}
    spellings.update(extra or {})
    return spellings


MODALITIES = ("in_person", "telehealth")
SESSION_STATUSES = ("completed", "cancelled", "no_show", "scheduled")
PLAN_STATUSES = ("draft", "signed")
THERAPY_TYPES = ("individual", "couple", "family", "group")

PROVIDERS = RecordType(
    "providers",
    key=("provider_id",),
    columns=(
        Column("provider_id", required=True),
        Column("provider_name", required=True),
        Column("npi"),
    ),
)

CLIENTS = RecordType(
    "clients",
    key=("client_id",),
    columns=(
        Column("client_id", required=True),
        Column("client_name"),
        Column("date_of_birth", DATE),
        Column("payer"),
    ),
)

SESSIONS = RecordType(
    "sessions",
    key=("session_id",),
    required_file=True,
    columns=(
        Column("session_id", required=True),
        Column("client_id", required=True),
        Column("provider_id", required=True),
        Column("session_start", TIMESTAMP, required=True),
        Column(
            "modality",
            ENUM,
            spellings=_enum(
                list(MODALITIES),
                {
                    "in-person": "in_person",
                    "in person": "in_person",
                    "inperson": "in_person",
                    "office": "in_person",
                    "video": "telehealth",
                    "phone": "telehealth",
                    "virtual": "telehealth",
                },
            ),
            unknown_as="unknown",
        ),
        Column(
            "status",
            ENUM,
            required=True,
            spellings=_enum(
                list(SESSION_STATUSES),
                {
                    "canceled": "cancelled",
                    "no-show": "no_show",
                    "no show": "no_show",
                    "noshow": "no_show",
                    "late_cancel": "cancelled",
                },
            ),
        ),
        Column("cpt_code"),
    ),
)

TREATMENT_PLANS = RecordType(
    "treatment_plans",
    key=("plan_id",),
    required_file=True,
    columns=(
        Column("plan_id", required=True),
        Column("client_id", required=True),
        Column("provider_id", required=True),
        Column("status", ENUM, spellings=_enum(list(PLAN_STATUSES))),
        Column("created_at", TIMESTAMP, required=True),
        Column("updated_at", TIMESTAMP),
        Column("provider_signed_at", TIMESTAMP),
        Column("client_signed_at", TIMESTAMP),
        Column("verbal_consent_at", TIMESTAMP),
        Column(
            "therapy_type",
            ENUM,
            spellings=_enum(list(THERAPY_TYPES), {"couples": "couple"}),
            keep_unknown=True,
        ),
        Column("reason_for_treatment"),
        Column("symptoms"),
        Column("treatment_history"),
        Column("interventions"),
        Column("diagnosis_codes"),
    ),
)

PLAN_GOALS = RecordType(
    "plan_goals",
    key=("plan_id", "goal_number"),
    columns=(
        Column("plan_id", required=True),
        Column("goal_number", INTEGER, required=True),
        Column("goal"),
        Column("steps"),
        Column("desired_outcome"),
        Column("target_date", DATE),
    ),
)

PROGRESS_NOTES = RecordType(
    "progress_notes",
    key=("note_id",),
    columns=(
        Column("note_id", required=True),
        Column("session_id", required=True),
        Column("signed_at", TIMESTAMP),
        Column("goals_addressed"),
    ),
)

CHART_REVIEW_REQUESTS = RecordType(
    "chart_review_requests",
    key=("request_id",),
    columns=(
        Column("request_id", required=True),
        Column("payer"),
        Column("client_id", required=True),
        Column("provider_id"),
        Column("received_date", DATE, required=True),
        Column("records_from", DATE),
        Column("records_to", DATE),
        Column("fulfilled_date", DATE),
    ),
)

RECORD_TYPES: dict[str, RecordType] = {
    rt.name: rt
    for rt in (
        PROVIDERS,
        CLIENTS,
        SESSIONS,
        TREATMENT_PLANS,
        PLAN_GOALS,
        PROGRESS_NOTES,
        CHART_REVIEW_REQUESTS,
    )
}

# Dangling references the loader reports as warnings (child column -> parent record type).
REFERENCES: dict[str, list[tuple[str, str]]] = {
    "sessions": [("client_id", "clients"), ("provider_id", "providers")],
    "treatment_plans": [("client_id", "clients"), ("provider_id", "providers")],
    "plan_goals": [("plan_id", "treatment_plans")],
    "progress_notes": [("session_id", "sessions")],
    "chart_review_requests": [("client_id", "clients"), ("provider_id", "providers")],
}

# Values that count as "blank" in any text field (compared trimmed, case-insensitively).
# `none` and `n/a` are deliberate answers and are not here.
PLACEHOLDERS = ("tbd", "todo", "-", "--", "...", "?", "xx", "xxx")
