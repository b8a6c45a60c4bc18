-- Articles without their duplicates: one row per story cluster representative.
CREATE OR REPLACE VIEW unique_articles AS
SELECT *
FROM articles
WHERE is_duplicate IS NOT TRUE;
