"""The rule registry: the one list of rules that the CLI, the reports and the docs read.

Each rule's query is `rules/<rule_id>.sql`; its header repeats the requirement
and names the grain (tests/test_registry.py keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

ERROR = "error"
WARNING = "warning"

REQ_ESTABLISH = (
    "A treatment plan is established (signed by the provider) within the client's first two sessions."
)
REQ_REVIEW = "The plan is reviewed and re-signed at least twice a year (a payer may demand every 90 days)."


@dataclass(frozen=True)
class Rule:
    rule_id: str
    title: str
    severity: str  # 'error', 'warning', or 'error or warning' when the query decides per finding
    requirement: str
    # Optional record types without which the rule is not applicable.
    needs: tuple[str, ...] = ()
    # Counts the rule's input population; zero makes the rule "not applicable" rather than "passed".
    population_sql: str = "SELECT count(*) FROM int_signed_plans"
    population_reason: str = "no plan signed as of the evaluation date"
    # 'findings': the query returns findings; 'presence': it returns present/absent columns
    # that a Pandera model turns into findings (completeness).
    output: str = "findings"
    extra: dict = field(default_factory=dict)

    @property
    def sql_file(self) -> str:
        return f"{self.rule_id}.sql"

    def sql(self) -> str:
        return resources.files("plan_analytics.rules").joinpath(self.sql_file).read_text(encoding="utf-8")


EPISODES_AT_DEADLINE = "SELECT count(*) FROM int_completed_sessions WHERE session_number = $establish_by_session"
ACTIVE_WITH_PLAN = "SELECT count(*) FROM int_active_latest_plans"

RULES: tuple[Rule, ...] = (
    Rule(
        "establishment.missing",
        "No signed plan by the deadline session",
        ERROR,
        REQ_ESTABLISH,
        population_sql=EPISODES_AT_DEADLINE,
        population_reason="no episode has reached its deadline session",
    ),
    Rule(
        "establishment.late",
        "First plan signed after the deadline session",
        ERROR,
        REQ_ESTABLISH,
        population_sql=EPISODES_AT_DEADLINE,
        population_reason="no episode has reached its deadline session",
    ),
    Rule(
        "review.overdue",
        "Plan review overdue",
        ERROR,
        REQ_REVIEW,
        population_sql=ACTIVE_WITH_PLAN,
        population_reason="no active episode has a signed plan",
    ),
    Rule(
        "review.due_soon",
        "Plan review falls due soon",
        WARNING,
        REQ_REVIEW,
        population_sql=ACTIVE_WITH_PLAN,
        population_reason="no active episode has a signed plan",
    ),
    Rule(
        "coverage.session_without_current_plan",
        "Session held without a current plan",
        ERROR,
        "Every session after the establishment window is covered by a signed plan no older than the review interval.",
        population_sql="SELECT count(*) FROM int_completed_sessions WHERE session_number > $establish_by_session",
        population_reason="no completed session after the deadline session",
    ),
    Rule(
        "signature.unsigned",
        "Plan not signed by the provider",
        "error or warning",
        "The plan is signed by the provider.",
        population_sql="SELECT count(*) FROM int_existing_plans",
        population_reason="no plan created as of the evaluation date",
    ),
    Rule(
        "consent.client_signature_missing",
        "In-person plan without client signature",
        ERROR,
        "For in-person care the plan is signed by the client.",
        population_sql="SELECT count(*) FROM int_plan_modality WHERE modality = 'in_person'",
        population_reason="no signed in-person plan",
    ),
    Rule(
        "consent.verbal_consent_missing",
        "Telehealth plan without noted verbal consent",
        ERROR,
        "For telehealth the client's verbal agreement to the plan is noted (a client signature also counts).",
        population_sql="SELECT count(*) FROM int_plan_modality WHERE modality IN ('telehealth', 'unknown')",
        population_reason="no signed telehealth or unknown-modality plan",
    ),
    Rule(
        "completeness.missing_fields",
        "Plan missing required content",
        ERROR,
        "The plan holds client name and date of birth, type of therapy, presenting problem (reason, "
        "ICD-10 diagnosis, symptoms), treatment history, goals with steps, desired outcome and target "
        "date, and intervention methods.",
        output="presence",
    ),
    Rule(
        "uniqueness.cloned_plan",
        "Plan cloned from another client's",
        ERROR,
        "The plan is unique to the client (no cloned plans).",
    ),
    Rule(
        "integrity.edited_after_signing",
        "Plan edited after signing",
        ERROR,
        "A signed plan is never changed.",
    ),
    Rule(
        "goal.target_date_passed",
        "Goal target date passed",
        WARNING,
        "Each goal has a desired outcome and a target date that the plan keeps current.",
        needs=("plan_goals",),
        population_sql=ACTIVE_WITH_PLAN,
        population_reason="no active episode has a signed plan",
    ),
    Rule(
        "chart_review.late",
        "Insurer chart review answered late",
        ERROR,
        "Documentation requested by an insurer's chart review is supplied within three business days.",
        needs=("chart_review_requests",),
        population_sql="SELECT count(*) FROM stg_chart_review_requests WHERE received_date <= $as_of",
        population_reason="no chart-review request received as of the evaluation date",
    ),
    Rule(
        "thread.note_without_goal",
        "Progress note addresses no goal of the current plan",
        WARNING,
        "Session documentation follows the treatment plan: each progress note addresses a goal of the current plan.",
        needs=("progress_notes",),
        population_sql="SELECT count(*) FROM stg_progress_notes WHERE CAST(signed_at AS DATE) <= $as_of",
        population_reason="no progress note signed as of the evaluation date",
    ),
)

RULES_BY_ID = {rule.rule_id: rule for rule in RULES}
