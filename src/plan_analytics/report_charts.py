"""Charts and tables of the report notebooks.

Every chart is Altair over a frame that report_data already aggregated in
DuckDB (a few dozen rows), so Altair's 5,000-row limit is never near and stays on.

`use_report_renderer()` makes each chart display as both a Vega-Lite MIME type
(JupyterLab draws it natively) and a static `text/html` fragment: a div plus a
`vegaEmbed(...)` call carrying the spec. nbconvert's HTML export keeps the
`text/html`, and `reports.export_html` puts vega, vega-lite and vega-embed in
the page's head, so the charts draw in the static HTML.
"""

from __future__ import annotations

import html
import itertools
import json

import altair as alt
import pandas as pd
from IPython.display import HTML

from .report_data import AGING_BUCKETS, presentable

RENDERER = "plan_analytics"
# JupyterLab 4 draws this MIME type natively (Altair 6's own `...v6.json` is not valid
# notebook JSON for nbformat, and JupyterLab does not know it).
JUPYTER_VEGALITE_MIME = "application/vnd.vegalite.v5+json"
SEVERITY_COLORS = alt.Scale(domain=["error", "warning"], range=["#c0392b", "#e0a526"])
_chart_numbers = itertools.count(1)


def static_html(spec: dict) -> str:
    """A div and the script that draws `spec` into it with a page-level vegaEmbed."""
    number = next(_chart_numbers)
    element = f"pa-chart-{number}"
    # "</" inside a <script> would end it early (a provider name could hold "</script>").
    payload = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
    return (
        f'<div class="pa-chart" id="{element}"></div>\n'
        "<script type=\"text/javascript\">(function () {\n"
        f"  var element = document.getElementById('{element}');\n"
        "  if (typeof vegaEmbed === 'undefined') {\n"
        "    element.textContent = '(chart not drawn: the page lacks vega-embed)'; return;\n"
        "  }\n"
        f"  vegaEmbed(element, {payload}, {{actions: false, renderer: 'svg'}})\n"
        "    .catch(function (error) { element.textContent = 'chart error: ' + error.message; });\n"
        "})();</script>"
    )


def _render(spec: dict, **metadata) -> dict:
    return {JUPYTER_VEGALITE_MIME: spec, "text/html": static_html(spec), "text/plain": "<chart>"}


def use_report_renderer() -> None:
    alt.renderers.register(RENDERER, _render)
    alt.renderers.enable(RENDERER)


def table(frame: pd.DataFrame, empty: str = "None.", hide: tuple[str, ...] = ()) -> HTML:
    """The whole frame as an HTML table (no truncation), values escaped, shares as percent;
    `hide` drops columns the reader does not need."""
    frame = frame.drop(columns=[column for column in hide if column in frame.columns])
    if frame.empty:
        return HTML(f"<p><em>{html.escape(empty)}</em></p>")
    formatters = {
        column: (lambda value: "" if value == "" else f"{value:.1%}")
        for column in frame.columns
        if column.endswith("share") or column in ("network_median", "difference", "median_provider_compliance")
    }
    return HTML(
        presentable(frame).to_html(index=False, formatters=formatters, escape=True, classes="pa-table", border=0)
    )


def _percent_axis(title: str) -> alt.X:
    return alt.X("compliant_share:Q", title=title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]))


def compliance_chart(lowest: pd.DataFrame) -> alt.Chart:
    """The least compliant providers (report_data.lowest_compliance)."""
    return (
        alt.Chart(lowest, title="Least compliant providers (share of active episodes without an error)")
        .mark_bar(color="#2c6e9b")
        .encode(
            x=_percent_axis("compliant share"),
            y=alt.Y("provider:N", sort="x", title=None),
            tooltip=["provider_id", "provider", "active_episodes", alt.Tooltip("compliant_share:Q", format=".1%")],
        )
        .properties(width=520)
    )


def distribution_chart(distribution: pd.DataFrame) -> alt.Chart:
    """Providers per tenth of compliance (report_data.compliance_distribution)."""
    return (
        alt.Chart(distribution, title="Providers by compliance")
        .mark_bar(color="#2c6e9b")
        .encode(
            x=alt.X("compliance:N", sort=alt.SortField("band"), title="share of active episodes without an error"),
            y=alt.Y("providers:Q", title="providers", axis=alt.Axis(tickMinStep=1)),
            tooltip=["compliance", "providers"],
        )
        .properties(width=520, height=220)
    )


def rule_chart(by_rule: pd.DataFrame) -> alt.Chart:
    """Findings per rule and severity (report_data.findings_by_rule)."""
    return (
        alt.Chart(by_rule, title="Findings by rule")
        .mark_bar()
        .encode(
            x=alt.X("findings:Q", title="findings", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("title:N", sort="-x", title=None),
            color=alt.Color("severity:N", scale=SEVERITY_COLORS),
            tooltip=["title", "severity", "findings"],
        )
        .properties(width=520)
    )


def aging_chart(aging: pd.DataFrame) -> alt.Chart:
    """Overdue findings per aging bucket, stacked by rule (report_data.overdue_aging)."""
    buckets = [label for label, _, _ in AGING_BUCKETS]
    return (
        alt.Chart(aging, title="Overdue findings by days overdue")
        .mark_bar()
        .transform_filter("datum.findings > 0")  # empty buckets stay on the axis through its domain
        .encode(
            x=alt.X("bucket:N", scale=alt.Scale(domain=buckets), title="days overdue", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(findings):Q", title="findings", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("title:N", title="rule"),
            tooltip=["bucket", "title", "findings"],
        )
        .properties(width=420, height=260)
    )


def trend_chart(trend: pd.DataFrame) -> alt.Chart:
    """Findings per month end, by severity, each month evaluated as of its own end."""
    return (
        alt.Chart(trend, title="Findings at each month end (re-evaluated as of that day)")
        .mark_line(point=True)
        .encode(
            x=alt.X("month_end:T", title="as of", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("findings:Q", title="findings", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("severity:N", scale=SEVERITY_COLORS),
            tooltip=[alt.Tooltip("month_end:T", format="%Y-%m-%d"), "severity", "findings"],
        )
        .properties(width=520, height=240)
    )


def standing_chart(standing: pd.DataFrame) -> alt.Chart:
    """A provider's compliance beside the network median (report_data.provider_standing, one row)."""
    row = standing.iloc[0]
    bars = pd.DataFrame(
        {
            "who": [str(row["provider_name"] or row["provider_id"]), "network median"],
            "compliant_share": [row["compliant_share"], row["network_median"]],
        }
    )
    return (
        alt.Chart(bars, title="Compliance against the network median")
        .mark_bar()
        .encode(
            x=_percent_axis("share of active episodes without an error"),
            y=alt.Y("who:N", title=None, sort=None),
            color=alt.Color("who:N", legend=None, scale=alt.Scale(range=["#2c6e9b", "#9aa5ad"])),
        )
        .properties(width=420, height=80)
    )


def chart_review_chart(counts: pd.DataFrame) -> alt.Chart:
    """Requests per status (report_data.chart_review_status_counts)."""
    return (
        alt.Chart(counts, title="Chart-review requests open or answered late")
        .mark_bar()
        .encode(
            x=alt.X("requests:Q", title="requests", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("status:N", title=None),
            color=alt.Color(
                "status:N",
                legend=None,
                scale=alt.Scale(domain=["open", "open, late", "answered late"], range=["#2c6e9b", "#c0392b", "#e0a526"]),
            ),
        )
        .properties(width=420, height=120)
    )
