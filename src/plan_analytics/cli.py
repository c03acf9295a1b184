"""`plan-analytics`: small commands over library functions.

Every command's help ends with an example (tests/test_cli_help.py checks it).
Errors are one sentence on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import sys
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

    return wrapper


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

    result = load_export(data_dir, db, load_policy(policy), console=console)
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
    result = run_check(db, parse_as_of(as_of), load_policy(policy), out, console=console)
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
    result = run_reports(
        db,
        as_of=parse_as_of(as_of),
        policy_path=policy,
        provider_id=provider,
        all_providers=all_providers,
        out_dir=out,
        deidentify=deidentify,
        console=console,
    )
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
    build_packet(
        db,
        as_of=parse_as_of(as_of),
        policy=load_policy(policy),
        request_id=request,
        client_id=client,
        date_from=parse_optional_date(date_from, "--from"),
        date_to=parse_optional_date(date_to, "--to"),
        out_dir=out,
        include_drafts=include_drafts,
        console=console,
    )


def main() -> None:  # pragma: no cover - console entry point
    app(sys.argv[1:])
