"""The spec's blank: null, only spaces, or a placeholder (tbd, todo, -, --, ..., ?, xx, xxx)
after trimming spaces and ignoring case. The macro decides long texts without copying
them, which must not change any answer."""

from __future__ import annotations

import duckdb
import pytest

from plan_analytics.schema import create_macros


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    create_macros(connection)
    return connection


@pytest.mark.parametrize(
    ("value", "blank"),
    [
        (None, True),
        ("", True),
        (" ", True),
        (" " * 40, True),  # long, but only spaces
        ("TBD", True),
        (" todo ", True),
        (" " * 20 + "ToDo" + " " * 20, True),  # a placeholder padded past the short-cut length
        ("xxx", True),
        ("xxxx", False),
        ("tbd later", False),
        ("Panic attacks twice a week", False),
        ("Panic attacks twice a week ", False),  # trailing space takes the slow branch
        (" " + "a" * 30, False),
        ("\u00e9" * 5, False),  # 10 bytes, 5 code points
        ("\tTBD\t", False),  # trim removes spaces only; tabs make it text
    ],
)
def test_is_blank(con, value, blank):
    assert con.execute("SELECT is_blank(?::VARCHAR)", [value]).fetchone()[0] is blank


def test_non_text_values_are_cast(con):
    assert con.execute("SELECT is_blank(DATE '2026-01-01'), is_blank(NULL::DATE)").fetchone() == (False, True)
