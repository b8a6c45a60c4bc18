-- Offsets are 0-based code points into the title or body of the article version the mention was found
-- in (the article row of the same run): 0 <= start < "end" <= length, and the text at them is the
-- mention's surface. Checked over every version (`mention_rows`, `article_rows`).
SELECT m.article_id, m.entity_id, m.field, m.start, m."end", m.surface,
       length(mention_text(m.field, a.title, a.body)) AS text_length
FROM mention_rows AS m
JOIN article_rows AS a ON a.article_id = m.article_id AND a.run_id IS NOT DISTINCT FROM m.run_id
WHERE m.field IS NULL
   OR m.field NOT IN ('title', 'body')
   OR m.start IS NULL OR m."end" IS NULL
   OR m.start < 0
   OR m."end" <= m.start
   OR m."end" > coalesce(length(mention_text(m.field, a.title, a.body)), 0)
   OR substring(mention_text(m.field, a.title, a.body), m.start + 1, m."end" - m.start) IS DISTINCT FROM m.surface;
