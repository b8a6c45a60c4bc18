-- An article_id must name one row among the non-duplicate articles: two would count one story twice.
SELECT article_id, count(*) AS rows, list(DISTINCT run_id) AS run_ids
FROM articles
WHERE is_duplicate IS NOT TRUE
GROUP BY article_id
HAVING count(*) > 1;
