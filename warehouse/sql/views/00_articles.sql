-- The dedup state of every article as last decided: its newest row in the `signatures` ledger. A later
-- run revises earlier articles by appending rows (an earlier copy became the representative, a new
-- article joined two clusters), so the latest decision wins; ties go to the later run.
CREATE OR REPLACE VIEW dedup_state AS
SELECT
    article_id,
    cluster_id,
    is_duplicate,
    duplicate_of,
    agency,
    reason,
    run_id AS decided_by_run,
    decided_at
FROM signatures
QUALIFY row_number() OVER (PARTITION BY article_id ORDER BY decided_at DESC, run_id DESC) = 1;

-- One row per article: its latest version (from `article_rows`, every version ever written), with the
-- cluster, duplicate flag, representative and agency as last decided. Same columns as the table schema:
-- REPLACE keeps every column in place. An article the ledger does not know keeps its row's values.
-- The latest row is found by a join on its rank, not a window, so that rows keep the files' order.
CREATE OR REPLACE VIEW articles AS
WITH latest AS (
    SELECT article_id, max((coalesce(version, 1), coalesce(fetched_at, '-infinity'), coalesce(run_id, ''))) AS rank
    FROM article_rows
    GROUP BY article_id
)
SELECT a.* REPLACE (
    CASE WHEN d.article_id IS NULL THEN a.agency ELSE d.agency END AS agency,
    CASE WHEN d.article_id IS NULL THEN a.cluster_id ELSE d.cluster_id END AS cluster_id,
    CASE WHEN d.article_id IS NULL THEN a.is_duplicate ELSE d.is_duplicate END AS is_duplicate,
    CASE WHEN d.article_id IS NULL THEN a.duplicate_of ELSE d.duplicate_of END AS duplicate_of
)
FROM article_rows AS a
SEMI JOIN latest AS l
    ON l.article_id = a.article_id
   AND l.rank = (coalesce(a.version, 1), coalesce(a.fetched_at, '-infinity'), coalesce(a.run_id, ''))
LEFT JOIN dedup_state AS d ON d.article_id = a.article_id;
