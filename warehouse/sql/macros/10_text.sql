-- Text macros.

-- The text around character offsets [start, "end") of `txt`, the mention itself in [brackets]:
-- offsets are 0-based code points, as the mentions table stores them.
--   SELECT snippet(a.body, m.start, m."end", 30) FROM mentions m JOIN articles a USING (article_id);
CREATE OR REPLACE MACRO snippet(txt, s, e, width) AS
    substring(txt, greatest(s - width, 0) + 1, least(s, width))
    || '[' || substring(txt, s + 1, e - s) || ']'
    || substring(txt, e + 1, width);

-- The text of an article that a mention's offsets point into.
CREATE OR REPLACE MACRO mention_text(fld, title, body) AS
    CASE fld WHEN 'title' THEN title WHEN 'body' THEN body END;
