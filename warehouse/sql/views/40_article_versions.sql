-- Every version of every article (same article_id, changed text), oldest first.
--   first_seen_at / last_seen_at: the first and last fetch that wrote this version's text. Unchanged
--     re-fetches write nothing ("unchanged re-fetches change nothing"), so they do not move last_seen_at;
--   superseded_at: when the next version was first seen (NULL for the current version);
--   changed: what differs from the previous version, ['title'], ['body'] or both ([] for version 1).
--     Bodies are compared by content_hash (their words); titles by their lower-cased words.
--   SELECT version, changed, first_seen_at FROM article_versions WHERE article_id = 'arabnews-2499156';
CREATE OR REPLACE VIEW article_versions AS
WITH versions AS (
    SELECT
        article_id,
        coalesce(version, 1) AS version,
        first(title ORDER BY fetched_at DESC NULLS LAST) AS title,
        first(body ORDER BY fetched_at DESC NULLS LAST) AS body,
        first(content_hash ORDER BY fetched_at DESC NULLS LAST) AS content_hash,
        first(modified_at ORDER BY fetched_at DESC NULLS LAST) AS modified_at,
        first(run_id ORDER BY fetched_at NULLS LAST) AS run_id,
        min(fetched_at) AS first_seen_at,
        max(fetched_at) AS last_seen_at,
        count(*) AS fetches
    FROM article_rows
    GROUP BY article_id, coalesce(version, 1)
),
compared AS (
    SELECT
        *,
        lag(version) OVER w AS previous_version,
        lag(title) OVER w AS previous_title,
        lag(content_hash) OVER w AS previous_hash,
        lead(first_seen_at) OVER w AS superseded_at
    FROM versions
    WINDOW w AS (PARTITION BY article_id ORDER BY version)
)
SELECT
    article_id,
    version,
    title,
    body,
    content_hash,
    modified_at,
    first_seen_at,
    last_seen_at,
    superseded_at,
    superseded_at IS NULL AS is_current,
    run_id,
    fetches,
    -- list_concat, not a lambda: the lambda syntax differs between DuckDB 1.x and 2.0
    list_concat(
        CASE
            WHEN previous_version IS NOT NULL
                 AND trim(regexp_replace(lower(coalesce(title, '')), '[^[:alnum:]]+', ' ', 'g'))
                     <> trim(regexp_replace(lower(coalesce(previous_title, '')), '[^[:alnum:]]+', ' ', 'g'))
            THEN ['title']
            ELSE []::VARCHAR[]
        END,
        CASE
            WHEN previous_version IS NOT NULL AND content_hash IS DISTINCT FROM previous_hash THEN ['body']
            ELSE []::VARCHAR[]
        END
    ) AS changed
FROM compared;
