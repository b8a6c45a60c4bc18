-- Every mention points at an article that is in the warehouse.
SELECT m.article_id, m.entity_id, m.run_id
FROM mentions AS m
ANTI JOIN articles AS a USING (article_id);
