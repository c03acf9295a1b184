-- rule: uniqueness.cloned_plan
-- requirement: The plan is unique to the client (no cloned plans).
-- grain: one finding per signed plan whose narrative is a near copy of another client's
-- parameters: $clone_similarity, $clients_loaded
-- Candidate pairs come from MinHash LSH (one-permutation hashing: each 3-word shingle's
-- hash falls in one of 128 bins, a bin keeps its minimum, 16 bands of 8 bins); plans
-- that agree on at least two whole bands become candidates and every candidate is
-- verified with the exact Jaccard similarity, so nothing below the threshold is ever
-- reported. A band agrees with probability about J^(occupied bins, ~6 for a typical
-- plan): a pair at J = 0.95 is always found, at J = 0.85 about 995 times in 1,000, at
-- J = 0.3 it is a candidate about once in 15,000. Cost is linear in the shingles plus
-- the band collisions, never plans x plans.
CREATE TEMP TABLE IF NOT EXISTS cache_clone_shingle_lists AS
WITH goal_text AS (
    SELECT plan_id,
           string_agg(concat_ws(' ',
               CASE WHEN NOT is_blank(goal) THEN goal END,
               CASE WHEN NOT is_blank(steps) THEN steps END,
               CASE WHEN NOT is_blank(desired_outcome) THEN desired_outcome END),
             ' ' ORDER BY goal_number) AS goals
    FROM stg_plan_goals
    WHERE plan_id IN (SELECT plan_id FROM stg_treatment_plans WHERE provider_signed_at IS NOT NULL)
    GROUP BY plan_id
),
narratives AS (
    SELECT
        plan.plan_id,
        plan.client_id,
        concat_ws(' ',
            CASE WHEN NOT is_blank(plan.symptoms) THEN plan.symptoms END,
            CASE WHEN NOT is_blank(plan.treatment_history) THEN plan.treatment_history END,
            goal_text.goals,
            CASE WHEN NOT is_blank(plan.interventions) THEN plan.interventions END) AS narrative,
        CASE WHEN $clients_loaded AND NOT is_blank(client.client_name) THEN client.client_name END AS client_name
    FROM stg_treatment_plans AS plan
    LEFT JOIN goal_text USING (plan_id)
    LEFT JOIN stg_clients AS client ON client.client_id = plan.client_id
    WHERE plan.provider_signed_at IS NOT NULL
),
normalized AS (
    -- Tokens are the maximal runs of letters and digits of the lower-cased text. RE2 over
    -- unicode classes runs at ~40 MB/s, so the common separators (none a letter or a
    -- digit, so no token changes) become spaces with replace() first, about 5x faster;
    -- only text with any other character left (unicode, rarer punctuation) takes the regex.
    SELECT plan_id, client_id,
           CASE WHEN regexp_matches(spaced, '[^a-z0-9 ]')
                THEN regexp_replace(spaced, '[^\p{L}\p{N}]+', ' ', 'g')
                ELSE spaced END AS spaced,
           string_split(trim(regexp_replace(lower(coalesce(client_name, '')), '[^\p{L}\p{N}]+', ' ', 'g')), ' ')
               AS name_tokens
    FROM (
        SELECT plan_id, client_id, client_name,
               list_reduce(['.', ',', ';', ':', '(', ')', '-', '/', '''', '"', chr(10), chr(9), chr(13)],
                   lambda text, separator: replace(text, separator, ' '), lower(narrative)) AS spaced
        FROM narratives
    )
),
words AS (
    SELECT plan_id, client_id,
           list_filter(string_split(spaced, ' '), lambda word: word <> '' AND NOT list_contains(name_tokens, word))
               AS words
    FROM normalized
)
    -- A 64-bit hash of the id keys every join below on integers, not text; unlike a
    -- row_number() it needs no window that would hold every shingle list in memory.
    -- Plans under 10 words are not judged; pairs skip them by word_count. Filtering here
    -- would be pushed below the projection and tokenise every narrative twice.
    SELECT hash(plan_id) AS plan_no, plan_id, client_id, len(words) AS word_count,
           list_transform(range(1, len(words) - 1),
               lambda i: hash(words[i], words[i + 1], words[i + 2])) AS shingles
    FROM words;

-- Verified pairs at or above the threshold among every plan ever signed. Text does not
-- change with the as-of date, so a trend of many as-of dates computes this once
-- (the engine drops cache_* tables at the start of each independent evaluation).
CREATE TEMP TABLE IF NOT EXISTS cache_clone_pairs AS
WITH band_minimums AS (
    -- One-permutation MinHash: a shingle's hash picks one of 128 bins (shingle % 128), a
    -- bin keeps its minimum. Grouping by band with one filtered min per bin of the band
    -- gives the same minimums from 8x fewer groups (half the time of grouping by bin).
    -- All-empty bands carry no evidence and are never formed (no rows for them).
    SELECT plan_no, shingle % 128 // 8 AS band,
           min(shingle) FILTER (WHERE shingle % 8 = 0) AS minimum_0,
           min(shingle) FILTER (WHERE shingle % 8 = 1) AS minimum_1,
           min(shingle) FILTER (WHERE shingle % 8 = 2) AS minimum_2,
           min(shingle) FILTER (WHERE shingle % 8 = 3) AS minimum_3,
           min(shingle) FILTER (WHERE shingle % 8 = 4) AS minimum_4,
           min(shingle) FILTER (WHERE shingle % 8 = 5) AS minimum_5,
           min(shingle) FILTER (WHERE shingle % 8 = 6) AS minimum_6,
           min(shingle) FILTER (WHERE shingle % 8 = 7) AS minimum_7
    FROM (SELECT plan_no, unnest(shingles) AS shingle FROM cache_clone_shingle_lists WHERE word_count >= 10)
    GROUP BY plan_no, shingle % 128 // 8
),
bin_hashes AS (
    -- An empty bin adds nothing (0 is XOR's identity).
    SELECT plan_no, band,
           CASE WHEN minimum_0 IS NULL THEN 0 ELSE hash(minimum_0 % 128, minimum_0) END AS bin_hash_0,
           CASE WHEN minimum_1 IS NULL THEN 0 ELSE hash(minimum_1 % 128, minimum_1) END AS bin_hash_1,
           CASE WHEN minimum_2 IS NULL THEN 0 ELSE hash(minimum_2 % 128, minimum_2) END AS bin_hash_2,
           CASE WHEN minimum_3 IS NULL THEN 0 ELSE hash(minimum_3 % 128, minimum_3) END AS bin_hash_3,
           CASE WHEN minimum_4 IS NULL THEN 0 ELSE hash(minimum_4 % 128, minimum_4) END AS bin_hash_4,
           CASE WHEN minimum_5 IS NULL THEN 0 ELSE hash(minimum_5 % 128, minimum_5) END AS bin_hash_5,
           CASE WHEN minimum_6 IS NULL THEN 0 ELSE hash(minimum_6 % 128, minimum_6) END AS bin_hash_6,
           CASE WHEN minimum_7 IS NULL THEN 0 ELSE hash(minimum_7 % 128, minimum_7) END AS bin_hash_7
    FROM band_minimums
),
band_signatures AS (
    -- XOR of the (bin, minimum) hashes: order-free, so no sorted list is built.
    SELECT plan_no, band,
           xor(xor(xor(bin_hash_0, bin_hash_1), xor(bin_hash_2, bin_hash_3)),
               xor(xor(bin_hash_4, bin_hash_5), xor(bin_hash_6, bin_hash_7))) AS signature
    FROM bin_hashes
),
candidate_pairs AS (
    -- Two agreeing bands, not one: chance agreements between unrelated plans grow with
    -- plans squared, and a second band cuts them by three orders of magnitude.
    SELECT left_plan.plan_no AS plan_a, right_plan.plan_no AS plan_b
    FROM band_signatures AS left_plan
    JOIN band_signatures AS right_plan
      ON right_plan.band = left_plan.band
     AND right_plan.signature = left_plan.signature
     AND right_plan.plan_no > left_plan.plan_no
    GROUP BY left_plan.plan_no, right_plan.plan_no
    HAVING count(*) >= 2
),
similar_pairs AS (
    SELECT a.plan_id AS plan_a, b.plan_id AS plan_b,
           len(list_intersect(a.shingles, b.shingles)) AS shared,
           len(list_distinct(a.shingles)) AS size_a,
           len(list_distinct(b.shingles)) AS size_b
    FROM candidate_pairs AS pair
    JOIN cache_clone_shingle_lists AS a ON a.plan_no = pair.plan_a
    JOIN cache_clone_shingle_lists AS b ON b.plan_no = pair.plan_b
    WHERE a.client_id <> b.client_id
),
clone_pairs AS (
    SELECT plan_a, plan_b, shared / (size_a + size_b - shared) AS similarity
    FROM similar_pairs
    WHERE shared / (size_a + size_b - shared) >= $clone_similarity
)
SELECT plan_a, plan_b, similarity FROM clone_pairs;

WITH pairs_signed_as_of AS (
    SELECT pair.*
    FROM cache_clone_pairs AS pair
    SEMI JOIN int_signed_plans AS a ON a.plan_id = pair.plan_a
    SEMI JOIN int_signed_plans AS b ON b.plan_id = pair.plan_b
),
both_directions AS (
    SELECT plan_a AS plan_id, plan_b AS other_plan_id, similarity FROM pairs_signed_as_of
    UNION ALL
    SELECT plan_b AS plan_id, plan_a AS other_plan_id, similarity FROM pairs_signed_as_of
),
most_similar AS (
    SELECT plan_id,
           first(other_plan_id ORDER BY similarity DESC, other_plan_id) AS other_plan_id,
           max(similarity) AS similarity
    FROM both_directions
    GROUP BY plan_id
)
SELECT signed.provider_id, signed.client_id, signed.plan_id, most_similar.other_plan_id AS detail
FROM most_similar
JOIN int_signed_plans AS signed USING (plan_id)
