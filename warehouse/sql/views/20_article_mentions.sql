-- Mentions with their entity and article, and a snippet of the text around each.
CREATE OR REPLACE VIEW article_mentions AS
SELECT
    m.article_id,
    a.source_id,
    a.published_at,
    a.title,
    a.is_duplicate,
    m.entity_id,
    e.name AS entity_name,
    e.type AS entity_type,
    m.surface,
    m.field,
    m.start,
    m."end",
    snippet(mention_text(m.field, a.title, a.body), m.start, m."end", 40) AS context
FROM mentions AS m
JOIN articles AS a USING (article_id)
LEFT JOIN entities AS e USING (entity_id);
