"""The registry, the rule SQL files and the rule fixtures stay in step."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from test_rules import parse_expected, read_rule_file, RULES_DIR

from plan_analytics.registry import RULES, RULES_BY_ID

HEADER = re.compile(r"^-- (?P<key>[a-z]+): (?P<value>.*)$")


def sql_files() -> set[str]:
    folder = resources.files("plan_analytics.rules")
    return {entry.name for entry in folder.iterdir() if entry.name.endswith(".sql")}


def header(sql: str) -> dict[str, str]:
    """The leading `-- key: value` comment lines of a rule's SQL."""
    values = {}
    for line in sql.splitlines():
        match = HEADER.match(line)
        if not match:
            break
        values.setdefault(match["key"], match["value"].strip())
    return values


def test_rule_ids_are_unique() -> None:
    assert len(RULES_BY_ID) == len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.rule_id)
def test_sql_header_repeats_the_registry(rule) -> None:
    assert rule.sql_file in sql_files(), f"{rule.sql_file} is missing from plan_analytics/rules"
    values = header(rule.sql())
    assert values.get("rule") == rule.rule_id
    assert values.get("requirement") == rule.requirement
    assert "grain" in values, f"{rule.sql_file}: header names no grain"


def test_every_sql_file_is_registered() -> None:
    registered = {rule.sql_file for rule in RULES}
    assert sql_files() - registered == set(), "SQL files without a registry entry"


def test_every_fixture_file_names_a_registered_rule() -> None:
    for path in sorted(RULES_DIR.glob("*.toml")):
        data = read_rule_file(path)
        assert path.name == f"{data['rule']}.toml", f"{path.name} holds rule {data['rule']}"
        assert data["rule"] in RULES_BY_ID, f"{path.name}: unknown rule {data['rule']}"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.rule_id)
def test_every_rule_has_fixtures_on_both_sides(rule) -> None:
    path = RULES_DIR / f"{rule.rule_id}.toml"
    assert path.exists(), f"no fixture file {path.name}"
    cases = read_rule_file(path).get("case", [])
    assert len(cases) >= 3, f"{path.name}: {len(cases)} cases, at least 3 wanted"
    names = [case["name"] for case in cases]
    assert len(set(names)) == len(names), f"{path.name}: case names repeat"
    with_findings = [case for case in cases if parse_expected(case["expected"])]
    without = [case for case in cases if not parse_expected(case["expected"])]
    assert with_findings, f"{path.name}: no case expects a finding"
    assert without, f"{path.name}: no case expects no finding"


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.toml")), ids=lambda path: path.stem)
def test_every_case_is_explained_by_a_comment(path) -> None:
    """Each `[[case]]` is preceded by a comment line giving the hand arithmetic."""
    previous = ""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() == "[[case]]":
            assert previous.startswith("#"), f"{path.name}:{number}: [[case]] without a comment above it"
        if line.strip():
            previous = line.strip()
