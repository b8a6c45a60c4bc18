-- Syndication: per story cluster with more than one article, who published it first and who repeated
-- it, with the delay and the credited wire agency (the first's credit, else any member's). The first is
-- the cluster's representative (the earliest published); one row per repeat.
--   SELECT first_source_id, repeated_by, delay FROM syndication WHERE agency = 'JIJI Press';
CREATE OR REPLACE VIEW syndication AS
WITH members AS (
    SELECT
        cluster_id, article_id, source_id, agency, published_at, title, url,
        row_number() OVER (
            PARTITION BY cluster_id
            ORDER BY is_duplicate IS TRUE, published_at NULLS LAST, article_id
        ) AS rank,
        count(*) OVER (PARTITION BY cluster_id) AS copies,
        max(agency) OVER (PARTITION BY cluster_id) AS any_agency
    FROM articles
    WHERE cluster_id IS NOT NULL
)
SELECT
    f.cluster_id,
    coalesce(f.agency, f.any_agency) AS agency,
    f.copies,
    f.article_id AS first_article_id,
    f.source_id AS first_source_id,
    f.published_at AS first_published_at,
    f.title AS first_title,
    r.article_id AS repeat_article_id,
    r.source_id AS repeated_by,
    r.published_at AS repeated_at,
    r.title AS repeat_title,
    r.url AS repeat_url,
    r.published_at - f.published_at AS delay,
    -- the delay as a number, for averages: avg(delay_seconds) / 3600 is the mean delay in hours
    epoch(r.published_at) - epoch(f.published_at) AS delay_seconds
FROM members AS f
JOIN members AS r ON r.cluster_id = f.cluster_id AND r.rank > 1
WHERE f.rank = 1 AND f.copies > 1;
