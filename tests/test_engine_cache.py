"""A trend re-evaluates many as-of dates on one connection, reusing as-of-independent
work (clone pairs); every date must still get exactly what a fresh evaluation gives."""

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from plan_analytics.db import connect
from plan_analytics.engine import evaluate_in_place, sorted_findings_sql
from plan_analytics.loader import load_export
from plan_analytics.policy import Policy

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
DATES = [dt.date(2025, 9, 30), dt.date(2026, 3, 31), dt.date(2026, 11, 30)]


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cache") / "sample.duckdb"
    load_export(SAMPLE, path, Policy())
    return path


def findings(con, day, reuse):
    evaluate_in_place(con, day, Policy(), reuse_cache=reuse)
    return con.execute(sorted_findings_sql()).df()


def test_reused_clone_work_gives_the_fresh_answer_for_every_date(sample_db):
    con = connect(sample_db, read_only=True)
    fresh = {day: findings(con, day, reuse=False) for day in DATES}
    chained = {}
    for number, day in enumerate(DATES):
        chained[day] = findings(con, day, reuse=number > 0)
    con.close()
    clones = fresh[DATES[-1]].query("rule_id == 'uniqueness.cloned_plan'")
    assert len(clones) == 4  # the sample's two copied pairs, both sides flagged
    for day in DATES:
        pd.testing.assert_frame_equal(chained[day], fresh[day])
