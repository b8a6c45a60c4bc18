-- The dedup state of every article as last decided: its newest row in the `signatures` ledger. A later
-- run revises earlier articles by appending rows (an earlier copy became the representative, a new
-- article joined two clusters), so the latest decision wins; ties go to the later run. `articles` does
-- not read it: state/20_dedup_overrides.sql applies the same rule when the catalog is built.
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
-- cluster, duplicate flag, representative and agency as last decided by the dedup ledger. Same columns
-- as the table schema: REPLACE keeps every column in place. An article the ledger does not know keeps
-- its row's values. What the rule needs is resolved when the catalog is built (state/): the few rows
-- that are not the latest (article_superseded) and the few articles whose flags the ledger changed
-- (dedup_overrides), so a query joins two small tables, and filters on the row's own columns
-- (published_at, source_id, ...) still reach the Parquet scan.
CREATE OR REPLACE VIEW articles AS
SELECT a.* REPLACE (
    CASE WHEN d.article_id IS NULL THEN a.agency ELSE d.agency END AS agency,
    CASE WHEN d.article_id IS NULL THEN a.cluster_id ELSE d.cluster_id END AS cluster_id,
    CASE WHEN d.article_id IS NULL THEN a.is_duplicate ELSE d.is_duplicate END AS is_duplicate,
    CASE WHEN d.article_id IS NULL THEN a.duplicate_of ELSE d.duplicate_of END AS duplicate_of
)
FROM article_rows AS a
ANTI JOIN article_superseded AS s
    ON s.article_id = a.article_id
   AND s.version = coalesce(a.version, 1)
   AND s.fetched_at = coalesce(a.fetched_at, '-infinity')
   AND s.run_id = coalesce(a.run_id, '')
LEFT JOIN dedup_overrides AS d ON d.article_id = a.article_id;
