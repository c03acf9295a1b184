"""Documentation generated from the rule registry, so docs cannot drift from the rules."""

from __future__ import annotations

from .policy import Policy
from .registry import RULES


def rules_markdown() -> str:
    lines = [
        "# Compliance rules",
        "",
        "Generated from `src/plan_analytics/registry.py` by `python -m plan_analytics.docs`;",
        "a test fails when this file and the registry differ. Each rule's query is",
        "`src/plan_analytics/rules/<rule_id>.sql`. A rule whose input is empty, or whose",
        "optional file was not loaded, is reported *not applicable*, never *passed*.",
        "",
        "| rule_id | severity | title | requirement | needs |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES:
        needs = ", ".join(rule.needs) or "-"
        lines.append(f"| `{rule.rule_id}` | {rule.severity} | {rule.title} | {rule.requirement} | {needs} |")
    lines += ["", "## Policy defaults", "", "| key | default |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in Policy().as_dict().items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(rules_markdown(), end="")
