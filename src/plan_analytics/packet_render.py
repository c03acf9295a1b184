"""HTML (Jinja2) and PDF (WeasyPrint) rendering of a chart-review packet."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd

from .packet_data import PacketContents

TEMPLATES = Path(__file__).parent / "templates"


def _date(value) -> str:
    if value is None or value == "":
        return "not recorded"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _datetime(value) -> str:
    if value is None:
        return "not recorded"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return _date(value)


def _blank(value) -> str:
    return "not recorded" if value is None or str(value).strip() == "" else str(value)


def _label(value) -> str:
    return "" if value is None else str(value).replace("_", " ")


def _generated(iso: str) -> str:
    """'2026-03-09T10:56:23-05:00' -> '2026-03-09 10:56 (UTC-05:00)'."""
    try:
        stamp = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    offset = stamp.strftime("%z")
    zone = f" (UTC{offset[:3]}:{offset[3:]})" if offset else ""
    return stamp.strftime("%Y-%m-%d %H:%M") + zone


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # chart text is data, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(d=_date, dt=_datetime, blank=_blank, label=_label)
    return env


def render_html(
    contents: PacketContents,
    checklist: pd.DataFrame,
    *,
    generated_at: str,
    policy_digest: str,
    chart_review_business_days: int,
) -> str:
    template = _environment().get_template("packet.html")
    return template.render(
        scope=contents.scope,
        plans=contents.plans,
        draft_count=sum(1 for p in contents.plans if p.is_draft),
        sessions=contents.sessions,
        notes=contents.notes,
        checklist=checklist.to_dict("records"),
        generated_at=generated_at,
        generated_at_display=_generated(generated_at),
        policy_digest=policy_digest,
        chart_review_business_days=chart_review_business_days,
    )


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def render_pdf(html: str) -> RenderedPdf:
    """The PDF bytes, in memory: nothing touches the disk until the caller writes them."""
    import weasyprint  # heavy import, only when a PDF is actually made

    # WeasyPrint logs CSS warnings that may quote document text; keep them off the terminal.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    stylesheet = weasyprint.CSS(filename=str(TEMPLATES / "packet.css"))
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES)).render(stylesheets=[stylesheet])
    return RenderedPdf(data=document.write_pdf(), pages=len(document.pages))
