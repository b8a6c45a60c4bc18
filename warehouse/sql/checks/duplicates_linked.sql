-- A duplicate is kept and linked, never orphaned: it has a cluster, and what it duplicates exists.
SELECT a.article_id, a.cluster_id, a.duplicate_of
FROM articles AS a
WHERE a.is_duplicate
  AND (a.cluster_id IS NULL
       OR (a.duplicate_of IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM articles AS r WHERE r.article_id = a.duplicate_of)));
