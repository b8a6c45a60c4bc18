"""Drafts of the DuckDB views dedup's outputs feed (the warehouse owns the catalog; these are tested here).

Each function returns one ``SELECT`` over relations named by its arguments, so the warehouse can wrap it
as ``CREATE VIEW name AS ...`` over whatever relations hold the rows (a ``read_parquet`` glob, a view).

>>> "PARTITION BY article_id" in dedup_state_sql("signatures")
True
"""

from __future__ import annotations


def dedup_state_sql(signatures: str) -> str:
    """The current dedup state of every article: its latest ``signatures`` row (revisions included).

    Join it to the article rows to show ``cluster_id``/``is_duplicate``/``duplicate_of``/``agency`` as
    revised by later runs (a new, earlier representative; two clusters merged).
    """
    return f"""
SELECT article_id, cluster_id, is_duplicate, duplicate_of, agency, run_id AS decided_by_run, decided_at
FROM (
  SELECT *, row_number() OVER (PARTITION BY article_id ORDER BY decided_at DESC, run_id DESC) AS rn
  FROM {signatures}
)
WHERE rn = 1"""


def article_versions_sql(article_rows: str) -> str:
    """Every version of every article: rows of ``article_rows`` (all written article rows, every run).

    A version is a distinct (title, content_hash) of one ``article_id``, ordered by when it was first
    fetched; ``changed`` lists what differs from the previous version (``title``, ``body``). Unchanged
    re-fetches fold into one version and only move ``last_seen_at``.
    """
    return f"""
WITH seen AS (
  SELECT article_id, title, content_hash,
         min(fetched_at) AS first_seen_at, max(fetched_at) AS last_seen_at,
         arg_min(body, fetched_at) AS body, count(*) AS fetches
  FROM {article_rows}
  GROUP BY article_id, title, content_hash
), ordered AS (
  SELECT *, lag(title) OVER w AS prev_title, lag(content_hash) OVER w AS prev_hash,
         row_number() OVER w AS version
  FROM seen
  WINDOW w AS (PARTITION BY article_id ORDER BY first_seen_at, content_hash, title)
)
SELECT article_id, version, title, body, content_hash, first_seen_at, last_seen_at, fetches,
       -- list_concat, not a lambda: the lambda syntax differs between DuckDB 1.x and 2.0
       list_concat(
         CASE WHEN version > 1 AND title IS DISTINCT FROM prev_title THEN ['title'] ELSE []::VARCHAR[] END,
         CASE WHEN version > 1 AND content_hash IS DISTINCT FROM prev_hash THEN ['body']
              ELSE []::VARCHAR[] END
       ) AS changed
FROM ordered"""


def syndication_sql(articles: str) -> str:
    """Per cluster with more than one article: who published first, who repeated it, and the delay.

    ``articles`` holds the current article rows with current dedup state (one row per article). The
    agency is the cluster's credited wire agency (the first's, else any member's).
    """
    return f"""
WITH members AS (
  SELECT cluster_id, article_id, source_id, agency, published_at, title, url
  FROM {articles}
  WHERE cluster_id IS NOT NULL
), firsts AS (
  SELECT cluster_id,
         arg_min(article_id, (published_at, article_id)) AS first_article_id,
         count(*) AS copies, max(agency) AS any_agency
  FROM members GROUP BY cluster_id HAVING count(*) > 1
)
SELECT f.cluster_id,
       coalesce(o.agency, f.any_agency) AS agency,
       f.copies,
       o.article_id AS first_article_id, o.source_id AS first_source_id, o.published_at AS first_published_at,
       m.article_id AS repeat_article_id, m.source_id AS repeated_by, m.published_at AS repeated_at,
       m.title AS repeat_title, m.published_at - o.published_at AS delay
FROM firsts f
JOIN members o ON o.article_id = f.first_article_id
JOIN members m ON m.cluster_id = f.cluster_id AND m.article_id <> f.first_article_id"""
