-- The rows of `article_rows` that are not their article's latest: what `articles` leaves out.
-- An article's rows rank by (version, fetched_at, run_id), a missing version counting as 1, a missing
-- fetch time as the earliest and a missing run id as ''; the greatest rank is the latest, and rows tied
-- on it are all latest. A row is named by its article_id and rank (those coalesced values): two rows
-- with the same name are both superseded or both latest. Only articles with more than one row can have
-- a superseded one, so the window runs over those alone (a few percent of a warehouse).
CREATE OR REPLACE TABLE article_superseded AS
WITH repeated AS (
    SELECT article_id
    FROM article_rows
    GROUP BY article_id
    HAVING count(*) > 1
),
ranked AS (
    SELECT
        article_id,
        coalesce(version, 1) AS version,
        coalesce(fetched_at, '-infinity') AS fetched_at,
        coalesce(run_id, '') AS run_id
    FROM article_rows
    SEMI JOIN repeated USING (article_id)
)
SELECT DISTINCT article_id, version, fetched_at, run_id
FROM ranked
QUALIFY (version, fetched_at, run_id) <> max((version, fetched_at, run_id)) OVER (PARTITION BY article_id);
