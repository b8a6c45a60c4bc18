-- The ledger's current flags (those of the view dedup_state) of every article whose rows carry other
-- ones: the articles a later run revised (a new representative, two clusters joined). `articles` shows
-- these flags instead of its row's; an article absent from here keeps its row's values, which are the
-- ledger's current ones or were never in the ledger. Comparing with every row of the article, not only
-- the latest, may include an article whose old version differs, which changes nothing: the flags are
-- then those of its latest row.
CREATE OR REPLACE TABLE dedup_overrides AS
WITH candidates AS (
    -- an article none of whose ledger rows differs from any of its rows needs no override, whatever
    -- the latest decision is: the ledger is ranked for the others only, not over a million articles
    SELECT DISTINCT s.article_id
    FROM signatures AS s
    JOIN article_rows AS a
        ON a.article_id = s.article_id
       AND (a.agency IS DISTINCT FROM s.agency
            OR a.cluster_id IS DISTINCT FROM s.cluster_id
            OR a.is_duplicate IS DISTINCT FROM s.is_duplicate
            OR a.duplicate_of IS DISTINCT FROM s.duplicate_of)
),
decided AS (
    -- dedup_state's rule (views/00_articles.sql), over the candidates' ledger rows only: DuckDB does
    -- not push a semi-join below the window of that view, which would rank the whole ledger
    SELECT s.article_id, s.agency, s.cluster_id, s.is_duplicate, s.duplicate_of
    FROM signatures AS s
    SEMI JOIN candidates USING (article_id)
    QUALIFY row_number() OVER (PARTITION BY s.article_id ORDER BY s.decided_at DESC, s.run_id DESC) = 1
)
SELECT d.article_id, d.agency, d.cluster_id, d.is_duplicate, d.duplicate_of
FROM decided AS d
WHERE EXISTS (
    SELECT 1
    FROM article_rows AS a
    WHERE a.article_id = d.article_id
      AND (a.agency IS DISTINCT FROM d.agency
           OR a.cluster_id IS DISTINCT FROM d.cluster_id
           OR a.is_duplicate IS DISTINCT FROM d.is_duplicate
           OR a.duplicate_of IS DISTINCT FROM d.duplicate_of)
);
