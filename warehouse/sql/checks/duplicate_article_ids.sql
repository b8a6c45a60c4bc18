-- One version of one article is one row of `article_rows`: the same (article_id, version) written twice
-- would count a story twice (rows from before versions existed count as version 1).
SELECT article_id, coalesce(version, 1) AS version, count(*) AS rows, list(DISTINCT run_id) AS run_ids
FROM article_rows
GROUP BY article_id, coalesce(version, 1)
HAVING count(*) > 1;
