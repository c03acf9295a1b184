"""Every command has help that ends with a runnable-looking example."""

import click
import pytest
import typer
from typer.testing import CliRunner

from plan_analytics.cli import app

COMMANDS = sorted(typer.main.get_command(app).commands)


def test_the_command_set_is_what_the_readme_documents():
    assert COMMANDS == ["audit", "check", "load", "packet", "report", "rules", "sample"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_an_example(command):
    result = CliRunner().invoke(app, [command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert f"Example: plan-analytics {command}" in click.unstyle(result.output)


def test_unknown_option_value_is_one_sentence_not_a_traceback(tmp_path):
    result = CliRunner().invoke(app, ["check", "--db", str(tmp_path / "x.duckdb"), "--out", str(tmp_path), "--as-of", "yesterday"])
    assert result.exit_code == 2
    assert "--as-of 'yesterday' is not a date in the form YYYY-MM-DD." in click.unstyle(result.output).replace("\n", " ")
    assert "Traceback" not in result.output
