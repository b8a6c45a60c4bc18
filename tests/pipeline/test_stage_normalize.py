"""NormalizeArticles' pure core: article rows from extracted pages."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.records import stable_id
from pipeline.stages.normalize import article_row, guess_language, normalize_text, plausible_date

FETCHED = datetime(2023, 10, 6, 6, 0, tzinfo=UTC)


def _element(**article) -> dict:
    entry = {
        "source_id": "tass",
        "url": "https://tass.com/politics/1681234",
        "identity": "tass:1681234",
        "article_id": stable_id("tass:1681234"),
        "feed_url": "https://tass.com/rss/v2.xml",
        "title": "Feed title",
        "published_at": datetime(2023, 10, 6, 3, 10, tzinfo=UTC),
    }
    base = {
        "title": "Page title",
        "body": "TOKYO said.\n\n\nSecond  paragraph.",
        "extraction_method": "source:tass@v1",
        "published_at": datetime(2023, 10, 6, 3, 10, 26, tzinfo=UTC),
        "date_source": "jsonld",
    }
    base.update(article)
    return {"entry": entry, "article": base, "fetched_at": FETCHED}


def test_normalize_text_folds_whitespace_and_paragraphs() -> None:
    assert normalize_text(" a\u00a0 b \r\n\r\n\r\n c\n d ") == "a b\n\nc\n\nd"
    assert normalize_text(None) == ""


def test_row_has_every_articles_column_and_stable_identity() -> None:
    from schemas import ARTICLES

    row = article_row(_element(), "run-1")
    assert set(ARTICLES.names) <= set(row)
    assert row["article_id"] == stable_id("tass:1681234")
    assert row["body"] == "TOKYO said.\n\nSecond paragraph."
    assert row["title"] == "Page title"
    assert row["date_source"] == "jsonld"
    assert row["content_hash"] and len(row["content_hash"]) >= 32
    assert row["run_id"] == "run-1"


def test_same_body_different_title_has_same_content_hash() -> None:
    a = article_row(_element(title="One title"), "r")
    b = article_row(_element(title="Another title"), "r")
    assert a["content_hash"] == b["content_hash"]


def test_future_page_date_falls_back_to_the_feed_date() -> None:
    row = article_row(_element(published_at=datetime(2031, 1, 1, tzinfo=UTC)), "r")
    assert row["published_at"] == datetime(2023, 10, 6, 3, 10, tzinfo=UTC)
    assert row["date_source"] == "feed"


def test_plausible_date_bounds() -> None:
    assert plausible_date(datetime(1970, 1, 1, tzinfo=UTC), FETCHED) is None
    assert plausible_date(FETCHED, FETCHED) == FETCHED


def test_language_guessed_by_script_when_page_is_silent() -> None:
    assert (
        guess_language("Министр иностранных дел России Сергей Лавров заявил журналистам в Москве", None)
        == "ru"
    )
    assert (
        guess_language("北方領土問題をめぐり、日本政府はロシア側に抗議した。外務省の発表による。", None)
        == "ja"
    )
    assert guess_language("Plain English text.", "en") == "en"
    row = article_row(
        _element(language=None, body="Лавров заявил, что переговоры о мирном договоре невозможны сейчас."),
        "r",
    )
    assert row["language"] == "ru"
