-- The mentions of the current version of each article: a new version is tagged again by the run that
-- wrote it, so the mentions another run found in an earlier text (their offsets index that text) are
-- left in `mention_rows`. Which (article, run) pairs those are is resolved when the catalog is built
-- (state/30_stale_mention_runs.sql). A mention whose article is missing stays visible
-- (checks/orphan_mentions).
CREATE OR REPLACE VIEW mentions AS
SELECT m.*
FROM mention_rows AS m
ANTI JOIN stale_mention_runs AS s
    ON s.article_id = m.article_id
   AND s.run_id IS NOT DISTINCT FROM m.run_id;
