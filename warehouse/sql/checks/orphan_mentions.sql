-- Every mention, of any version, points at an article that is in the warehouse.
SELECT m.article_id, m.entity_id, m.run_id
FROM mention_rows AS m
ANTI JOIN article_rows AS a USING (article_id);
