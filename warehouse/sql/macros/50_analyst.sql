-- Analyst questions as table macros (benchmarks/analyst_queries.py times them on 1,000,000 articles).
-- Every count is over unique articles (duplicates of a syndicated story left out, so a story counts
-- once, for the outlet that published it first); months and weeks are UTC.

-- How often one entity is in the news, per month and outlet.
--   SELECT * FROM entity_months('person:sergey-lavrov');
CREATE OR REPLACE MACRO entity_months(entity) AS TABLE
    SELECT
        CAST(date_trunc('month', timezone('UTC', a.published_at)) AS DATE) AS month,
        a.source_id,
        count(DISTINCT m.article_id) AS articles,
        count(*) AS mentions
    FROM mentions AS m
    JOIN articles AS a USING (article_id)
    WHERE m.entity_id = entity AND a.is_duplicate IS NOT TRUE
    GROUP BY ALL
    ORDER BY month, a.source_id;

-- Articles that name both entities, newest first, with how often each is mentioned.
--   SELECT source_id, count(*) FROM co_mentions('person:sergey-lavrov', 'place:kunashiri') GROUP BY 1;
CREATE OR REPLACE MACRO co_mentions(entity_a, entity_b) AS TABLE
    WITH both_named AS (
        SELECT
            article_id,
            count(*) FILTER (WHERE entity_id = entity_a) AS mentions_a,
            count(*) FILTER (WHERE entity_id = entity_b) AS mentions_b
        FROM mentions
        WHERE entity_id IN (entity_a, entity_b)
        GROUP BY article_id
        HAVING mentions_a > 0 AND mentions_b > 0
    )
    SELECT a.published_at, a.source_id, a.title, a.url, b.mentions_a, b.mentions_b, a.article_id
    FROM both_named AS b
    JOIN articles AS a USING (article_id)
    WHERE a.is_duplicate IS NOT TRUE
    ORDER BY a.published_at DESC NULLS LAST, a.article_id;

-- How each outlet names the disputed islands over [from_ts, to_ts): the shares of Japan's names
-- (Northern Territories, Etorofu...) and Russia's (Southern Kurils, Iturup...) among framed mentions
-- (the `variant` column of mentions; views/61_island_framing.sql has the same per month).
--   SELECT * FROM framing_share(TIMESTAMPTZ '2025-01-01', TIMESTAMPTZ '2026-01-01');
CREATE OR REPLACE MACRO framing_share(from_ts, to_ts) AS TABLE
    WITH counted AS (
        SELECT
            a.source_id,
            count(*) AS framed_mentions,
            count(DISTINCT m.article_id) AS articles,
            count(*) FILTER (WHERE m.variant IN ('northern_territories', 'japanese_naming')) AS japanese,
            count(*) FILTER (WHERE m.variant IN ('southern_kurils', 'russian_naming')) AS russian,
            count(*) FILTER (WHERE m.variant IN ('kurils', 'neutral')) AS other
        FROM mentions AS m
        JOIN articles AS a USING (article_id)
        WHERE m.variant IS NOT NULL
          AND a.is_duplicate IS NOT TRUE
          AND a.published_at >= from_ts AND a.published_at < to_ts
        GROUP BY a.source_id
    )
    SELECT
        *,
        CASE WHEN japanese + russian > 0 THEN japanese / (japanese + russian) END AS japanese_share,
        CASE WHEN japanese + russian > 0 THEN russian / (japanese + russian) END AS russian_share
    FROM counted
    ORDER BY source_id;

-- The week's biggest stories: clusters by how many articles (copies included) and outlets carried
-- them in the 7 days from week_start, with the earliest article's title.
--   SELECT * FROM top_clusters(TIMESTAMPTZ '2025-11-17', 10);
CREATE OR REPLACE MACRO top_clusters(week_start, n) AS TABLE
    SELECT
        cluster_id,
        count(*) AS articles,
        count(DISTINCT source_id) AS outlets,
        list(DISTINCT source_id ORDER BY source_id) AS sources,
        min(published_at) AS first_published,
        arg_min(title, published_at) AS first_title
    FROM articles
    WHERE cluster_id IS NOT NULL
      AND published_at >= week_start
      AND published_at < week_start + INTERVAL 7 DAY
    GROUP BY cluster_id
    ORDER BY articles DESC, outlets DESC, cluster_id
    LIMIT n;
