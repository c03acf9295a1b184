"""Turning one read file into rejections, warnings and upserted raw_/stg_ rows.

All statements are set-based over the temp tables of load_read (inc_<type>)
and of typing (typed_<type>); Python only composes SQL from formats.py names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from .formats import DATE, INTEGER, TIMESTAMP, RecordType
from .load_read import drop_relation
from .load_typing import typed_select, typing_warnings_select
from .load_validate import failures_table, validate_typed
from .schema import raw_table, staging_table


@dataclass
class Applied:
    rows_loaded: int
    rows_rejected: int
    inserted: int
    replaced: int
    unchanged: int


@dataclass(frozen=True)
class FileContext:
    con: duckdb.DuckDBPyConnection
    rt: RecordType
    load_id: int
    source_file: str
    position_word: str  # "line" or "row"
    timezone: str

    def table(self, prefix: str) -> str:
        return f"{prefix}_{self.rt.name}"

    def run(self, sql: str, params: dict | None = None):
        return self.con.execute(sql, _used_parameters(sql, params))

    def scalar(self, sql: str, params: dict | None = None):
        return self.run(sql, params).fetchone()[0]


def _used_parameters(sql: str, params: dict | None) -> dict:
    """DuckDB refuses parameters a statement does not use; statements here are composed."""
    return {k: v for k, v in (params or {}).items() if re.search(rf"\${k}\b", sql)}


def _key_match(left: str, right: str, rt: RecordType) -> str:
    return " AND ".join(f"{left}.{k} = {right}.{k}" for k in rt.key)


def _lineage_match(left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} = {right}.{c}" for c in ("_load_id", "_source_file", "_line"))


def _drop(ctx: FileContext, *prefixes: str) -> None:
    for prefix in prefixes:
        drop_relation(ctx.con, ctx.table(prefix))
    if "inc" in prefixes:
        drop_relation(ctx.con, ctx.table("scan"))


def apply_file(ctx: FileContext) -> Applied:
    _drop(ctx, "typed", "rej", "skip", "existing", "unchanged", "replaced")
    ctx.run(f"CREATE TEMP TABLE {ctx.table('typed')} AS {typed_select(ctx.rt, ctx.table('inc'))}", {"tz": ctx.timezone})
    ctx.run(f"CREATE TEMP TABLE {ctx.table('rej')} AS SELECT _row, reason FROM {ctx.table('malformed')}")
    _reject_duplicates(ctx)
    _validate(ctx)
    _record_rejections(ctx)
    _record_warnings(ctx)
    applied = _upsert(ctx)
    _drop(ctx, "typed", "rej", "skip", "existing", "unchanged", "replaced", "inc", "malformed", "failures", "lost")
    return applied


# --- rejections ---------------------------------------------------------------------------


def _reject_duplicates(ctx: FileContext) -> None:
    """Within one file the first occurrence of a key wins; every later one is rejected."""
    keys = ", ".join(ctx.rt.key)
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in ctx.rt.key)
    key_words = " and ".join(ctx.rt.key)
    typed, rej = ctx.table("typed"), ctx.table("rej")
    ctx.run(
        f"""INSERT INTO {rej}
            SELECT t._row, 'duplicate ' || $key_words || ' (first on ' || $word || ' ' || d.first_line || ')'
            FROM {typed} t
            JOIN (SELECT {keys}, min(_row) AS first_row, arg_min(_line, _row) AS first_line
                  FROM {typed} WHERE {not_null} AND _row NOT IN (SELECT _row FROM {rej})
                  GROUP BY {keys} HAVING count(*) > 1) d ON {_key_match('t', 'd', ctx.rt)}
            WHERE t._row > d.first_row AND t._row NOT IN (SELECT _row FROM {rej})""",
        {"key_words": key_words, "word": ctx.position_word},
    )


def _null_phrase(kind: str) -> str:
    if kind in (TIMESTAMP, DATE):
        return "is not a date or time"
    if kind == INTEGER:
        return "is not a whole number"
    return "is missing"


def _validate(ctx: FileContext) -> None:
    columns = ", ".join(ctx.rt.column_names)
    validate_typed(
        ctx.con,
        ctx.rt,
        f"SELECT _row, {columns} FROM {ctx.table('typed')} WHERE _row NOT IN (SELECT _row FROM {ctx.table('rej')})",
        keys_deduplicated=True,  # _reject_duplicates ran first
    )
    failures = failures_table(ctx.rt)
    ctx.run(f"ALTER TABLE {failures} ADD COLUMN reason VARCHAR")
    failing = [r[0] for r in ctx.run(f"SELECT DISTINCT column_name FROM {failures}").fetchall()]
    for name in failing:
        _explain_failures(ctx, name)


def _explain_failures(ctx: FileContext, name: str) -> None:
    """Plain reasons: a null after typing is 'missing' when the text was blank, else unparsable."""
    if name not in ctx.rt.column_names:
        ctx.run(
            f"UPDATE {failures_table(ctx.rt)} SET reason = column_name || ' fails ' || check_name "
            "WHERE column_name = $name",
            {"name": name},
        )
        return
    column = ctx.rt.column(name)
    vocabulary = ", ".join(dict.fromkeys(column.spellings.values()))
    ctx.run(
        f"""UPDATE {failures_table(ctx.rt)} f SET reason = CASE
                WHEN f.check_name = 'not_nullable' THEN
                    CASE WHEN pa_clean(i.{name}) IS NULL THEN $name || ' is missing'
                         ELSE $name || ' ' || $null_phrase END
                WHEN f.check_name LIKE 'isin%' THEN $name || ' ''' || f.value || ''' is not one of ' || $vocabulary
                WHEN f.check_name LIKE 'greater_than_or_equal_to%' THEN
                    $name || ' ' || f.value || ' is less than ' || regexp_extract(f.check_name, '\\((.*)\\)', 1)
                WHEN f.check_name LIKE '%unique%' THEN 'duplicate ' || $name
                -- custom checks report their `error` text, written to follow the column name
                ELSE $name || ' ' || f.check_name END
            FROM {ctx.table('inc')} i
            WHERE f._row = i._row AND f.column_name = $name""",
        {"name": name, "null_phrase": _null_phrase(column.kind), "vocabulary": vocabulary},
    )


def _required_names(rt: RecordType) -> list[str]:
    return list(dict.fromkeys([*rt.key, *rt.required_columns]))


def _record_rejections(ctx: FileContext) -> None:
    """Failures of required columns reject the row (one reason per failing column)."""
    failures, rej, inc = failures_table(ctx.rt), ctx.table("rej"), ctx.table("inc")
    ctx.run(
        f"""INSERT INTO {rej}
            SELECT _row, string_agg(reason, '; ' ORDER BY list_position($columns, column_name))
            FROM {failures}
            WHERE column_name IN (SELECT unnest($required)) OR column_name NOT IN (SELECT unnest($columns))
            GROUP BY _row""",
        {"columns": ctx.rt.column_names, "required": _required_names(ctx.rt)},
    )
    raw_row = "to_json(struct_pack(" + ", ".join(f"{c} := i.{c}" for c in ctx.rt.column_names) + "))"
    ctx.run(
        f"""INSERT INTO rejected_rows
            SELECT $load_id, $record_type, $file, i._line, r.reason, {raw_row}
            FROM (SELECT _row, string_agg(reason, '; ') AS reason FROM {rej} GROUP BY _row) r
            JOIN {inc} i USING (_row)
            ORDER BY i._row""",
        _ids(ctx),
    )


def _ids(ctx: FileContext) -> dict:
    return {"load_id": ctx.load_id, "record_type": ctx.rt.name, "file": ctx.source_file}


# --- warnings -----------------------------------------------------------------------------


def _record_warnings(ctx: FileContext) -> None:
    """Typing losses and failed optional checks, for rows that are kept."""
    failures, typed, rej, inc = failures_table(ctx.rt), ctx.table("typed"), ctx.table("rej"), ctx.table("inc")
    optional = [c for c in ctx.rt.column_names if c not in _required_names(ctx.rt)]
    # Only the rows typing flagged are looked at again (a table, so that no filter on
    # the raw text can be pushed down to every row of the file).
    lost = ctx.table("lost")
    ctx.run(f"CREATE OR REPLACE TEMP TABLE {lost} AS SELECT * FROM {inc} SEMI JOIN "
            f"(SELECT _row FROM {typed} WHERE _typing_lost) AS flagged USING (_row)")
    selects = typing_warnings_select(ctx.rt, lost)
    selects.append(
        f"SELECT f._row, i._line, f.column_name, f.reason || '; stored as empty' AS message "
        f"FROM {failures} f JOIN {inc} i ON i._row = f._row "
        "WHERE f.column_name IN (SELECT unnest($optional))"
    )
    ctx.run(
        f"""INSERT INTO load_warnings
            SELECT $load_id, $record_type, $file, w._line, w.column_name, w.message
            FROM ({' UNION ALL '.join(selects)}) w
            WHERE w._row NOT IN (SELECT _row FROM {rej})
            ORDER BY w._row, w.column_name""",
        {**_ids(ctx), "optional": optional or [""], "tz": ctx.timezone},
    )
    # A failed optional check empties the value in staging (raw keeps the text).
    for name in optional:
        ctx.run(
            f"UPDATE {typed} SET {name} = NULL WHERE _row IN "
            f"(SELECT _row FROM {failures} WHERE column_name = $name)",
            {"name": name},
        )


# --- upsert -------------------------------------------------------------------------------


def _upsert(ctx: FileContext) -> Applied:
    """Newer rows replace older ones with the same key; identical rows keep their lineage,
    so loading the same export twice changes no record table."""
    rt = ctx.rt
    typed, rej, inc = ctx.table("typed"), ctx.table("rej"), ctx.table("inc")
    existing, unchanged, replaced, skip = (ctx.table(p) for p in ("existing", "unchanged", "replaced", "skip"))
    raw, stg = raw_table(rt), staging_table(rt)
    columns = ", ".join(rt.column_names)
    ctx.run(
        f"""CREATE TEMP TABLE {existing} AS
            SELECT t._row, s._load_id, s._source_file, s._line
            FROM {typed} t JOIN {stg} s ON {_key_match('t', 's', rt)}
            WHERE t._row NOT IN (SELECT _row FROM {rej})"""
    )
    same_text = " AND ".join(f"r.{c} IS NOT DISTINCT FROM i.{c}" for c in rt.column_names)
    ctx.run(
        f"""CREATE TEMP TABLE {unchanged} AS
            SELECT e._row FROM {existing} e
            JOIN {raw} r ON {_lineage_match('r', 'e')}
            JOIN {inc} i ON i._row = e._row
            WHERE {same_text}"""
    )
    ctx.run(f"CREATE TEMP TABLE {replaced} AS SELECT * FROM {existing} WHERE _row NOT IN (SELECT _row FROM {unchanged})")
    for table in (raw, stg):
        ctx.run(f"DELETE FROM {table} t USING {replaced} x WHERE {_lineage_match('t', 'x')}")
    ctx.run(f"CREATE TEMP TABLE {skip} AS SELECT _row FROM {rej} UNION SELECT _row FROM {unchanged}")
    lineage = "$load_id, $file, _line"
    params = {"load_id": ctx.load_id, "file": ctx.source_file}
    ctx.run(
        f"INSERT INTO {raw} SELECT {columns}, {lineage} FROM {inc} WHERE _row NOT IN (SELECT _row FROM {skip})",
        params,
    )
    ctx.run(
        f"INSERT INTO {stg} SELECT {columns}, {lineage} FROM {typed} WHERE _row NOT IN (SELECT _row FROM {skip})",
        params,
    )
    read = ctx.scalar(f"SELECT count(*) FROM {inc}")
    rejected = ctx.scalar(f"SELECT count(DISTINCT _row) FROM {rej}")
    n_existing = ctx.scalar(f"SELECT count(*) FROM {existing}")
    n_unchanged = ctx.scalar(f"SELECT count(*) FROM {unchanged}")
    return Applied(
        rows_loaded=read - rejected,
        rows_rejected=rejected,
        inserted=read - rejected - n_existing,
        replaced=n_existing - n_unchanged,
        unchanged=n_unchanged,
    )


# --- references ---------------------------------------------------------------------------


def warn_dangling_references(
    con: duckdb.DuckDBPyConnection, load_id: int, child: RecordType, column: str, parent: RecordType
) -> None:
    """Rows this load wrote whose reference names no record of the parent type."""
    parent_key = parent.key[0]
    con.execute(
        f"""INSERT INTO load_warnings
            SELECT $load_id, $child, s._source_file, s._line, $column,
                   $column || ' has no matching ' || $parent || ' record'
            FROM {staging_table(child)} s
            WHERE s._load_id = $load_id AND s.{column} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {staging_table(parent)} p WHERE p.{parent_key} = s.{column})
            ORDER BY s._line""",
        {"load_id": load_id, "child": child.name, "column": column, "parent": parent.name},
    )
