"""Column-wise text building for the synthetic export.

Python string formatting per row is too slow for millions of plans, so a
template is applied once per *distinct template* to all rows that chose it,
with Arrow's string kernels doing the per-row work.
"""

from __future__ import annotations

import string
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_FORMATTER = string.Formatter()


def strings(values: Sequence[str]) -> pa.Array:
    return pa.array(list(values), type=pa.string())


def ints_as_text(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values, type=pa.int64()), pa.string())


def concat(*parts, sep: str = "") -> pa.Array:
    """Row-wise concatenation; a null part is skipped (not propagated)."""
    return join(*parts, sep=sep, skip_nulls=True)


def join(*parts, sep: str = "", skip_nulls: bool = False) -> pa.Array:
    """binary_join_element_wise, guarded against a pyarrow 26 bug.

    With null_handling="skip", rows in which every argument is null are
    dropped from the output (it comes back too short). Such rows are joined
    from an empty string here and made null afterwards.
    """
    arrays = [i for i, p in enumerate(parts) if isinstance(p, pa.Array)]
    mode = "skip" if skip_nulls else "emit_null"
    if not skip_nulls or len(arrays) < len(parts):
        return pc.binary_join_element_wise(*parts, sep, null_handling=mode)
    all_null = pc.is_null(parts[0])
    for p in parts[1:]:
        all_null = pc.and_(all_null, pc.is_null(p))
    if not pc.any(all_null).as_py():
        return pc.binary_join_element_wise(*parts, sep, null_handling=mode)
    patched = [pc.if_else(all_null, "", parts[0]), *parts[1:]]
    joined = pc.binary_join_element_wise(*patched, sep, null_handling=mode)
    return pc.if_else(all_null, pa.scalar(None, pa.string()), joined)


def render(templates: Sequence[str], choice: np.ndarray, values: dict[str, pa.Array]) -> pa.Array:
    """Row i = templates[choice[i]] with `{field}` replaced by values[field][i]."""
    n = len(choice)
    if n == 0:
        return pa.array([], type=pa.string())
    order = np.argsort(choice, kind="stable")
    sorted_choice = choice[order]
    starts = np.flatnonzero(np.r_[True, sorted_choice[1:] != sorted_choice[:-1]])
    ends = np.r_[starts[1:], n]
    pieces = []
    for start, end in zip(starts, ends):
        rows = pa.array(order[start:end])
        pieces.append(_fill(templates[sorted_choice[start]], rows, values))
    grouped = pa.concat_arrays(pieces)
    # grouped is in `order`; invert the permutation to return rows in input order.
    inverse = np.empty(n, dtype=np.int64)
    inverse[order] = np.arange(n)
    return grouped.take(pa.array(inverse))


def _fill(template: str, rows: pa.Array, values: dict[str, pa.Array]) -> pa.Array:
    parts: list = []
    for literal, field, _spec, _conv in _FORMATTER.parse(template):
        if literal:
            parts.append(literal)
        if field is not None:
            parts.append(values[field].take(rows))
    if not any(isinstance(p, pa.Array) for p in parts):
        return pa.repeat(pa.scalar("".join(parts), pa.string()), len(rows))
    if len(parts) == 1:
        return parts[0]
    return join(*parts)


def pick_within(rng: np.random.Generator, offsets: np.ndarray, sizes: np.ndarray, group: np.ndarray) -> np.ndarray:
    """A uniform index into a flattened pool, within the slice belonging to each row's group."""
    return offsets[group] + (rng.random(len(group)) * sizes[group]).astype(np.int64)


def distinct_picks(rng: np.random.Generator, pool_sizes: np.ndarray, count: int) -> np.ndarray:
    """`count` distinct positions per row in [0, pool_size) (pool_size >= count), as a (rows, count) matrix."""
    width = int(pool_sizes.max()) if len(pool_sizes) else count
    keys = rng.random((len(pool_sizes), width))
    # Positions past a row's pool size sort last, so they are never picked.
    keys[np.arange(width)[None, :] >= pool_sizes[:, None]] = 2.0
    return np.argsort(keys, axis=1)[:, :count]


def flatten(pools: Sequence[Sequence[str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Many pools as one list plus each pool's offset and size."""
    flat: list[str] = []
    offsets, sizes = [], []
    for pool in pools:
        offsets.append(len(flat))
        sizes.append(len(pool))
        flat.extend(pool)
    return flat, np.array(offsets, dtype=np.int64), np.array(sizes, dtype=np.int64)
