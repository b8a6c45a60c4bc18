-- Table macros: parameterised views.

-- Unique (non-duplicate) articles published in [from_ts, to_ts).
--   SELECT title FROM articles_between(TIMESTAMPTZ '2025-10-01', TIMESTAMPTZ '2025-11-01');
CREATE OR REPLACE MACRO articles_between(from_ts, to_ts) AS TABLE
    SELECT *
    FROM articles
    WHERE is_duplicate IS NOT TRUE
      AND published_at >= from_ts
      AND published_at < to_ts;

-- Every mention of one entity with its article, newest first.
--   SELECT published_at, source_id, title, surface FROM mentions_of('Q12345');
CREATE OR REPLACE MACRO mentions_of(entity) AS TABLE
    SELECT a.published_at, a.source_id, a.title, a.url, m.field, m.surface, m.start, m."end",
           a.is_duplicate, m.article_id
    FROM mentions AS m
    JOIN articles AS a USING (article_id)
    WHERE m.entity_id = entity
    ORDER BY a.published_at DESC NULLS LAST, m.article_id, m.start;
