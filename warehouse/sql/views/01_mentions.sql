-- The mentions of the current version of each article: a new version is tagged again by the run that
-- wrote it, so the mentions another run found in an earlier text (their offsets index that text) are
-- left in `mention_rows`. A mention whose article is missing stays visible (checks/orphan_mentions).
CREATE OR REPLACE VIEW mentions AS
SELECT m.*
FROM mention_rows AS m
ANTI JOIN articles AS a
    ON a.article_id = m.article_id
   AND a.run_id IS DISTINCT FROM m.run_id;
