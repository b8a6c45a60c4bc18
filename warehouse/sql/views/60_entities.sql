-- Entities per article (issue 5's "entity per article with counts"). Built on `mentions`, which
-- (views/01_mentions.sql) holds only the mentions of each article's current version, so a re-fetched
-- or re-tagged article is not counted twice.
--
-- current_entities: one row per entity id, from the newest knowledge-base version committed.
CREATE OR REPLACE VIEW current_entities AS
SELECT *
FROM entities
QUALIFY row_number() OVER (PARTITION BY entity_id ORDER BY kb_version DESC NULLS LAST) = 1;

-- article_entities: one row per (article, entity), duplicates of a story included (filter on
-- is_duplicate), with
--   mentions        how often the entity is mentioned (title and body);
--   title_mentions  how many of those are in the title;
--   first_field, first_start, first_end, first_surface
--                   the first mention in reading order (the title before the body): offsets into that
--                   field, as in `mentions`;
--   variants        the naming variants used (disputed islands: northern_territories, southern_kurils,
--                   japanese_naming, russian_naming, kurils, neutral), sorted, [] when none;
--   roles           the offices through which bare roles were linked ("the foreign minister"), sorted;
--   min_confidence  the weakest link (1.0: every mention by a full alias).
--   SELECT title, mentions FROM article_entities WHERE entity_id = 'person:sergey-lavrov' ORDER BY 2 DESC;
CREATE OR REPLACE VIEW article_entities AS
WITH per_entity AS (
    SELECT
        article_id,
        entity_id,
        count(*) AS mentions,
        count(*) FILTER (WHERE field = 'title') AS title_mentions,
        arg_min(field, (field <> 'title', start)) AS first_field,
        min(start) FILTER (WHERE field = 'title') AS first_title_start,
        min(start) FILTER (WHERE field = 'body') AS first_body_start,
        arg_min(surface, (field <> 'title', start)) AS first_surface,
        arg_min("end", (field <> 'title', start)) AS first_end,
        list_sort(list_distinct(list(variant) FILTER (WHERE variant IS NOT NULL))) AS variants,
        list_sort(list_distinct(list(role) FILTER (WHERE role IS NOT NULL))) AS roles,
        min(confidence) AS min_confidence
    FROM mentions
    GROUP BY article_id, entity_id
)
SELECT
    p.article_id,
    a.source_id,
    a.published_at,
    a.language,
    a.title,
    a.relevance,
    a.is_duplicate,
    p.entity_id,
    e.name AS entity_name,
    e.type AS entity_type,
    e.country AS entity_country,
    p.mentions,
    p.title_mentions,
    p.first_field,
    CASE p.first_field WHEN 'title' THEN p.first_title_start ELSE p.first_body_start END AS first_start,
    p.first_end,
    p.first_surface,
    coalesce(p.variants, []::VARCHAR[]) AS variants,
    coalesce(p.roles, []::VARCHAR[]) AS roles,
    p.min_confidence
FROM per_entity AS p
JOIN articles AS a USING (article_id)
LEFT JOIN current_entities AS e USING (entity_id);
