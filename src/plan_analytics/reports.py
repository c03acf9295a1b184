"""`plan-analytics report`: run the report notebooks and write static HTML with an index.

Layout of OUT/<as_of>/ (folders 0700, files 0600, each written to a temporary
name and renamed into place):

  index.html                    links every report (and every provider page)
  network_overview.html/.ipynb  all providers, client IDs only
  chart_review_status.html/.ipynb
  provider_<id>.html/.ipynb     with --provider
  providers/<id>.html           with --all-providers

Scale: the notebooks are a handful of kernels whatever the network's size.
`--all-providers` never starts a kernel per provider: this process evaluates the
rules once and renders every provider's page with Jinja2 from that evaluation
(report_pages.render_provider_pages), using the same worklist function as the
provider notebook. The same evaluation gives the exit code for --fail-on.

Charts: each notebook output carries a static vega-embed fragment
(report_charts); the exported page loads vega, vega-lite and vega-embed in its
head, inlined from the copies vendored in plan_analytics/templates/vendor/ (or
PLAN_ANALYTICS_VEGA_JS, a folder holding vega.min.js, vega-lite.min.js and
vega-embed.min.js), so pages draw offline and never call a third party.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import nbformat
from rich.console import Console

from . import report_data as rd
from .engine import fail_on_exit_code
from .errors import DatabaseBusyError, PlanAnalyticsError
from .policy import load_policy
from .report_files import atomic_path, private_dir, write_text_atomic
from .report_pages import PROVIDER_DIR, ReportLink, page_name, render_index, render_provider_pages

KERNEL = "python3"
VEGA_LIBRARIES = (("vega", "6"), ("vega-lite", "6"), ("vega-embed", "7"))

# Extends nbconvert's lab template: vega-embed instead of require.js (which would make
# the UMD bundles register as AMD modules instead of globals), and no MathJax or
# mermaid fetched from a CDN by a page that holds PHI.
EXPORT_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}
{{ resources.vega_scripts }}
<style>
.pa-chart { margin: .5rem 0 1rem; }
.jp-RenderedHTMLCommon table.pa-table { border-collapse: collapse; font-size: .85rem; table-layout: auto; }
.jp-RenderedHTMLCommon table.pa-table th, .jp-RenderedHTMLCommon table.pa-table td {
  padding: .2rem .5rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
</style>
{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


@dataclass
class ReportRun:
    name: str
    title: str
    path: Path
    seconds: float
    notebook: Path | None = None

    def log_line(self) -> str:
        return f"{self.name}  {self.seconds:.1f} s  {self.path}"


@dataclass
class ReportResult:
    out_dir: Path
    index_path: Path
    runs: list[ReportRun] = field(default_factory=list)
    severity_counts: dict = field(default_factory=dict)

    @property
    def outputs(self) -> list[Path]:
        """Every file written (for the audit trail)."""
        files = [self.index_path]
        for run in self.runs:
            files += sorted(run.path.iterdir()) if run.path.is_dir() else [run.path]
            files += [run.notebook] if run.notebook else []
        return files

    def exit_code(self, fail_on: str | None) -> int:
        return fail_on_exit_code(self.severity_counts, fail_on)


# --- notebooks ---------------------------------------------------------------------------------


def notebook_path(name: str) -> Path:
    """A report notebook: packaged with plan_analytics, or the repository's notebooks/."""
    packaged = resources.files("plan_analytics").joinpath("notebooks", f"{name}.ipynb")
    if packaged.is_file():
        return Path(str(packaged))
    repository = Path(__file__).resolve().parents[2] / "notebooks" / f"{name}.ipynb"
    if repository.is_file():
        return repository
    raise PlanAnalyticsError(f"The report notebook {name}.ipynb is not installed with plan_analytics.")


def vega_scripts() -> str:
    """<script> elements that define vegaEmbed, inlined from the vendored copies."""
    folders = [Path(os.environ["PLAN_ANALYTICS_VEGA_JS"])] if os.environ.get("PLAN_ANALYTICS_VEGA_JS") else []
    folders.append(Path(str(resources.files("plan_analytics").joinpath("templates", "vendor"))))
    for folder in folders:
        files = [folder / f"{library}.min.js" for library, _ in VEGA_LIBRARIES]
        if all(path.is_file() for path in files):
            return "\n".join(
                "<script>" + path.read_text(encoding="utf-8").replace("</script", "<\\/script") + "</script>"
                for path in files
            )
    # Never fall back to a CDN: a PHI page should not call out to a third party.
    raise PlanAnalyticsError(
        "The chart libraries (vega, vega-lite, vega-embed) are missing from plan_analytics/templates/vendor; "
        "reinstall the package or set PLAN_ANALYTICS_VEGA_JS to a folder holding them."
    )


def export_html(notebook: nbformat.NotebookNode, title: str, scripts: str) -> str:
    """The executed notebook as a static page without code cells, charts drawn by vega-embed."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[DictLoader({"plan_analytics_report.html.j2": EXPORT_TEMPLATE})],
        template_file="plan_analytics_report.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(
        notebook, resources={"metadata": {"name": title}, "vega_scripts": scripts}
    )
    return body


def _one_sentence(text: str, limit: int = 300) -> str:
    line = next((part.strip() for part in str(text).splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _local_kernel_manager() -> type:
    """A kernel manager whose kernel talks over Unix sockets in the private Jupyter runtime
    folder rather than loopback TCP in plain text (the outputs hold PHI), and whose log
    lines stay off the console."""
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import CaselessStrEnum, default

    class LocalKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _socket_prefix(self) -> str:
            # One prefix per kernel: kernels of two reports running at once must not share sockets.
            folder = Path(jupyter_runtime_dir())
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            return str(folder / f"plan-analytics-{uuid.uuid4().hex}")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
            # The kernel process's own log lines (start and shutdown notices) are not the
            # user's; a kernel that dies still fails the notebook through papermill.
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return LocalKernelManager


def execute_notebook(name: str, parameters: dict, target: Path, cwd: Path) -> nbformat.NotebookNode:
    """Run a report notebook with papermill into `target` (atomically); a failure becomes one
    plain sentence naming the notebook and its error."""
    import papermill
    from jupyter_client.kernelspec import NoSuchKernel
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.ERROR)  # its warnings are not the user's business
    with atomic_path(target) as temp:
        try:
            papermill.execute_notebook(
                str(notebook_path(name)),
                str(temp),
                parameters=parameters,
                kernel_name=KERNEL,
                cwd=str(cwd),
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                kernel_manager_class=_local_kernel_manager(),
            )
        except PapermillExecutionError as exc:
            message = f"The {name} notebook failed: {exc.ename}: {_one_sentence(exc.evalue)}"
            raise (DatabaseBusyError if exc.ename == "DatabaseBusyError" else PlanAnalyticsError)(message) from None
        except NoSuchKernel:
            raise PlanAnalyticsError(
                f"The Jupyter kernel {KERNEL!r} is not installed; install ipykernel in this environment."
            ) from None
        notebook = nbformat.read(temp, as_version=4)
    return notebook


# --- the command ---------------------------------------------------------------------------------


def run_reports(
    db: Path,
    *,
    as_of: dt.date,
    policy_path: Path | None = None,
    provider_id: str | None = None,
    all_providers: bool = False,
    out_dir: Path,
    deidentify: bool = False,
    console: Console | None = None,
) -> ReportResult:
    """Evaluate once, render provider pages (with --all-providers), run the notebooks, write index.html.

    The caller holds the database lock (the CLI's `audited` does): nothing here writes
    to the database except, once, the de-identification salt."""
    console = console or Console(stderr=True)
    db = Path(db).resolve()
    if not db.exists():
        raise PlanAnalyticsError(f"{db} does not exist; run 'plan-analytics load' first.")
    policy_path = Path(policy_path).resolve() if policy_path else None
    policy = load_policy(policy_path)  # refuse a bad policy before any work
    runs: list[ReportRun] = []
    links: list[ReportLink] = []
    old_umask = os.umask(0o077)  # whatever papermill or nbconvert create is owner-only too
    try:
        # Absolute: papermill changes the process's working directory while a notebook runs.
        target = private_dir(Path(out_dir).resolve() / as_of.isoformat())  # missing parents come out 0700 as well
        if deidentify:
            rd.ensure_deidentify_salt(db)
        started = time.monotonic()
        with console.status(f"Evaluating the rules as of {as_of.isoformat()}"):
            ctx = rd.open_report(db, as_of, policy_path, deidentify=deidentify)
        try:
            if provider_id is not None:
                rd.provider_standing(ctx, provider_id)  # an unknown provider fails here, before any kernel
            severity_counts = rd.severity_counts(ctx)
            ranking = rd.provider_ranking(ctx)
            console.print(
                f"evaluated as of {as_of.isoformat()} in {time.monotonic() - started:.1f} s: "
                f"{sum(severity_counts.values())} findings",
                highlight=False,
            )
            pages: dict[str, str] = {}
            if all_providers:
                started = time.monotonic()
                pages = _render_all_pages(ctx, target, console)
                runs.append(
                    ReportRun("provider pages", f"{len(pages)} provider pages",
                              target / PROVIDER_DIR, time.monotonic() - started)
                )
        finally:
            ctx.close()
        scripts = vega_scripts()
        common = {
            "db_path": str(db),
            "as_of": as_of.isoformat(),
            "policy_path": str(Path(policy_path).resolve()) if policy_path else None,
            "output_dir": str(target),
            "deidentify": deidentify,
        }
        jobs = [
            ("network_overview", "network_overview", "Network compliance overview", {}),
            ("chart_review_status", "chart_review_status", "Chart-review requests", {}),
        ]
        if provider_id is not None:
            jobs.append(
                ("provider_report", f"provider_{Path(page_name(provider_id)).stem}",
                 f"Provider worklist: {provider_id}", {"provider_id": provider_id})
            )
        for notebook, stem, title, extra in jobs:
            # One kernel at a time: each may use all of DuckDB's memory limit, and two side
            # by side held about twice the memory a step may use at 10 M sessions.
            with console.status(f"Running the {notebook} notebook"):
                run = _run_notebook(notebook, stem, title, {**common, **extra}, target, scripts)
            runs.append(run)
            links.append(ReportLink(run.title, run.path.name, run.notebook.name))
    finally:
        os.umask(old_umask)

    index = render_index(
        target / "index.html",
        as_of=as_of,
        policy_digest=policy.digest(),
        deidentified=deidentify,
        reports=links,
        providers=ranking,
        provider_pages=pages,
    )
    for run in runs:
        console.print(run.log_line(), highlight=False)
    console.print(f"index: {index}", highlight=False)
    return ReportResult(target, index, runs, severity_counts)


def _render_all_pages(ctx: rd.ReportContext, target: Path, console: Console) -> dict[str, str]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    total = len(rd.provider_ids(ctx))
    with Progress(
        TextColumn("provider pages"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as progress:
        task = progress.add_task("pages", total=total)
        return render_provider_pages(
            ctx, target / PROVIDER_DIR, progress=lambda done: progress.update(task, completed=done)
        )


def _run_notebook(notebook: str, stem: str, title: str, parameters: dict, target: Path, scripts: str) -> ReportRun:
    started = time.monotonic()
    ipynb = target / f"{stem}.ipynb"
    executed = execute_notebook(notebook, parameters, ipynb, cwd=target)
    html = write_text_atomic(target / f"{stem}.html", export_html(executed, title, scripts))
    return ReportRun(stem, title, html, time.monotonic() - started, ipynb)
