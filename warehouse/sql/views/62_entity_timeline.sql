-- entity_timeline: how often each entity is in the news, per day and source (days in UTC, as in
-- daily_coverage), over unique articles (duplicates left out).
--   mentions       mentions that day; articles: unique articles naming the entity that day
--   mean_relevance the articles' mean relevance to Japan–Russia relations
--   SELECT day, sum(articles) FROM entity_timeline WHERE entity_id = 'place:northern-territories'
--   GROUP BY day ORDER BY day;
CREATE OR REPLACE VIEW entity_timeline AS
SELECT
    ae.entity_id,
    any_value(ae.entity_name) AS entity_name,
    any_value(ae.entity_type) AS entity_type,
    CAST(timezone('UTC', ae.published_at) AS DATE) AS day,
    ae.source_id,
    CAST(sum(ae.mentions) AS BIGINT) AS mentions,
    count(*) AS articles,
    avg(ae.relevance) AS mean_relevance
FROM article_entities AS ae
WHERE ae.is_duplicate IS NOT TRUE
GROUP BY ae.entity_id, day, ae.source_id;
