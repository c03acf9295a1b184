"""A command killed at any moment (SIGKILL, so no Python cleanup runs) leaves the
database exactly as before it or exactly as after it, and never a partial CSV.

The kills hit real `python -m plan_analytics.cli` processes. Delays are measured
from the moment the process holds the database lock (the lock file then names it),
so they land inside the load or check rather than in Python's start-up. A second
family of runs kills the process at exact points (just before COMMIT, just before
each CSV rename) through a small wrapper, because a timer rarely hits those windows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from plan_analytics.formats import RECORD_TYPES
from plan_analytics.loader import load_export
from plan_analytics.policy import Policy
from plan_analytics.sample import write_sample

POLICY = Policy()

# Columns that legitimately differ between two runs of the same command (wall-clock times).
VOLATILE = {"load_manifest": ("loaded_at",), "check_runs": ("started_at", "finished_at")}
LOAD_TABLES = (
    *(f"{layer}_{name}" for name in RECORD_TYPES for layer in ("raw", "stg")),
    "load_manifest",
    "rejected_rows",
    "load_warnings",
)
CHECK_TABLES = ("check_runs", "findings", "rule_status")
CHECK_AS_OF_OLD, CHECK_AS_OF_NEW = "2026-05-31", "2026-06-30"


# --- helpers ------------------------------------------------------------------------------


def table_state(db: Path, tables: tuple[str, ...]) -> dict[str, tuple]:
    """(row count, md5 of every row as JSON in sorted order) per table; None for a missing table.

    The database is reopened read-write, as the next command would (this replays the WAL)."""
    con = duckdb.connect(str(db))
    try:
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        state = {}
        for table in tables:
            if table not in present:
                state[table] = None
                continue
            excluded = VOLATILE.get(table)
            select = f"SELECT * EXCLUDE ({', '.join(excluded)})" if excluded else "SELECT *"
            state[table] = con.execute(
                "SELECT count(*), md5(coalesce(string_agg(j, chr(10) ORDER BY j), '')) "
                f"FROM (SELECT to_json(t)::VARCHAR AS j FROM ({select} FROM {table}) t)"
            ).fetchall()[0]
        return state
    finally:
        con.close()


def copy_db(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def cli_env(**extra) -> dict:
    return dict(os.environ, COLUMNS="200", **extra)


@dataclass
class Run:
    """One CLI process, killed `delay` seconds after it took the database lock (None: never killed)."""

    name: str
    argv: list[str]
    db: Path
    delay: float | None
    watch: Path | None = None  # a file whose content is sampled while the process runs
    process: subprocess.Popen | None = None
    locked_at: float | None = None
    killed: bool = False
    seen: set = field(default_factory=set)

    @property
    def lock(self) -> Path:
        return Path(str(self.db) + ".lock")


def run_all(runs: list[Run], timeout: float = 240) -> None:
    """Start every run at once, kill each at its moment, sample watched files, wait for all."""
    for run in runs:
        run.process = subprocess.Popen(
            run.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=cli_env()
        )
    deadline = time.monotonic() + timeout
    while any(r.process.poll() is None for r in runs):
        assert time.monotonic() < deadline, "a CLI process did not finish"
        now = time.monotonic()
        for run in runs:
            if run.process.poll() is not None:
                continue
            if run.watch is not None and run.watch.exists():
                run.seen.add(run.watch.read_bytes())
            if run.locked_at is None and run.lock.exists() and run.lock.stat().st_size > 0:
                run.locked_at = now
            if run.delay is not None and run.locked_at is not None and now >= run.locked_at + run.delay:
                run.process.send_signal(signal.SIGKILL)
                run.killed = True
        time.sleep(0.005)
    for run in runs:
        run.process.wait()
        if run.watch is not None and run.watch.exists():
            run.seen.add(run.watch.read_bytes())


# --- load ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    base = tmp_path_factory.mktemp("crash_exports")
    small, big = base / "small", base / "big"
    write_sample(small, providers=5, clients=100, sessions=None, seed=1, end_date=dt.date(2026, 6, 30), console=None)
    # Big enough that the load runs for a few seconds; its ids overlap the small export's,
    # so the load replaces records as well as adding them.
    write_sample(big, providers=50, clients=1500, sessions=None, seed=3, end_date=dt.date(2026, 11, 30), console=None)
    return small, big


@pytest.fixture(scope="module")
def load_states(tmp_path_factory, exports):
    """The database after load 1, its state, and the state after an uninterrupted load 2."""
    small, big = exports
    base = tmp_path_factory.mktemp("crash_load")
    before_db = base / "before.duckdb"
    load_export(small, before_db, POLICY)
    before = table_state(before_db, LOAD_TABLES)
    after_db = copy_db(before_db, base / "after.duckdb")
    load_export(big, after_db, POLICY)
    after = table_state(after_db, LOAD_TABLES)
    assert before != after
    assert before["stg_sessions"][0] > 0 and after["stg_sessions"][0] > before["stg_sessions"][0]
    return before_db, before, after


def load_argv(export: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "plan_analytics.cli", "load", str(export), "--db", str(db)]


def test_a_killed_load_leaves_the_database_before_or_after(tmp_path, exports, load_states):
    _, big = exports
    before_db, before, after = load_states
    delays = (0.0, 0.4, 1.2, None)
    runs = []
    for i, delay in enumerate(delays):
        db = copy_db(before_db, tmp_path / f"k{i}" / "qa.duckdb")
        runs.append(Run(f"kill after {delay}s" if delay is not None else "never killed", load_argv(big, db), db, delay))
    run_all(runs)

    outcomes = {}
    for run in runs:
        stderr = run.process.stderr.read().decode()
        assert "Traceback" not in stderr, run.name
        if run.delay is None:
            assert run.process.returncode == 0, (run.name, stderr)
        else:
            assert run.process.returncode in (0, -signal.SIGKILL), (run.name, stderr)
        state = table_state(run.db, LOAD_TABLES)
        assert state in (before, after), f"{run.name}: the database is neither as before nor as after the load"
        outcomes[run.name] = "before" if state == before else "after"
    # Killed right after taking the lock, the load cannot have committed; never killed, it has.
    assert outcomes["kill after 0.0s"] == "before"
    assert outcomes["never killed"] == "after"
    assert sum(r.killed and r.process.returncode == -signal.SIGKILL for r in runs) >= 2

    # The killed process left its lock file behind, still naming it; the kernel released
    # the flock, so the next command takes the lock at once (no wait allowed here)
    # and a retried load converges on exactly the uninterrupted result.
    stale = runs[0]
    assert stale.process.returncode == -signal.SIGKILL
    holder = json.loads(stale.lock.read_text())
    assert holder["pid"] == stale.process.pid and holder["command"] == "load"
    started = time.monotonic()
    retry = subprocess.run(
        load_argv(big, stale.db), capture_output=True, text=True, env=cli_env(PLAN_ANALYTICS_BUSY_TIMEOUT="0")
    )
    assert retry.returncode == 0, retry.stderr
    assert "busy" not in retry.stderr
    assert time.monotonic() - started < 60
    assert table_state(stale.db, LOAD_TABLES) == after


@pytest.mark.slow  # a minute or more: one load at a time, so the kill moments are exact
def test_kills_spread_over_the_whole_load_including_commit(tmp_path, exports, load_states):
    """Measure how long the load holds the lock when it runs alone, then kill single runs at
    fractions of that time, up to and past the COMMIT and the audit entry."""
    _, big = exports
    before_db, before, after = load_states
    probe = Run("probe", load_argv(big, copy_db(before_db, tmp_path / "probe" / "qa.duckdb")), tmp_path / "probe" / "qa.duckdb", None)
    run_all([probe])
    assert probe.process.returncode == 0 and probe.locked_at is not None
    held = time.monotonic() - probe.locked_at  # an upper bound: the run ended before this moment
    outcomes = []
    for i, fraction in enumerate((0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0, 1.05)):
        db = copy_db(before_db, tmp_path / f"f{i}" / "qa.duckdb")
        run = Run(f"kill at {fraction:.0%}", load_argv(big, db), db, fraction * held)
        run_all([run])
        assert run.process.returncode in (0, -signal.SIGKILL), run.name
        state = table_state(db, LOAD_TABLES)
        assert state in (before, after), f"{run.name}: the database is neither as before nor as after the load"
        outcomes.append("before" if state == before else "after")
    assert outcomes[0] == "before"
    # Once one kill finds the load committed, every later one does too.
    assert outcomes == sorted(outcomes, key=["before", "after"].index)


def test_a_stale_lock_file_does_not_block_the_next_command(tmp_path):
    """flock belongs to the open file description: SIGKILL closes it, the kernel drops the lock."""
    db = tmp_path / "qa.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import sys, time
                from plan_analytics.locking import database_lock
                with database_lock(sys.argv[1], "load", wait_seconds=0):
                    print("held", flush=True)
                    time.sleep(600)
                """
            ),
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    from plan_analytics.errors import DatabaseBusyError
    from plan_analytics.locking import database_lock, lock_path

    with pytest.raises(DatabaseBusyError):  # really held while the holder lives
        with database_lock(db, "check", wait_seconds=0):
            pass
    holder.send_signal(signal.SIGKILL)
    assert holder.wait() == -signal.SIGKILL
    assert json.loads(lock_path(db).read_text())["pid"] == holder.pid  # the file is stale, not removed
    with database_lock(db, "check", wait_seconds=0):
        assert json.loads(lock_path(db).read_text())["command"] == "check"
    assert lock_path(db).read_text() == ""


# --- check --------------------------------------------------------------------------------

# Runs the real CLI, but SIGKILLs itself at an exact point.
KILL_AT = textwrap.dedent(
    """
    import os, signal, sys
    from plan_analytics import cli, engine

    point, argv = sys.argv[1], sys.argv[2:]

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "before_commit":
        record_run = engine._record_run

        def record_then_die(*args, **kwargs):
            record_run(*args, **kwargs)
            die()  # the run's rows are inserted, COMMIT not yet sent

        engine._record_run = record_then_die
    else:  # before_rename_N: the N-th CSV is fully written to its temp name, not yet renamed
        wanted, calls, replace = int(point.rsplit("_", 1)[1]), [], os.replace

        def replace_or_die(src, dst):
            calls.append(dst)
            if len(calls) == wanted:
                die()
            replace(src, dst)

        os.replace = replace_or_die
    cli.app(argv, prog_name="plan-analytics")
    """
)


def check_args(db: Path, out: Path) -> list[str]:
    return ["check", "--db", str(db), "--as-of", CHECK_AS_OF_NEW, "--out", str(out)]


def csv_files(out: Path) -> dict[str, bytes | None]:
    return {name: (out / name).read_bytes() if (out / name).exists() else None for name in ("findings.csv", "provider_summary.csv")}


@pytest.fixture(scope="module")
def check_states(tmp_path_factory, load_states):
    """A database with one check run and its CSVs; the states before and after a second check."""
    from plan_analytics.engine import run_check

    before_db, _, _ = load_states
    base = tmp_path_factory.mktemp("crash_check")
    db = copy_db(before_db, base / "before" / "qa.duckdb")
    out = base / "before" / "out"
    run_check(db, dt.date.fromisoformat(CHECK_AS_OF_OLD), POLICY, out)
    before = table_state(db, CHECK_TABLES), csv_files(out)
    after_db = copy_db(db, base / "after" / "qa.duckdb")
    after_out = base / "after" / "out"
    shutil.copytree(out, after_out)
    run_check(after_db, dt.date.fromisoformat(CHECK_AS_OF_NEW), POLICY, after_out)
    after = table_state(after_db, CHECK_TABLES), csv_files(after_out)
    assert before[0] != after[0] and before[1]["findings.csv"] != after[1]["findings.csv"]
    return db, out, before, after


@pytest.mark.slow  # about a minute: each check process spends seconds importing the ICD-10 table
def test_a_killed_check_leaves_old_or_complete_results(tmp_path, check_states):
    db0, out0, (tables_before, csv_before), (tables_after, csv_after) = check_states

    def prepared(name: str, with_old_csvs: bool = True) -> tuple[Path, Path]:
        db = copy_db(db0, tmp_path / name / "qa.duckdb")
        out = tmp_path / name / "out"
        if with_old_csvs:
            shutil.copytree(out0, out)
        return db, out

    runs, outs = [], {}
    timed = (0.0, 0.5, 1.5, None)
    for i, delay in enumerate(timed):
        db, out = prepared(f"t{i}")
        name = f"kill after {delay}s" if delay is not None else "never killed"
        runs.append(Run(name, [sys.executable, "-m", "plan_analytics.cli", *check_args(db, out)], db, delay, out / "findings.csv"))
        outs[name] = out
    points = {"before_commit": True, "before_rename_1": True, "before_rename_2": True, "before_rename_1 (first check)": False}
    for point, with_old in points.items():
        db, out = prepared(point.split()[0] + ("_new" if not with_old else ""), with_old)
        argv = [sys.executable, "-c", KILL_AT, point.split()[0], *check_args(db, out)]
        runs.append(Run(point, argv, db, None, out / "findings.csv"))
        outs[point] = out
    run_all(runs)

    outcome = {}
    for run in runs:
        stderr = run.process.stderr.read().decode()
        assert "Traceback" not in stderr, (run.name, stderr)
        assert run.process.returncode in (0, -signal.SIGKILL), (run.name, stderr)
        tables = table_state(run.db, CHECK_TABLES)
        first_check = run.name.endswith("(first check)")
        old_csv = csv_before if not first_check else {"findings.csv": None, "provider_summary.csv": None}
        assert tables in (tables_before, tables_after), f"{run.name}: check tables neither before nor after"
        csvs = csv_files(outs[run.name])
        for name, content in csvs.items():
            assert content in (old_csv[name], csv_after[name]), f"{run.name}: {name} is partial"
            if content == csv_after[name] and content != old_csv[name]:
                assert tables == tables_after, f"{run.name}: {name} written but the run not committed"
        # Sampled while the process ran: findings.csv was only ever absent, old or complete.
        assert run.seen <= {csv_before["findings.csv"], csv_after["findings.csv"]} - {None}, run.name
        outcome[run.name] = (
            "after" if tables == tables_after else "before",
            *("new" if c == csv_after[n] else "old" if c is not None else "absent" for n, c in csvs.items()),
        )

    assert outcome["kill after 0.0s"] == ("before", "old", "old")
    assert outcome["never killed"] == ("after", "new", "new")
    assert outcome["before_commit"] == ("before", "old", "old")
    assert outcome["before_rename_1"] == ("after", "old", "old")
    assert outcome["before_rename_2"] == ("after", "new", "old")
    assert outcome["before_rename_1 (first check)"] == ("after", "absent", "absent")
    # The killed writer leaves its owner-only temp file (a dot name, never findings.csv).
    leftovers = list(outs["before_rename_1"].glob(".findings.csv.*.tmp"))
    assert len(leftovers) == 1 and leftovers[0].stat().st_mode & 0o077 == 0
