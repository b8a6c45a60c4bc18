-- Offsets are 0-based code points into the article's title or body: 0 <= start < "end" <= length,
-- and the text at them is the mention's surface.
SELECT m.article_id, m.entity_id, m.field, m.start, m."end", m.surface,
       length(mention_text(m.field, a.title, a.body)) AS text_length
FROM mentions AS m
JOIN articles AS a USING (article_id)
WHERE m.field IS NULL
   OR m.field NOT IN ('title', 'body')
   OR m.start IS NULL OR m."end" IS NULL
   OR m.start < 0
   OR m."end" <= m.start
   OR m."end" > coalesce(length(mention_text(m.field, a.title, a.body)), 0)
   OR substring(mention_text(m.field, a.title, a.body), m.start + 1, m."end" - m.start) IS DISTINCT FROM m.surface;
