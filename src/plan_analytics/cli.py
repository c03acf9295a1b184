"""`plan-analytics`: small commands over library functions.

Every command's help ends with an example (tests/test_cli_help.py checks it).
Errors are one sentence on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sys
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from .errors import PlanAnalyticsError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Treatment-plan compliance for behavioral-health QA staff.\n\n"
    "Example: plan-analytics load data/sample --db qa.duckdb",
)
console = Console(stderr=True)

log = logging.getLogger("plan_analytics")


@app.callback()
def main_options(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step (ids and counts only, never PHI)."),
) -> None:
    """Treatment-plan compliance for behavioral-health QA staff.

    Example: plan-analytics load data/sample --db qa.duckdb
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("weasyprint", "fontTools", "traitlets", "papermill", "asyncio", "blib2to3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


DB_OPTION = typer.Option(..., "--db", help="DuckDB database file.")
AS_OF_OPTION = typer.Option(None, "--as-of", help="Evaluation date YYYY-MM-DD (default: today).")
POLICY_OPTION = typer.Option(None, "--policy", help="Policy TOML file (default: the spec's defaults).")


def friendly_errors(func):
    """Turn our own errors into one plain sentence and an exit code."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PlanAnalyticsError as exc:
            console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            console.print("[bold red]interrupted[/]")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence
            if os.environ.get("PLAN_ANALYTICS_DEBUG"):
                raise
            # Library messages can quote data values (PHI), so only the type is shown.
            console.print(
                f"[bold red]internal error:[/] {type(exc).__name__} in '{func.__name__}'; "
                "nothing was committed. Set PLAN_ANALYTICS_DEBUG=1 to see the traceback.",
                highlight=False,
            )
            raise typer.Exit(4) from None

    return wrapper


@dataclass
class AuditNote:
    """What a command tells the audit trail besides its arguments."""

    as_of: Optional[dt.date] = None
    policy_digest: Optional[str] = None
    inputs: dict = field(default_factory=dict)
    outputs: list = field(default_factory=list)
    outcome: str = "ok"


def _write_audit(db: Path, command: str, arguments: dict, note: AuditNote) -> None:
    from .audit import file_hashes, record
    from .db import connect

    if not Path(db).exists():
        return
    con = connect(db)
    try:
        record(
            con,
            command=command,
            arguments=arguments,
            outcome=note.outcome,
            as_of=note.as_of,
            policy_digest=note.policy_digest,
            inputs=note.inputs,
            outputs=file_hashes(note.outputs),
        )
    finally:
        con.close()


@contextlib.contextmanager
def audited(db: Path, command: str, arguments: dict):
    """Run a database command under the database's lock, then add it to the audit trail."""
    from .locking import database_lock

    note = AuditNote()
    log.info("%s: waiting for the database lock", command)
    with database_lock(db, command):
        log.info("%s: started", command)
        try:
            yield note
        except PlanAnalyticsError as exc:
            note.outcome = f"failed: {exc}"
            _write_audit(db, command, arguments, note)
            raise
        _write_audit(db, command, arguments, note)
        log.info("%s: finished (%s), %d output files", command, note.outcome, len(note.outputs))


def parse_as_of(value: Optional[str]) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PlanAnalyticsError(f"--as-of {value!r} is not a date in the form YYYY-MM-DD.") from None


def parse_optional_date(value: Optional[str], option: str) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PlanAnalyticsError(f"{option} {value!r} is not a date in the form YYYY-MM-DD.") from None


@app.command()
@friendly_errors
def load(
    data_dir: Path = typer.Argument(..., help="Folder holding the export files."),
    db: Path = DB_OPTION,
    policy: Optional[Path] = POLICY_OPTION,
) -> None:
    """Load an export (format v1) into the database and print the reconciliation.

    Example: plan-analytics load data/sample --db qa.duckdb
    """
    from .loader import load_export
    from .policy import load_policy

    policy_values = load_policy(policy)
    with audited(db, "load", {"data_dir": data_dir, "policy": policy}) as note:
        note.policy_digest = policy_values.digest()
        result = load_export(data_dir, db, policy_values, console=console)
        note.inputs = getattr(result, "input_hashes", {})
        note.outcome = "ok" if result.ok else "failed"
    raise typer.Exit(0 if result.ok else 1)


@app.command()
@friendly_errors
def check(
    db: Path = DB_OPTION,
    out: Path = typer.Option(..., "--out", help="Folder for findings.csv and provider_summary.csv."),
    as_of: Optional[str] = AS_OF_OPTION,
    policy: Optional[Path] = POLICY_OPTION,
    fail_on: Optional[str] = typer.Option(
        None, "--fail-on", help="Exit 1 when findings of this severity (error|warning) exist."
    ),
) -> None:
    """Run every compliance rule as of a date and write the findings.

    Example: plan-analytics check --db qa.duckdb --as-of 2026-11-30 --out reports/2026-11-30
    """
    from .engine import run_check
    from .policy import load_policy

    if fail_on not in (None, "error", "warning"):
        raise PlanAnalyticsError("--fail-on must be 'error' or 'warning'.")
    day, policy_values = parse_as_of(as_of), load_policy(policy)
    arguments = {"out": out, "as_of": day, "policy": policy, "fail_on": fail_on}
    with audited(db, "check", arguments) as note:
        note.as_of, note.policy_digest = day, policy_values.digest()
        result = run_check(db, day, policy_values, out, console=console)
        note.outputs = [result.findings_path, result.summary_path]
    raise typer.Exit(result.exit_code(fail_on))


@app.command()
@friendly_errors
def rules() -> None:
    """List the compliance rules: id, severity, title and the requirement each enforces.

    Example: plan-analytics rules
    """
    from rich.table import Table

    from .registry import RULES

    table = Table("rule_id", "severity", "title", "needs")
    for rule in RULES:
        table.add_row(rule.rule_id, rule.severity, rule.title, ", ".join(rule.needs) or "-")
    Console().print(table)


@app.command()
@friendly_errors
def sample(
    out_dir: Path = typer.Argument(..., help="Folder to write the synthetic export into."),
    providers: int = typer.Option(20, "--providers", help="Number of providers."),
    clients: int = typer.Option(400, "--clients", help="Number of clients."),
    sessions: Optional[int] = typer.Option(
        None, "--sessions", help="Approximate number of sessions (default: about 20 per client)."
    ),
    seed: int = typer.Option(7, "--seed", help="Random seed; the same seed writes the same files."),
    end: str = typer.Option("2026-11-30", "--end", help="Last day of the export's history."),
) -> None:
    """Write a realistic synthetic export (every rule fires; most plans comply).

    Example: plan-analytics sample /tmp/export --providers 20 --clients 400 --seed 7
    """
    from .sample import write_sample

    write_sample(
        out_dir,
        providers=providers,
        clients=clients,
        sessions=sessions,
        seed=seed,
        end_date=parse_optional_date(end, "--end"),
        console=console,
    )


@app.command()
@friendly_errors
def report(
    db: Path = DB_OPTION,
    out: Path = typer.Option(..., "--out", help="Folder; reports go to OUT/<as_of>/."),
    as_of: Optional[str] = AS_OF_OPTION,
    policy: Optional[Path] = POLICY_OPTION,
    provider: Optional[str] = typer.Option(None, "--provider", help="Only this provider's report."),
    all_providers: bool = typer.Option(False, "--all-providers", help="A page for every provider."),
    deidentify: bool = typer.Option(
        False, "--deidentify", help="Replace client IDs by stable salted hashes (for sharing outside QA)."
    ),
    fail_on: Optional[str] = typer.Option(
        None, "--fail-on", help="Exit 1 when findings of this severity (error|warning) exist."
    ),
) -> None:
    """Render the report notebooks to HTML with an index page.

    Example: plan-analytics report --db qa.duckdb --as-of 2026-11-30 --all-providers --out reports
    """
    from .reports import run_reports

    if fail_on not in (None, "error", "warning"):
        raise PlanAnalyticsError("--fail-on must be 'error' or 'warning'.")
    day = parse_as_of(as_of)
    arguments = {"out": out, "as_of": day, "policy": policy, "provider": provider,
                 "all_providers": all_providers, "deidentify": deidentify, "fail_on": fail_on}
    with audited(db, "report", arguments) as note:
        note.as_of = day
        result = run_reports(
            db,
            as_of=day,
            policy_path=policy,
            provider_id=provider,
            all_providers=all_providers,
            out_dir=out,
            deidentify=deidentify,
            console=console,
        )
        note.outputs = list(getattr(result, "outputs", []))
    raise typer.Exit(result.exit_code(fail_on))


@app.command()
@friendly_errors
def packet(
    db: Path = DB_OPTION,
    out: Path = typer.Option(..., "--out", help="Folder; the packet goes to OUT/<request or client>/."),
    request: Optional[str] = typer.Option(None, "--request", help="Chart-review request id."),
    client: Optional[str] = typer.Option(None, "--client", help="Client id (without a request)."),
    date_from: Optional[str] = typer.Option(None, "--from", help="First day of the period (with --client)."),
    date_to: Optional[str] = typer.Option(None, "--to", help="Last day of the period (with --client)."),
    as_of: Optional[str] = AS_OF_OPTION,
    policy: Optional[Path] = POLICY_OPTION,
    include_drafts: bool = typer.Option(False, "--include-drafts", help="Also include unsigned plans."),
) -> None:
    """Build an insurer chart-review packet (PDF and manifest.json) for a request or a client.

    Example: plan-analytics packet --db qa.duckdb --request CR0001 --out packets
    """
    from .packet import build_packet
    from .policy import load_policy

    if (request is None) == (client is None):
        raise PlanAnalyticsError("Give exactly one of --request or --client.")
    day, policy_values = parse_as_of(as_of), load_policy(policy)
    period = parse_optional_date(date_from, "--from"), parse_optional_date(date_to, "--to")
    arguments = {"out": out, "as_of": day, "policy": policy, "request": request, "client": client,
                 "from": period[0], "to": period[1], "include_drafts": include_drafts}
    with audited(db, "packet", arguments) as note:
        note.as_of, note.policy_digest = day, policy_values.digest()
        result = build_packet(
            db,
            as_of=day,
            policy=policy_values,
            request_id=request,
            client_id=client,
            date_from=period[0],
            date_to=period[1],
            out_dir=out,
            include_drafts=include_drafts,
            console=console,
        )
        note.outputs = list(getattr(result, "outputs", []))


@app.command()
@friendly_errors
def audit(
    db: Path = DB_OPTION,
    limit: int = typer.Option(50, "--limit", help="How many of the latest entries to show."),
) -> None:
    """Show the audit trail: who ran which command, when, on what, with what outcome.

    Example: plan-analytics audit --db qa.duckdb --limit 20
    """
    import pandas as pd
    from rich.table import Table

    from .audit import audit_rows
    from .db import connect
    from .locking import database_lock

    with database_lock(db, "audit"):
        con = connect(db, read_only=True)
        try:
            rows = audit_rows(con, limit)
        finally:
            con.close()
    table = Table("logged_at", "user", "command", "as_of", "policy", "outcome", "arguments")
    # pandas 3 keeps missing values missing through astype(str), hence the explicit map.
    for row in rows.map(lambda value: "" if pd.isna(value) else str(value)).itertuples():
        table.add_row(row.logged_at[:19], row.os_user, row.command, row.as_of[:10],
                      row.policy_digest, row.outcome, row.arguments)
    Console().print(table)


def main() -> None:  # pragma: no cover - console entry point
    app(sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover - `python -m plan_analytics.cli`
    main()
