"""Narrative text of plans and their goals, built column-wise.

Every random draw is made per plan and then indexed by `plans.content`, so a
cloned plan carries its source's wording exactly (only the client's own first
name differs, and the clone rule removes that) plus one added sentence.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import sample_vocab as V
from .sample_plans import REVIEW, Plans
from .sample_text import concat, distinct_picks, flatten, ints_as_text, join, render, strings
from .sample_timeline import DAY, Clients, Completed, Config, Episodes

_PROBLEMS = flatten([c.problems for c in V.CATEGORIES])
_TRIGGERS = flatten([c.triggers for c in V.CATEGORIES])
_SYMPTOMS = flatten([c.symptoms for c in V.CATEGORIES])
_INTERVENTIONS = flatten([c.interventions for c in V.CATEGORIES])
_DIAGNOSES = flatten([c.diagnoses for c in V.CATEGORIES])
_GOALS = flatten([c.goals for c in V.CATEGORIES])
_GOAL_LIST = [g for c in V.CATEGORIES for g in c.goals]
_STEPS = flatten([g.steps for g in _GOAL_LIST])
_OUTCOMES = flatten([g.outcomes for g in _GOAL_LIST])

THERAPY_SPELLINGS = ("individual", "couple", "family", "group", "Couples", V.UNKNOWN_THERAPY_TYPE)
COUPLES_MESSY, THERAPY_UNKNOWN = 4, 5


def _numbers(rng_values: np.ndarray, low: int, high: int) -> pa.Array:
    return ints_as_text(low + (rng_values * (high - low + 1)).astype(np.int64))


def _mask(n: int, rows: np.ndarray) -> pa.Array:
    mask = np.zeros(n, bool)
    mask[rows] = True
    return pa.array(mask)


class PlanContent:
    """Per-plan random draws (made once, indexed by the content source) and the derived columns."""

    def __init__(self, rng: np.random.Generator, plans: Plans, eps: Episodes, clients: Clients,
                 comp: Completed, cfg: Config, first_names: pa.Array):
        self.plans, self.cfg = plans, cfg
        n = len(plans)
        self.n = n
        src = plans.content
        client = eps.client[plans.episode]
        self.first = first_names.take(pa.array(clients.first[client]))  # the plan's own client
        self.category = clients.category[client][src]
        self.diagnosis = clients.diagnosis[client][src]
        self.birth_day = clients.birth_day[client][src]
        self.u = rng.random((n, 24))[src]  # uniforms for every single-valued choice
        self.goal_u = rng.random((n, 4, 16))[src]  # uniforms per goal slot
        self.goal_pick = distinct_picks(rng, np.array([len(c.goals) for c in V.CATEGORIES])[self.category], 4)
        self.symptom_pick = distinct_picks(rng, _SYMPTOMS[2][self.category], 4)[src]
        self.history_pick = distinct_picks(rng, np.full(n, len(V.HISTORY_TEMPLATES)), 2)[src]
        self.intervention_pick = distinct_picks(rng, _INTERVENTIONS[2][self.category], 3)[src]
        self.goal_pick = self.goal_pick[src]
        self.since_day = comp.day[plans.since_pos][src]
        sign_pos = np.where(plans.sign_pos >= 0, plans.sign_pos, plans.since_pos)
        self.count_before = (sign_pos - plans.since_pos + 1)[src]
        self.cadence = eps.cadence[plans.episode][src]
        self.cpt = eps.cpt_main[plans.episode][src]

    def _choice(self, column: int, size: int | np.ndarray) -> np.ndarray:
        return (self.u[:, column] * size).astype(np.int64)

    def _within(self, column: int, pool) -> np.ndarray:
        _flat, offsets, sizes = pool
        return offsets[self.category] + (self.u[:, column] * sizes[self.category]).astype(np.int64)

    # ------------------------------------------------------------ plan columns

    def reason(self) -> pa.Array:
        values = {
            "first": self.first,
            "referrer": strings(V.REFERRERS).take(pa.array(self._choice(0, len(V.REFERRERS)))),
            "family": strings(V.FAMILY).take(pa.array(self._choice(1, len(V.FAMILY)))),
            "problem": render(_PROBLEMS[0], self._within(2, _PROBLEMS), {"n": _numbers(self.u[:, 3], 3, 14)}),
            "trigger": strings(_TRIGGERS[0]).take(pa.array(self._within(4, _TRIGGERS))),
        }
        return render(V.REASON_TEMPLATES, self._choice(5, len(V.REASON_TEMPLATES)), values)

    def symptoms(self) -> pa.Array:
        offsets = _SYMPTOMS[1][self.category]
        clauses = [
            render(_SYMPTOMS[0], offsets + self.symptom_pick[:, j],
                   {"n": _numbers(self.u[:, 6 + j], 2, 7), "m": _numbers(self.u[:, 10 + j], 9, 24),
                    "family": strings(V.FAMILY).take(pa.array(self._choice(1, len(V.FAMILY))))})
            for j in range(4)
        ]
        four = pa.array(self.u[:, 14] < 0.5)
        third = pc.if_else(four, clauses[2], pa.nulls(self.n, pa.string()))
        last = pc.if_else(four, clauses[3], clauses[2])
        lead = render(V.SYMPTOM_LEADS, self._choice(15, len(V.SYMPTOM_LEADS)), {"first": self.first})
        text = concat(lead, concat(clauses[0], clauses[1], third, sep=", "), " and ", last, ".")
        blank = self.plans.scenario["completeness.blank_symptoms"]
        return pc.if_else(_mask(self.n, blank), " ", text)

    def treatment_history(self) -> pa.Array:
        values = {
            "first": self.first,
            "year": self._history_years(),
            "n": _numbers(self.u[:, 17], 2, 11),
            "m": _numbers(self.u[:, 18], 12, 40),
            "med": strings(V.MEDICATIONS).take(pa.array(self._choice(19, len(V.MEDICATIONS)))),
        }
        first = render(V.HISTORY_TEMPLATES, self.history_pick[:, 0], values)
        second = render(V.HISTORY_TEMPLATES, self.history_pick[:, 1], values)
        second = pc.if_else(pa.array(self.u[:, 20] < 0.45), second, pa.nulls(self.n, pa.string()))
        review = self._review_sentence()
        return concat(concat(first, second, sep=" "), review)

    def _history_years(self) -> pa.Array:
        """A year of earlier treatment: after the client's sixth birthday, before the end date."""
        end_year = int(1970 + self.cfg.end_day // 365.2425)
        first = np.maximum((self.birth_day // 365.2425 + 1970).astype(np.int64) + 6, 2008)
        first = np.minimum(first, end_year - 1)
        return ints_as_text(first + (self.u[:, 16] * (end_year - first)).astype(np.int64))

    def _review_sentence(self) -> pa.Array:
        since = pa.array(self.since_day.astype("datetime64[D]"))
        month = pc.strftime(since, format="%B %Y")
        text = render(V.REVIEW_HISTORY, self._choice(21, len(V.REVIEW_HISTORY)),
                      {"since": month, "count": ints_as_text(self.count_before)})
        is_review = pa.array((self.plans.kind == REVIEW)[self.plans.content])
        return pc.if_else(is_review, text, pa.nulls(self.n, pa.string()))

    def interventions(self) -> pa.Array:
        offsets = _INTERVENTIONS[1][self.category]
        pool = strings(_INTERVENTIONS[0])
        picks = [pool.take(pa.array(offsets + self.intervention_pick[:, j])) for j in range(3)]
        picks[2] = pc.if_else(pa.array(self.u[:, 22] < 0.5), picks[2], pa.nulls(self.n, pa.string()))
        general = strings(V.GENERAL_INTERVENTIONS).take(pa.array(self._choice(23, len(V.GENERAL_INTERVENTIONS))))
        general = pc.if_else(pa.array(self.u[:, 14] > 0.5), general, pa.nulls(self.n, pa.string()))
        methods = concat(*picks, general, sep="; ")
        minutes = np.select([self.cpt == 90837, self.cpt == 90834], [55, 45], 50)
        weekly = render(V.FREQUENCY_WEEKLY, self._choice(2, 3), {"minutes": ints_as_text(minutes)})
        biweekly = render(V.FREQUENCY_BIWEEKLY, self._choice(2, 3), {"minutes": ints_as_text(minutes)})
        frequency = pc.if_else(pa.array(self.cadence == 7), weekly, biweekly)
        text = concat(methods, ". ", frequency)
        scenario = self.plans.scenario
        text = pc.if_else(_mask(self.n, scenario["uniqueness.cloned_plan"]), concat(text, V.CLONE_TWEAK), text)
        return pc.if_else(_mask(self.n, scenario["completeness.tbd_interventions"]), "TBD", text)

    def diagnosis_codes(self) -> pa.Array:
        codes = strings(_DIAGNOSES[0]).take(pa.array(_DIAGNOSES[1][self.category] + self.diagnosis))
        # Exports differ: some drop the dot, some separate with a comma.
        codes = pc.if_else(pa.array(self.u[:, 3] < 0.04), pc.replace_substring(codes, ".", ""), codes)
        codes = pc.if_else(pa.array(self.u[:, 4] < 0.06), pc.replace_substring(codes, ";", ", "), codes)
        scenario = self.plans.scenario
        codes = pc.if_else(_mask(self.n, scenario["completeness.diagnosis_invalid"]), concat(codes, ";Z99.999"), codes)
        return pc.if_else(_mask(self.n, scenario["completeness.diagnosis_not_billable"]), "F41", codes)

    # ------------------------------------------------------------ goals

    def goals(self) -> dict[str, object]:
        """Goal rows of all plans: plan index, goal number and the text columns."""
        plan = np.repeat(np.arange(self.n), self.plans.n_goals)
        slot = np.arange(len(plan)) - np.repeat(np.cumsum(self.plans.n_goals) - self.plans.n_goals, self.plans.n_goals)
        u = self.goal_u[plan, slot]
        category = self.category[plan]
        goal = _GOALS[1][category] + self.goal_pick[plan, slot]
        first = self.first.take(pa.array(plan))
        family = strings(V.FAMILY).take(pa.array((u[:, 15] * len(V.FAMILY)).astype(np.int64)))
        return {
            "plan": plan,
            "goal_number": slot + 1,
            "goal": self._goal_text(goal, first),
            "steps": self._steps(goal, u, family),
            "desired_outcome": render(
                _OUTCOMES[0], _OUTCOMES[1][goal] + (u[:, 8] * _OUTCOMES[2][goal]).astype(np.int64),
                {"n": _numbers(u[:, 9], 2, 7), "m": _numbers(u[:, 10], 8, 24), "family": family}),
            "target_day": self._target_days(plan, slot, u),
        }

    @staticmethod
    def _goal_text(goal: np.ndarray, first: pa.Array) -> pa.Array:
        return render([g.text for g in _GOAL_LIST], goal, {"first": first})

    def _steps(self, goal: np.ndarray, u: np.ndarray, family: pa.Array) -> pa.Array:
        sizes = _STEPS[2][goal]
        keys = np.where(np.arange(5)[None, :] < sizes[:, None], u[:, :5], 2.0)
        picks = np.argsort(keys, axis=1)
        count = 2 + (u[:, 5] < 0.45)
        lines = []
        for j in range(3):
            text = render(_STEPS[0], _STEPS[1][goal] + picks[:, j],
                          {"n": _numbers(u[:, 12 + j], 2, 6), "m": _numbers(u[:, 11], 8, 15), "family": family})
            if j == 2:
                text = pc.if_else(pa.array(count > 2), text, pa.nulls(len(goal), pa.string()))
            lines.append(text)
        general = render(V.GENERAL_STEPS, (u[:, 7] * len(V.GENERAL_STEPS)).astype(np.int64),
                         {"n": _numbers(u[:, 6], 2, 5)})
        lines.append(pc.if_else(pa.array(u[:, 6] < 0.4), general, pa.nulls(len(goal), pa.string())))
        numbered = []
        position = np.ones(len(goal), np.int64)
        for text in lines:
            present = np.asarray(pc.is_valid(text))
            label = concat(ints_as_text(position), ". ")
            numbered.append(join(label, text))  # null when the step is absent
            position += present
        # Several steps in one field, one per line: the CSV carries quoted newlines.
        return concat(*numbered, sep="\n")

    def _target_days(self, plan: np.ndarray, slot: np.ndarray, u: np.ndarray) -> np.ndarray:
        created_day = self.plans.created[plan] // DAY
        target = created_day + 180 + (u[:, 11] * 186).astype(np.int64)
        scenario = self.plans.scenario
        first_goal = slot == 0
        before = first_goal & np.isin(plan, scenario["completeness.target_before_created"])
        target[before] = created_day[before] - 1 - (u[before, 3] * 30).astype(np.int64)
        passed = first_goal & np.isin(plan, scenario["goal.target_date_passed"])
        room = self.cfg.end_day - created_day[passed] - 30
        target[passed] = created_day[passed] + 30 + (u[passed, 3] * room).astype(np.int64)
        return target
