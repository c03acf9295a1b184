"""Two commands on one database: the second waits a bounded time, then names the holder."""

import os
import subprocess
import sys
import textwrap
import time

from staging_fixtures import build_database

HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from plan_analytics.locking import database_lock
    with database_lock(sys.argv[1], "load"):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)
SESSIONS = """session_id,client_id,provider_id,session_start,modality,status
s1,c1,p1,2026-01-05 10:00,in_person,completed
"""
PLANS = """plan_id,client_id,provider_id,created_at,provider_signed_at
t1,c1,p1,2026-01-05,2026-01-05
"""


def start_holder(db, seconds):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def run_check(db, out, wait_seconds):
    env = dict(os.environ, PLAN_ANALYTICS_BUSY_TIMEOUT=str(wait_seconds), COLUMNS="200")
    command = [sys.executable, "-m", "plan_analytics.cli", "check", "--db", str(db), "--as-of", "2026-02-01", "--out", str(out)]
    return subprocess.run(command, capture_output=True, text=True, env=env)


def make_db(tmp_path):
    db = tmp_path / "qa.duckdb"
    build_database(db, {"sessions": SESSIONS, "treatment_plans": PLANS}).close()
    return db


def test_a_busy_database_is_refused_after_the_wait_naming_the_holder(tmp_path):
    db = make_db(tmp_path)
    holder = start_holder(db, 20)
    try:
        started = time.monotonic()
        result = run_check(db, tmp_path / "out", wait_seconds=1)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 3
    message = " ".join(result.stderr.split())
    assert f"is busy: 'plan-analytics load' (pid {holder.pid}," in message
    assert "Traceback" not in result.stderr
    assert waited >= 1
    assert not (tmp_path / "out" / "findings.csv").exists()


def test_a_waiting_command_proceeds_once_the_holder_finishes(tmp_path):
    db = make_db(tmp_path)
    holder = start_holder(db, 1.5)
    result = run_check(db, tmp_path / "out", wait_seconds=30)
    holder.wait()
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "findings.csv").exists()
