-- island_framing: how each outlet names the disputed islands, per source and month (months in UTC,
-- as in daily_coverage). Counts mentions that carry a naming variant (the four islands, the Habomai
-- islets, the islands taken together, the Kuril chain) in unique articles (duplicates left out, so a
-- syndicated story counts once, for the outlet that published it first).
--   mentions                all such mentions; articles: unique articles with at least one
--   northern_territories    "Northern Territories", 北方領土, Северные территории (Japan's collective name)
--   southern_kurils         "Southern Kurils", Южные Курилы, 南クリル諸島 (Russia's collective name)
--   japanese_naming         Etorofu, Kunashiri, 択捉島 ... (Japan's names of single islands)
--   russian_naming          Iturup, Kunashir, Lesser Kuril Ridge ... (Russia's names)
--   kurils                  the whole Kuril chain ("Kuril Islands", Курилы), which Russia's framing folds the
--                           disputed islands into
--   neutral                 names both sides use (Shikotan, Habomai, "the disputed islands")
--   northern_territories_share  northern_territories / (northern_territories + southern_kurils): how
--                           often the outlet's collective name is Japan's (NULL: neither used)
--   japanese_framing_share  the same over every framed name: (northern_territories + japanese_naming) /
--                           (those + southern_kurils + russian_naming); NULL when none
--   SELECT source_id, month, northern_territories_share FROM island_framing ORDER BY 1, 2;
CREATE OR REPLACE VIEW island_framing AS
WITH framed AS (
    SELECT
        a.source_id,
        CAST(date_trunc('month', timezone('UTC', a.published_at)) AS DATE) AS month,
        m.article_id,
        m.variant
    FROM mentions AS m
    JOIN articles AS a USING (article_id)
    WHERE m.variant IS NOT NULL AND a.is_duplicate IS NOT TRUE
),
counted AS (
    SELECT
        source_id,
        month,
        count(*) AS mentions,
        count(DISTINCT article_id) AS articles,
        count(*) FILTER (WHERE variant = 'northern_territories') AS northern_territories,
        count(*) FILTER (WHERE variant = 'southern_kurils') AS southern_kurils,
        count(*) FILTER (WHERE variant = 'japanese_naming') AS japanese_naming,
        count(*) FILTER (WHERE variant = 'russian_naming') AS russian_naming,
        count(*) FILTER (WHERE variant = 'kurils') AS kurils,
        count(*) FILTER (WHERE variant = 'neutral') AS neutral
    FROM framed
    GROUP BY source_id, month
)
SELECT
    *,
    CASE WHEN northern_territories + southern_kurils > 0
         THEN northern_territories / (northern_territories + southern_kurils) END AS northern_territories_share,
    CASE WHEN northern_territories + japanese_naming + southern_kurils + russian_naming > 0
         THEN (northern_territories + japanese_naming)
              / (northern_territories + japanese_naming + southern_kurils + russian_naming)
    END AS japanese_framing_share
FROM counted;
