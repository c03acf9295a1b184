"""The clone rule turns most separators into spaces with replace() and keeps the
unicode regex for what is left; its words must be exactly the spec's: the maximal
runs of letters and digits of the lower-cased narrative, minus the client's name."""

from __future__ import annotations

import pytest

from plan_analytics.db import connect
from plan_analytics.engine import run_sql, statements
from plan_analytics.registry import RULES_BY_ID

NAME = "José O'Brien-Smith"
TEXTS = {
    "ascii": "Client's PHQ-9 score: 19/27 (moderate);\tsleep\r\nis poor... \"worse\" at night! 1,000 mg",
    "rare ascii": "snake_case #3 *bold* a@b.c <tag> [x] {y} ~z ^w |v `u` $5 = 5 + 0 % & ?!",
    "only spaces between": "  many   spaces    between   words   and   at   both   ends  ",
    "unicode": "Café résumé naïve — Straße 東京 ２ ½ client’s “quote” x² İstanbul ÀÉÎ",
    "combining mark": "cafe\u0301 au lait\u00a0with\u2009thin spaces\u2028and a line separator",
    "name": "José met O'Brien; Brien's mother and josé smith-jones, smith and Jose again",
    "dashes": "well-being — steady–ish … “quoted” ‘single’ a/b\\c",
}
REFERENCE_WORDS = r"""
    list_filter(
        string_split(trim(regexp_replace(lower(text), '[^\p{L}\p{N}]+', ' ', 'g')), ' '),
        lambda word: word <> '' AND NOT list_contains(
            string_split(trim(regexp_replace(lower($name), '[^\p{L}\p{N}]+', ' ', 'g')), ' '), word))
"""


@pytest.fixture(scope="module")
def shingle_lists(tmp_path_factory):
    con = connect(tmp_path_factory.mktemp("tokens") / "tokens.duckdb")
    con.execute("INSERT INTO stg_clients BY NAME SELECT 'C1' AS client_id, $name AS client_name", {"name": NAME})
    for number, (plan_id, text) in enumerate(TEXTS.items()):
        con.execute(
            "INSERT INTO stg_treatment_plans BY NAME SELECT $plan_id AS plan_id, 'C1' AS client_id, "
            "'P1' AS provider_id, TIMESTAMP '2026-01-05 10:00' AS created_at, "
            "TIMESTAMP '2026-01-05 12:00' AS provider_signed_at, $text AS symptoms",
            {"plan_id": plan_id, "text": text},
        )
    shingles, *_ = statements(RULES_BY_ID["uniqueness.cloned_plan"].sql())
    run_sql(con, shingles, {"clients_loaded": True})
    yield con
    con.close()


def words_of(con, text: str) -> list[str]:
    return con.execute(f"SELECT {REFERENCE_WORDS} FROM (SELECT $text AS text)", {"text": text, "name": NAME}).fetchall()[0][0]


@pytest.mark.parametrize("plan_id", TEXTS)
def test_shingles_are_those_of_the_regex_words(shingle_lists, plan_id):
    expected = shingle_lists.execute(
        f"SELECT list_transform(range(1, len(words) - 1), lambda i: hash(words[i], words[i + 1], words[i + 2])), "
        f"len(words) FROM (SELECT {REFERENCE_WORDS} AS words FROM (SELECT $text AS text))",
        {"text": TEXTS[plan_id], "name": NAME},
    ).fetchall()[0]
    actual = shingle_lists.execute(
        "SELECT shingles, word_count FROM cache_clone_shingle_lists WHERE plan_id = $plan_id", {"plan_id": plan_id}
    ).fetchall()[0]
    assert actual == expected


def test_reference_words_by_hand(shingle_lists):
    # The spec's definition itself, so the comparison above cannot pass vacuously.
    assert words_of(shingle_lists, TEXTS["ascii"]) == [
        "client", "s", "phq", "9", "score", "19", "27", "moderate", "sleep", "is", "poor", "worse", "at",
        "night", "1", "000", "mg",
    ]
    assert words_of(shingle_lists, TEXTS["unicode"])[:9] == [
        "café", "résumé", "naïve", "straße", "東京", "２", "½", "client", "s",
    ]
    assert words_of(shingle_lists, TEXTS["name"]) == [
        "met", "s", "mother", "and", "jones", "and", "jose", "again",
    ]
