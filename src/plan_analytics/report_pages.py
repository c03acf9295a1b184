"""Static pages rendered with Jinja2: a page per provider (from one evaluation, in this
process) and the index of a report run.

Every provider page reads `report_data.provider_worklist` — the same function the
provider notebook displays — fetched once for all providers and split here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import jinja2
import pandas as pd

from . import report_data as rd
from .report_files import atomic_dir, write_text_atomic

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
PROVIDER_DIR = "providers"


@dataclass
class ReportLink:
    title: str
    href: str
    notebook_href: str | None = None


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("plan_analytics", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def page_name(provider_id: str) -> str:
    """A file name for a provider's page: the ID when it is a safe file name, else a hash."""
    if SAFE_NAME.fullmatch(provider_id):
        return f"{provider_id}.html"
    return "p-" + hashlib.sha256(provider_id.encode()).hexdigest()[:16] + ".html"


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts for a template: dates ISO, missing values as ''."""
    return rd.presentable(frame).to_dict("records")


def _by_provider(frame: pd.DataFrame) -> dict[str, list[dict]]:
    rows = records(frame)  # sorted by provider_id by every report_data query
    return {key: list(group) for key, group in itertools.groupby(rows, key=lambda row: row["provider_id"])}


def render_provider_pages(
    ctx: rd.ReportContext,
    folder: Path,
    index_href: str = "../index.html",
    progress: Callable[[int], None] | None = None,
) -> dict[str, str]:
    """Write a page per provider into `folder` (replaced whole, atomically); return
    provider_id -> file name. One query per section for all providers, then templates."""
    template = environment().get_template("provider_page.html")
    worklists = _by_provider(rd.provider_worklist(ctx))
    reviews = _by_provider(rd.upcoming_reviews(ctx))
    horizons = {row["provider_id"]: row for row in records(rd.review_horizon_counts(ctx))}
    no_reviews = {f"within {days} days": 0 for days in rd.REVIEW_HORIZONS}
    common = {
        "as_of": ctx.as_of.isoformat(),
        "policy_digest": ctx.policy.digest(),
        "deidentified": ctx.deidentify,
        "index_href": index_href,
    }
    written: dict[str, str] = {}
    with atomic_dir(Path(folder)) as staging:
        for number, provider in enumerate(records(rd.provider_standing(ctx)), start=1):
            provider_id = provider["provider_id"]
            name = page_name(provider_id)
            html = template.render(
                provider=provider,
                worklist=worklists.get(provider_id, []),
                reviews=reviews.get(provider_id, []),
                horizons=horizons.get(provider_id, no_reviews),
                **common,
            )
            (staging / name).write_text(html, encoding="utf-8")
            (staging / name).chmod(0o600)
            written[provider_id] = name
            if progress:
                progress(number)
    return written


def render_index(
    target: Path,
    *,
    as_of: dt.date,
    policy_digest: str,
    deidentified: bool,
    reports: list[ReportLink],
    providers: pd.DataFrame | None = None,
    provider_pages: dict[str, str] | None = None,
) -> Path:
    """index.html linking every report and, ranked, every provider page."""
    rows = []
    if providers is not None and provider_pages:
        for row in records(providers):
            if row["provider_id"] in provider_pages:
                rows.append({**row, "href": f"{PROVIDER_DIR}/{provider_pages[row['provider_id']]}"})
    html = environment().get_template("index.html").render(
        as_of=as_of.isoformat(),
        policy_digest=policy_digest,
        deidentified=deidentified,
        generated=dt.datetime.now().isoformat(timespec="seconds"),
        reports=reports,
        providers=rows,
    )
    return write_text_atomic(target, html)
