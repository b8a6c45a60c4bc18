-- The (article_id, run_id) pairs of `mention_rows` that `mentions` leaves out: mentions another run
-- found in a text that is no longer the article's latest (a new version, or a later re-tagging that no
-- new article row came with). A pair is stale when a latest row of its article was written by another
-- run. A mention whose article is missing is never stale: it stays visible (checks/orphan_mentions).
CREATE OR REPLACE TABLE stale_mention_runs AS
WITH latest_runs AS (
    SELECT DISTINCT a.article_id, a.run_id
    FROM article_rows AS a
    ANTI JOIN article_superseded AS s
        ON s.article_id = a.article_id
       AND s.version = coalesce(a.version, 1)
       AND s.fetched_at = coalesce(a.fetched_at, '-infinity')
       AND s.run_id = coalesce(a.run_id, '')
)
SELECT DISTINCT m.article_id, m.run_id
FROM mention_rows AS m
JOIN latest_runs AS l
    ON l.article_id = m.article_id
   AND l.run_id IS DISTINCT FROM m.run_id;
