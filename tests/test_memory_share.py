"""Report kernels that run side by side split DuckDB's memory limit between them."""

from __future__ import annotations

import pytest

from plan_analytics.db import share_of_memory_limit
from plan_analytics.errors import PlanAnalyticsError


@pytest.mark.parametrize(
    ("limit", "processes", "share"),
    [
        ("3GB", 2, "1500MB"),
        ("3GB", 3, "1000MB"),
        ("3GB", 1, "3000MB"),
        ("4GiB", 2, "2147MB"),  # 4 * 2**30 / 2 = 2,147,483,648 bytes
        (" 512mb ", 2, "256MB"),
    ],
)
def test_share(limit, processes, share):
    assert share_of_memory_limit(processes, limit) == share


def test_a_limit_that_is_not_a_size_is_one_sentence():
    with pytest.raises(PlanAnalyticsError, match="is not a size like 3GB"):
        share_of_memory_limit(2, "lots")
