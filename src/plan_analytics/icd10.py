"""ICD-10-CM billable codes, from the code set shipped by simple-icd-10-cm."""

from __future__ import annotations

from functools import lru_cache

import duckdb
import pandas as pd
import simple_icd_10_cm as icd


def normalize(code: str) -> str:
    """`f41.1` -> `F411`: codes compare case-insensitively, with or without the dot."""
    return code.strip().replace(".", "").upper()


@lru_cache(maxsize=1)
def billable_code_set() -> frozenset[str]:
    """Every billable code (a leaf of the code tree), dotless and upper case.

    Chapters ("5") and blocks ("F40-F48") are not codes. In the sorted list a code's
    children follow it directly, so a code is a leaf when the next one does not
    extend it: the library's is_leaf for codes, at a hundredth of the time.
    """
    codes = sorted(c for c in icd.get_all_codes(False) if "-" not in c and not c.isdigit())
    following = codes[1:] + [""]
    return frozenset(code for code, after in zip(codes, following) if not after.startswith(code))


def is_billable(code: str) -> bool:
    return normalize(code) in billable_code_set()


def description(code: str) -> str | None:
    code = normalize(code)
    return icd.get_description(code) if code and icd.is_valid_item(code) else None


def register_billable_codes(con: duckdb.DuckDBPyConnection) -> None:
    """A per-connection reference table `ref_icd10cm_billable(code)` for SQL rules."""
    frame = pd.DataFrame({"code": sorted(billable_code_set())})
    con.register("icd10cm_billable_frame", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE ref_icd10cm_billable AS SELECT code FROM icd10cm_billable_frame")
    con.unregister("icd10cm_billable_frame")
