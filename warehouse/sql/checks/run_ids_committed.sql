-- Every row of the warehouse comes from a run that recorded itself in `runs`
-- (only checked once some run is recorded: a warehouse loaded without run rows is not an error).
-- Articles are checked on `article_rows`, every version, not only the latest.
SELECT 'articles' AS table_name, run_id, count(*) AS rows
FROM article_rows
WHERE EXISTS (SELECT 1 FROM runs) AND run_id NOT IN (SELECT run_id FROM runs)
GROUP BY run_id
UNION ALL
SELECT 'rejects', run_id, count(*)
FROM rejects
WHERE EXISTS (SELECT 1 FROM runs) AND run_id NOT IN (SELECT run_id FROM runs)
GROUP BY run_id;
