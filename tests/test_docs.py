from pathlib import Path

from plan_analytics.docs import rules_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_rules_doc_is_generated_from_the_registry():
    assert (ROOT / "docs" / "rules.md").read_text() == rules_markdown(), (
        "docs/rules.md is stale: run `.venv/bin/python -m plan_analytics.docs > docs/rules.md`"
    )


def test_readme_starts_with_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    first_commands = [line.strip() for line in readme.splitlines() if line.strip().startswith("make ")][:2]
    assert first_commands == ["make demo", "make test"]
