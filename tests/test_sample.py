"""The synthetic export generator and the committed sample in data/sample/."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from plan_analytics.formats import RECORD_TYPES
from plan_analytics.sample import write_sample

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def read_rows(directory: Path, name: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(directory / f"{name}.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_sample(out, providers=20, clients=400, seed=7)
    return out


@pytest.fixture(scope="module")
def sample() -> dict[str, list[dict[str, str]]]:
    return {name: read_rows(SAMPLE, name)[1] for name in RECORD_TYPES}


def test_committed_sample_is_regenerated_byte_for_byte(regenerated):
    committed = sorted(p.name for p in SAMPLE.iterdir())
    assert committed == sorted(p.name for p in regenerated.iterdir())
    for name in committed:
        assert (regenerated / name).read_bytes() == (SAMPLE / name).read_bytes(), name


@pytest.mark.parametrize("name", list(RECORD_TYPES))
def test_files_have_the_columns_of_formats(name):
    header, _rows = read_rows(SAMPLE, name)
    assert header == RECORD_TYPES[name].column_names


def test_sizes_are_in_the_requested_range(sample):
    assert len(sample["providers"]) == 20
    assert len(sample["clients"]) == 400
    assert 7_000 <= len(sample["sessions"]) <= 9_000
    assert sum(p.stat().st_size for p in SAMPLE.iterdir()) < 5_000_000


def test_every_session_refers_to_a_known_provider_and_client(sample):
    providers = {r["provider_id"] for r in sample["providers"]}
    clients = {r["client_id"] for r in sample["clients"]}
    sessions = sample["sessions"]
    # The one deliberately bad row without a client is the only exception.
    assert [r["session_id"] for r in sessions if r["client_id"] not in clients] == ["S008023"]
    assert all(r["provider_id"] in providers for r in sessions)


def test_chart_reviews_include_the_open_demo_request(sample):
    requests = sample["chart_review_requests"]
    assert len(requests) == 30
    demo = requests[0]
    assert demo["request_id"] == "CR0001"
    assert demo["fulfilled_date"] == ""
    assert "2026-11-23" <= demo["received_date"] <= "2026-11-30"
    in_period = [
        s for s in sample["sessions"]
        if s["client_id"] == demo["client_id"] and demo["records_from"] <= s["session_start"][:10] <= demo["records_to"]
    ]
    assert in_period


def test_goal_steps_hold_one_step_per_line(sample):
    steps = [g["steps"] for g in sample["plan_goals"]]
    assert steps and all(s.startswith("1. ") and "\n2. " in s for s in steps)


def test_every_goal_and_note_points_at_an_existing_row(sample):
    plans = {p["plan_id"] for p in sample["treatment_plans"]}
    sessions = {s["session_id"] for s in sample["sessions"]}
    assert {g["plan_id"] for g in sample["plan_goals"]} <= plans
    assert {n["session_id"] for n in sample["progress_notes"]} <= sessions


def test_same_seed_same_output_other_seed_other_output(tmp_path, regenerated):
    write_sample(tmp_path / "other", providers=20, clients=400, seed=8)
    assert (tmp_path / "other" / "sessions.csv").read_bytes() != (regenerated / "sessions.csv").read_bytes()


def test_sessions_option_scales_the_total(tmp_path):
    rows = write_sample(tmp_path, providers=5, clients=300, sessions=3_000, seed=3)
    assert 2_600 <= rows["sessions"] <= 3_400
