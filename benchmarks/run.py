"""Benchmark: plan-analytics against DuckDB's own CSV reader, on the same files, in one run.

    .venv/bin/python benchmarks/run.py                 # 1 M and 10 M sessions
    .venv/bin/python benchmarks/run.py --sizes 1m      # one size
    .venv/bin/python benchmarks/run.py --sizes 100k --skip-report

For each size it generates (once, cached under benchmarks/data/) a synthetic
export with `plan-analytics sample`, then times, each in its own process so
peak RSS is that step's alone (os.wait4):
  reference  DuckDB `CREATE TABLE AS SELECT * FROM read_csv(...)` of every file
  load       `plan-analytics load`
  check      `plan-analytics check` (all 14 rules)
  report     `plan-analytics report --all-providers`
and prints a Markdown table with wall time, peak RSS and the ratio to the reference.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
BIN = Path(sys.executable).parent
AS_OF = "2026-11-30"

# sessions -> (providers, clients); about 10 sessions per client as in a year of care.
SIZES = {
    "100k": (100_000, 200, 10_000),
    "1m": (1_000_000, 2_000, 100_000),
    "10m": (10_000_000, 20_000, 1_000_000),
}

REFERENCE_SCRIPT = """
import sys, duckdb, pathlib
folder, db = pathlib.Path(sys.argv[1]), sys.argv[2]
con = duckdb.connect(db)
con.execute("SET memory_limit = '4GB'")
for path in sorted(folder.glob('*.csv')):
    con.execute(f"CREATE TABLE {path.stem} AS SELECT * FROM read_csv(?)", [str(path)])
con.close()
"""


def _tree_rss_kib(root: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc), in KiB."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, grown = {root}, True
    while grown:
        grown = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grown = True
    total = 0
    for pid in tree:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def timed(command: list[str]) -> tuple[float, float, float]:
    """Run a command; return wall seconds, the peak RSS of its own process (os.wait4) and the
    peak summed RSS of its whole process tree (report kernels included), sampled every 0.2 s, in MiB."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree_peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            tree_peak[0] = max(tree_peak[0], _tree_rss_kib(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(command[:3])} failed:\n{stderr[-2000:]}")
    own = usage.ru_maxrss / 1024
    return elapsed, own, max(tree_peak[0] / 1024, own)


def ensure_sample(size: str) -> Path:
    sessions, providers, clients = SIZES[size]
    folder = DATA / size
    if not (folder / "sessions.csv").exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"generating {size} sample ...", file=sys.stderr)
        seconds, rss, _ = timed([
            str(BIN / "plan-analytics"), "sample", str(folder), "--providers", str(providers),
            "--clients", str(clients), "--sessions", str(sessions), "--seed", "11",
        ])
        print(f"  sample: {seconds:.1f} s, peak {rss:.0f} MiB", file=sys.stderr)
    return folder


WEEK_SCRIPT = """
import sys, duckdb
folder, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
# The last week of sessions and every plan created in it, as a weekly export would carry them.
for name, column in (("sessions", "session_start"), ("treatment_plans", "created_at")):
    con.execute(
        f"COPY (SELECT * FROM read_csv('{folder}/{name}.csv', all_varchar=true) "
        f"WHERE try_cast({column} AS TIMESTAMP) >= TIMESTAMP '2026-11-23') TO '{out}/{name}.csv' (HEADER)"
    )
"""


def week_export(folder: Path, work: Path) -> Path:
    week = work / "week"
    week.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-c", WEEK_SCRIPT, str(folder), str(week)], check=True)
    return week


def bench(size: str, skip_report: bool):
    """Yield (step, wall s, own peak MiB, tree peak MiB) as each step finishes."""
    folder = ensure_sample(size)
    work = DATA / f"{size}-work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    yield ("reference: DuckDB read_csv of every file",
           *timed([sys.executable, "-c", REFERENCE_SCRIPT, str(folder), str(work / "reference.duckdb")]))
    db = str(work / "qa.duckdb")
    yield ("plan-analytics load", *timed([str(BIN / "plan-analytics"), "load", str(folder), "--db", db]))
    yield ("plan-analytics check (14 rules)", *timed([
        str(BIN / "plan-analytics"), "check", "--db", db, "--as-of", AS_OF, "--out", str(work / "check")]))
    yield ("plan-analytics load of one more week (incremental)", *timed([
        str(BIN / "plan-analytics"), "load", str(week_export(folder, work)), "--db", db]))
    yield ("plan-analytics check after that week (Monday run)", *timed([
        str(BIN / "plan-analytics"), "check", "--db", db, "--as-of", AS_OF, "--out", str(work / "check-week")]))
    if not skip_report:
        yield ("plan-analytics report --all-providers", *timed([
            str(BIN / "plan-analytics"), "report", "--db", db, "--as-of", AS_OF, "--all-providers",
            "--out", str(work / "reports")]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1m,10m", help="comma-separated: " + ", ".join(SIZES))
    parser.add_argument("--skip-report", action="store_true")
    args = parser.parse_args()
    print("| size | step | wall s | peak RSS MiB (process) | peak RSS MiB (with child processes) | × reference |")
    print("|---|---|---:|---:|---:|---:|")
    for size in args.sizes.split(","):
        reference = None
        for name, seconds, rss, tree_rss in bench(size, args.skip_report):
            reference = reference or seconds
            print(f"| {size} sessions | {name} | {seconds:.1f} | {rss:.0f} | {tree_rss:.0f} | {seconds / reference:.2f} |",
                  flush=True)


if __name__ == "__main__":
    main()
