-- Daily coverage per source: unique articles, duplicates and mean relevance (days in UTC).
CREATE OR REPLACE VIEW daily_coverage AS
SELECT
    CAST(timezone('UTC', published_at) AS DATE) AS day,
    source_id,
    count(*) FILTER (WHERE is_duplicate IS NOT TRUE) AS articles,
    count(*) FILTER (WHERE is_duplicate) AS duplicates,
    avg(relevance) FILTER (WHERE is_duplicate IS NOT TRUE) AS mean_relevance
FROM articles
GROUP BY ALL;

-- How often each entity is mentioned, in how many unique articles, and when first and last.
CREATE OR REPLACE VIEW entity_coverage AS
SELECT
    m.entity_id,
    any_value(e.name) AS name,
    any_value(e.type) AS type,
    count(*) AS mentions,
    count(DISTINCT m.article_id) AS articles,
    min(a.published_at) AS first_seen,
    max(a.published_at) AS last_seen
FROM mentions AS m
JOIN articles AS a USING (article_id)
LEFT JOIN entities AS e USING (entity_id)
WHERE a.is_duplicate IS NOT TRUE
GROUP BY m.entity_id;
