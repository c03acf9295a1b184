-- rule: uniqueness.cloned_plan
-- requirement: The plan is unique to the client (no cloned plans).
-- grain: one finding per signed plan whose narrative is a near copy of another client's
-- parameters: $clone_similarity, $clients_loaded
-- Exact all-pairs-above-threshold Jaccard by prefix filtering: order every plan's
-- shingles rarest first; two sets with Jaccard >= t share a shingle within their first
-- n - ceil(t * n) + 1, so only those prefixes are joined, then each candidate pair is
-- verified exactly. Cost grows with the sizes of the rare-shingle lists, not with plans^2.
WITH goal_text AS (
    SELECT plan_id,
           string_agg(concat_ws(' ',
               CASE WHEN NOT is_blank(goal) THEN goal END,
               CASE WHEN NOT is_blank(steps) THEN steps END,
               CASE WHEN NOT is_blank(desired_outcome) THEN desired_outcome END),
             ' ' ORDER BY goal_number) AS goals
    FROM stg_plan_goals
    WHERE plan_id IN (SELECT plan_id FROM int_signed_plans)
    GROUP BY plan_id
),
narratives AS (
    SELECT
        signed.plan_id,
        signed.client_id,
        concat_ws(' ',
            CASE WHEN NOT is_blank(plan.symptoms) THEN plan.symptoms END,
            CASE WHEN NOT is_blank(plan.treatment_history) THEN plan.treatment_history END,
            goal_text.goals,
            CASE WHEN NOT is_blank(plan.interventions) THEN plan.interventions END) AS narrative,
        CASE WHEN $clients_loaded AND NOT is_blank(client.client_name) THEN client.client_name END AS client_name
    FROM int_signed_plans AS signed
    JOIN stg_treatment_plans AS plan USING (plan_id)
    LEFT JOIN goal_text USING (plan_id)
    LEFT JOIN stg_clients AS client ON client.client_id = signed.client_id
),
normalized AS (
    SELECT
        plan_id,
        client_id,
        string_split(trim(regexp_replace(lower(narrative), '[^\p{L}\p{N}]+', ' ', 'g')), ' ') AS tokens,
        string_split(trim(regexp_replace(lower(coalesce(client_name, '')), '[^\p{L}\p{N}]+', ' ', 'g')), ' ')
            AS name_tokens
    FROM narratives
),
words AS (
    SELECT plan_id, client_id,
           list_filter(tokens, lambda word: word <> '' AND NOT list_contains(name_tokens, word)) AS words
    FROM normalized
),
shingle_sets AS (
    SELECT plan_id, client_id,
           list_distinct(list_transform(range(1, len(words) - 1),
               lambda i: hash(words[i] || ' ' || words[i + 1] || ' ' || words[i + 2]))) AS shingles
    FROM words
    WHERE len(words) >= 10
),
shingle_rows AS (
    SELECT plan_id, client_id, len(shingles) AS set_size, unnest(shingles) AS shingle
    FROM shingle_sets
),
shingle_frequency AS (
    SELECT shingle, count(*) AS plans_with_shingle FROM shingle_rows GROUP BY shingle
),
prefixes AS (
    SELECT plan_id, client_id, shingle
    FROM (
        SELECT row.plan_id, row.client_id, row.shingle, row.set_size,
               row_number() OVER (PARTITION BY row.plan_id
                                  ORDER BY frequency.plans_with_shingle, row.shingle) AS rarity_rank
        FROM shingle_rows AS row
        JOIN shingle_frequency AS frequency USING (shingle)
    )
    WHERE rarity_rank <= set_size - ceil($clone_similarity * set_size - 1e-9) + 1
),
candidate_pairs AS (
    SELECT DISTINCT left_plan.plan_id AS plan_a, right_plan.plan_id AS plan_b
    FROM prefixes AS left_plan
    JOIN prefixes AS right_plan
      ON right_plan.shingle = left_plan.shingle
     AND right_plan.plan_id > left_plan.plan_id
     AND right_plan.client_id <> left_plan.client_id
),
similar_pairs AS (
    SELECT pair.plan_a, pair.plan_b,
           len(list_intersect(a.shingles, b.shingles)) AS shared,
           len(a.shingles) AS size_a,
           len(b.shingles) AS size_b
    FROM candidate_pairs AS pair
    JOIN shingle_sets AS a ON a.plan_id = pair.plan_a
    JOIN shingle_sets AS b ON b.plan_id = pair.plan_b
),
clone_pairs AS (
    SELECT plan_a, plan_b, shared / (size_a + size_b - shared) AS similarity
    FROM similar_pairs
    WHERE shared / (size_a + size_b - shared) >= $clone_similarity
),
both_directions AS (
    SELECT plan_a AS plan_id, plan_b AS other_plan_id, similarity FROM clone_pairs
    UNION ALL
    SELECT plan_b AS plan_id, plan_a AS other_plan_id, similarity FROM clone_pairs
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
