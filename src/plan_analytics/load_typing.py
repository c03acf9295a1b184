"""Typing text into staging values, in DuckDB SQL.

Typing never rejects: an unparsable value becomes null (the Pandera model then
rejects it where the column is required) and an unknown enum spelling becomes
null, 'unknown' or stays as written, as formats.py declares. This module also
lists the values typing had to drop or replace, as load warnings.
"""

from __future__ import annotations

import duckdb

from .formats import DATE, ENUM, INTEGER, TIMESTAMP, Column, RecordType

# Local wall-clock forms, most common first (strptime tries them in order).
LOCAL_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S.%f",
    "%m/%d/%Y",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M%p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
)
# ISO forms with a UTC offset (Z is rewritten to +00:00 first).
OFFSET_FORMATS = tuple(
    f"%Y-%m-%d{sep}{time}{space}%z"
    for time in ("%H:%M:%S", "%H:%M", "%H:%M:%S.%f")
    for sep in ("T", " ")
    for space in ("", " ")
)
# Two-digit or five-digit years parse, but no session or signature is dated then.
YEAR_RANGE = (1900, 2199)


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_sql_string(v) for v in values) + "]"


def _sql_string(value: str) -> str:
    # Only for constants of this package, never for data.
    return "'" + value.replace("'", "''") + "'"


def create_typing_macros(con: duckdb.DuckDBPyConnection) -> None:
    # Blank-only text is null. trim() removes spaces only; that matches the
    # rules' is_blank and is several times cheaper than trimming a character set.
    con.execute("CREATE OR REPLACE TEMP MACRO pa_clean(x) AS nullif(trim(x), '')")
    # A value with an offset cannot match a local form (strptime wants the whole
    # string), so trying local forms first and offset forms second is exact and
    # costs one parse for the common case.
    con.execute(
        "CREATE OR REPLACE TEMP MACRO pa_parse_local(x, tz) AS coalesce("
        f"try_strptime(x, {_sql_list(LOCAL_FORMATS)}), "
        f"timezone(tz, try_strptime(regexp_replace(x, '[Zz]$', '+00:00'), {_sql_list(OFFSET_FORMATS)})))"
    )
    low, high = YEAR_RANGE
    # DuckDB evaluates the repeated parse once (common subexpression).
    con.execute(
        "CREATE OR REPLACE TEMP MACRO pa_local_ts(x, tz) AS "
        f"CASE WHEN year(pa_parse_local(pa_clean(x), tz)) BETWEEN {low} AND {high} "
        "THEN pa_parse_local(pa_clean(x), tz) END"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO pa_whole_number(x) AS ("
        "CASE WHEN regexp_full_match(pa_clean(x), '\\+?[0-9]{1,9}') THEN CAST(pa_clean(x) AS BIGINT) END)"
    )
    # NPI check digit: Luhn over '80840' followed by the 10 digits.
    con.execute(
        "CREATE OR REPLACE TEMP MACRO pa_valid_npi(x) AS ("
        "regexp_full_match(x, '[0-9]{10}') AND "
        "list_sum(list_transform(range(1, 16), lambda i: CASE WHEN i % 2 = 0 "
        "THEN (2 * CAST(substr(reverse('80840' || x), i, 1) AS INTEGER)) // 10 "
        "+ (2 * CAST(substr(reverse('80840' || x), i, 1) AS INTEGER)) % 10 "
        "ELSE CAST(substr(reverse('80840' || x), i, 1) AS INTEGER) END)) % 10 = 0)"
    )


def _enum_case(column: Column, value: str, otherwise: str) -> str:
    branches = " ".join(
        f"WHEN {_sql_string(spelling)} THEN {_sql_string(canonical)}"
        for spelling, canonical in column.spellings.items()
    )
    return f"CASE lower({value}) {branches} ELSE {otherwise} END"


def _enum_known(column: Column, value: str) -> str:
    return f"lower({value}) IN ({', '.join(_sql_string(s) for s in column.spellings)})"


def typed_expression(column: Column, source: str = "") -> str:
    """The staging value of one column, from the raw text in the incoming table."""
    raw = f"{source}{column.name}"
    clean = f"pa_clean({raw})"
    if column.kind == TIMESTAMP:
        return f"pa_local_ts({raw}, $tz)"
    if column.kind == DATE:
        return f"CAST(pa_local_ts({raw}, $tz) AS DATE)"
    if column.kind == INTEGER:
        return f"pa_whole_number({raw})"
    if column.kind == ENUM:
        if column.unknown_as is not None:
            otherwise = _sql_string(column.unknown_as)
        elif column.keep_unknown or column.required:
            # A required enum keeps the unknown spelling so the rejection can quote it.
            otherwise = clean
        else:
            otherwise = "NULL"
        return _enum_case(column, clean, otherwise)
    return clean


# Staging fills these optional columns from another one when they are absent.
FALLBACKS = {("treatment_plans", "updated_at"): "created_at"}


def typed_select(rt: RecordType, source_table: str) -> str:
    """Typed columns plus _typing_lost: whether typing dropped or replaced any value of
    the row, computed in the same pass so the warnings need not parse the text again."""
    columns = []
    for column in rt.columns:
        expression = typed_expression(column)
        fallback = FALLBACKS.get((rt.name, column.name))
        if fallback:
            expression = f"coalesce({expression}, {typed_expression(rt.column(fallback))})"
        columns.append(f"{expression} AS {column.name}")
    losses = [condition for _, condition, _ in typing_losses(rt)]
    columns.append(f"coalesce({' OR '.join(losses)}, FALSE) AS _typing_lost" if losses else "FALSE AS _typing_lost")
    return f"SELECT _row, _line, {', '.join(columns)} FROM {source_table}"


def typing_losses(rt: RecordType) -> list[tuple[str, str, str]]:
    """(column, SQL condition over the raw text, SQL message) for each way typing can lose a value."""
    losses = []
    for column in rt.columns:
        raw = column.name
        clean = f"pa_clean({raw})"
        if column.kind in (TIMESTAMP, DATE) and not column.required:
            condition = f"{clean} IS NOT NULL AND pa_local_ts({raw}, $tz) IS NULL"
            message = _sql_string(f"{column.name} is not a date or time; stored as empty")
        elif column.kind == ENUM and column.unknown_as is not None:
            vocabulary = ", ".join(sorted(set(column.spellings.values())))
            condition = f"{clean} IS NULL OR NOT {_enum_known(column, clean)}"
            message = (
                f"CASE WHEN {clean} IS NULL "
                f"THEN {_sql_string(f'{column.name} is missing; stored as {column.unknown_as}')} "
                f"ELSE {_sql_string(f'{column.name} is not one of {vocabulary}; stored as {column.unknown_as}')} END"
            )
        elif column.kind == ENUM and not (column.keep_unknown or column.required):
            vocabulary = ", ".join(sorted(set(column.spellings.values())))
            condition = f"{clean} IS NOT NULL AND NOT {_enum_known(column, clean)}"
            message = _sql_string(f"{column.name} is not one of {vocabulary}; stored as empty")
        elif rt.name == "providers" and column.name == "npi":
            condition = f"{clean} IS NOT NULL AND NOT pa_valid_npi({clean})"
            message = _sql_string("npi is not 10 digits with a valid check digit")
        else:
            continue
        losses.append((column.name, condition, message))
    return losses


def typing_warnings_select(rt: RecordType, source_table: str) -> list[str]:
    """One SELECT (_row, _line, column_name, message) per column whose typing can lose a value."""
    return [
        f"SELECT _row, _line, {_sql_string(name)} AS column_name, {message} AS message "
        f"FROM {source_table} WHERE {condition}"
        for name, condition, message in typing_losses(rt)
    ]
