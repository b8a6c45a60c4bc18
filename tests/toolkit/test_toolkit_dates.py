"""Every date form of SOURCES.md "Traps shared by all of them", and the datelines of each outlet."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.dates import Dateline, parse_dateline, parse_datetime


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- ISO 8601 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-09T10:05:00+09:00", utc(2024, 5, 9, 1, 5)),
        ("2024-05-09T10:05:00+0900", utc(2024, 5, 9, 1, 5)),  # Mainichi JSON-LD: no colon
        ("2025-01-14T21:17:27+0900", utc(2025, 1, 14, 12, 17, 27)),
        ("2024-05-09T10:05:00Z", utc(2024, 5, 9, 10, 5)),
        ("2024-05-09T10:05:00.250-05:00", utc(2024, 5, 9, 15, 5, 0, 250000)),
        ("2025-01-21T05:00:00.123456789+09:00", utc(2025, 1, 20, 20, 0, 0, 123456)),  # nanoseconds cut
        ("2024-05-09 10:05:00+03", utc(2024, 5, 9, 7, 5)),
        ("20240509T100500Z", utc(2024, 5, 9, 10, 5)),
        ("2023-10-06 12:10:26 UTC+3", utc(2023, 10, 6, 9, 10, 26)),
    ],
)
def test_iso_8601_with_offset(value: str, expected: datetime) -> None:
    assert parse_datetime(value, default_tz="Asia/Tokyo") == expected


def test_naive_iso_is_read_in_the_default_zone() -> None:
    # Sputnik 2019: <time datetime="2019-11-18T21:17"> without offset, which is UTC
    assert parse_datetime("2019-11-18T21:17", default_tz="UTC") == utc(2019, 11, 18, 21, 17)
    assert parse_datetime("2019-11-18T21:17") == utc(2019, 11, 18, 21, 17)  # no zone given: UTC
    assert parse_datetime("2019-11-18T21:17", default_tz="Asia/Tokyo") == utc(2019, 11, 18, 12, 17)


def test_date_only_is_midnight_in_the_default_zone() -> None:
    assert parse_datetime("2021-03-23", default_tz="Asia/Tokyo") == utc(2021, 3, 22, 15)


# --- zones: JST has no DST, Moscow is UTC+3 since 26 October 2014 ---------------------------------


@pytest.mark.parametrize("month", [1, 4, 7, 10])
def test_jst_is_plus_nine_all_year(month: int) -> None:
    parsed = parse_datetime(f"2024-{month:02d}-15 12:00", default_tz="Asia/Tokyo")
    assert parsed == utc(2024, month, 15, 3)


@pytest.mark.parametrize("month", [1, 7])
def test_moscow_is_plus_three_since_2014_without_dst(month: int) -> None:
    assert parse_datetime(f"2024-{month:02d}-15 12:00", default_tz="Europe/Moscow") == utc(2024, month, 15, 9)


def test_moscow_was_plus_four_from_2011_to_2014() -> None:
    assert parse_datetime("2013-01-15 12:00", default_tz="Europe/Moscow") == utc(2013, 1, 15, 8)
    assert parse_datetime("2014-10-27 12:00", default_tz="Europe/Moscow") == utc(2014, 10, 27, 9)


def test_aware_value_ignores_default_zone() -> None:
    assert parse_datetime("2024-05-09T10:05:00+03:00", default_tz="Asia/Tokyo") == utc(2024, 5, 9, 7, 5)


def test_unknown_default_zone_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_datetime("2024-05-09", default_tz="Mars/Olympus_Mons")


# --- epochs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [1696561826, 1696561826.0, 1696561826000, "1696561826", "1696561826000", 1696561826000000],
)
def test_unix_seconds_milliseconds_and_microseconds_by_magnitude(value: int | float | str) -> None:
    assert parse_datetime(value) == utc(2023, 10, 6, 3, 10, 26)


def test_epoch_fraction_kept() -> None:
    assert parse_datetime(1696561826.5) == utc(2023, 10, 6, 3, 10, 26, 500000)


@pytest.mark.parametrize(
    "value", [None, "", "   ", True, float("nan"), float("inf"), -5, "not a date", "2024-13-45"]
)
def test_no_date_gives_none(value: object) -> None:
    assert parse_datetime(value) is None  # type: ignore[arg-type]


# --- RFC 822 and "GMT9" -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Fri, 06 Oct 2023 12:10:26 +0300", utc(2023, 10, 6, 9, 10, 26)),
        ("Fri, 06 Oct 2023 12:10:26 GMT", utc(2023, 10, 6, 12, 10, 26)),
        ("Fri, 6 Oct 2023 12:10 EDT", utc(2023, 10, 6, 16, 10)),
        ("Mon, 20 Jan 2025 21:00:00 -0500", utc(2025, 1, 21, 2)),
        ("06 Oct 2023 12:10:26 GMT9", utc(2023, 10, 6, 3, 10, 26)),  # Arab News: GMT9 = +09:00
        ("Fri, 06 Oct 2023 12:10:26 GMT9", utc(2023, 10, 6, 3, 10, 26)),
        ("06 Oct 2023 12:10:26 GMT+9", utc(2023, 10, 6, 3, 10, 26)),
        ("06 Oct 2023 12:10:26 GMT-3", utc(2023, 10, 6, 15, 10, 26)),
    ],
)
def test_rfc_822_and_gmt_offsets(value: str, expected: datetime) -> None:
    assert parse_datetime(value, default_tz="Asia/Tokyo") == expected


def test_rfc_822_without_zone_uses_default_zone() -> None:
    assert parse_datetime("Fri, 06 Oct 2023 12:10:26", default_tz="Europe/Moscow") == utc(
        2023, 10, 6, 9, 10, 26
    )


# --- English words ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("October 6, 2023 10:05 AM JST", utc(2023, 10, 6, 1, 5)),
        ("October 6, 2023 10:05:33 PM", utc(2023, 10, 6, 13, 5, 33)),
        ("Oct. 6, 2023 3:15 p.m.", utc(2023, 10, 6, 6, 15)),
        ("Friday, October 6, 2023", utc(2023, 10, 5, 15)),
        ("6 October 2023", utc(2023, 10, 5, 15)),
        ("Updated 25 May 2022", utc(2022, 5, 24, 15)),
        ("Sept. 11, 2019", utc(2019, 9, 10, 15)),
    ],
)
def test_english_month_names(value: str, expected: datetime) -> None:
    assert parse_datetime(value, default_tz="Asia/Tokyo") == expected


def test_numeric_day_first_and_us_order() -> None:
    assert parse_datetime("21.01.2025", default_tz="UTC") == utc(2025, 1, 21)  # Sputnik og:title date
    assert parse_datetime("06/10/2023", default_tz="UTC", language="ru") == utc(2023, 10, 6)
    assert parse_datetime("06/10/2023", default_tz="UTC", language="en") == utc(2023, 6, 10)
    assert parse_datetime("25/10/2023", default_tz="UTC", language="en") == utc(2023, 10, 25)  # unambiguous
    assert parse_datetime("2024/05/09 10:05", default_tz="Asia/Tokyo") == utc(2024, 5, 9, 1, 5)


def test_relative_time_needs_reference() -> None:
    reference = utc(2025, 1, 1, 12)
    assert parse_datetime("Updated 5 sec ago", reference=reference) == reference - timedelta(seconds=5)
    assert parse_datetime("3 hours ago", reference=reference) == utc(2025, 1, 1, 9)
    assert parse_datetime("3 hours ago") is None


# --- Japanese -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021年03月23日 10:05", utc(2021, 3, 23, 1, 5)),
        ("2021年3月23日", utc(2021, 3, 22, 15)),
        ("2021年3月23日 15時", utc(2021, 3, 23, 6)),
        ("2021年3月23日 午後3時5分", utc(2021, 3, 23, 6, 5)),
        ("令和7年3月23日", utc(2025, 3, 22, 15)),  # Reiwa 1 = 2019
        ("令和元年5月1日", utc(2019, 4, 30, 15)),  # 元年 = first year
        ("平成31年4月30日", utc(2019, 4, 29, 15)),  # Heisei 1 = 1989
        ("平成元年1月8日", utc(1989, 1, 7, 15)),
        ("昭和64年1月7日", utc(1989, 1, 6, 15)),
    ],
)
def test_japanese_dates_and_eras(value: str, expected: datetime) -> None:
    assert parse_datetime(value, default_tz="Asia/Tokyo") == expected


# --- Russian --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9 мая 2024", utc(2024, 5, 8, 21)),
        ("9 мая 2024, 10:05", utc(2024, 5, 9, 7, 5)),
        ("6 октября 2023 года 12:10", utc(2023, 10, 6, 9, 10)),
        ("31 декабря 2023", utc(2023, 12, 30, 21)),
    ],
)
def test_russian_genitive_months(value: str, expected: datetime) -> None:
    assert parse_datetime(value, default_tz="Europe/Moscow") == expected


# --- dates without a year ---------------------------------------------------------------------------


def test_month_day_resolves_to_the_reference_year() -> None:
    reference = utc(2023, 10, 6, 9)
    assert parse_datetime("October 6", reference=reference, default_tz="UTC") == utc(2023, 10, 6)
    assert parse_datetime("6 октября", reference=reference, default_tz="Europe/Moscow") == utc(
        2023, 10, 5, 21
    )


def test_december_31_on_a_january_1_page_is_last_year() -> None:
    assert parse_datetime("December 31", reference=utc(2025, 1, 1, 3)) == utc(2024, 12, 31)
    assert parse_datetime("31 декабря", reference=utc(2025, 1, 1, 3)) == utc(2024, 12, 31)


def test_tomorrow_in_tokyo_is_still_this_year() -> None:
    # a page fetched at 23:00 UTC on Dec 31 is already dated January 1 in Tokyo: allowed up to +1 day
    assert parse_datetime("January 1", reference=utc(2024, 12, 31, 23), default_tz="Asia/Tokyo") == utc(
        2024, 12, 31, 15
    )


def test_month_day_two_days_ahead_is_last_year() -> None:
    assert parse_datetime("October 8", reference=utc(2023, 10, 6)) == utc(2022, 10, 8)


def test_february_29_without_year_goes_to_the_last_leap_year() -> None:
    assert parse_datetime("February 29", reference=utc(2025, 6, 1)) == utc(2024, 2, 29)


def test_month_day_without_reference_is_unknown() -> None:
    assert parse_datetime("October 6") is None


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_iso_round_trip(moment: datetime) -> None:
    assert parse_datetime(moment.isoformat()) == moment


@given(st.text(max_size=60))
def test_arbitrary_text_never_raises(text: str) -> None:
    result = parse_datetime(text, reference=utc(2025, 1, 1))
    assert result is None or (result.tzinfo is not None and result.utcoffset() == timedelta(0))


def test_result_is_always_utc() -> None:
    parsed = parse_datetime("2024-05-09T10:05:00+09:00")
    assert parsed is not None and parsed.tzinfo == UTC
    assert parse_datetime(datetime(2024, 5, 9, 10, tzinfo=timezone(timedelta(hours=9)))) == utc(2024, 5, 9, 1)


# --- datelines ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "place", "month_day", "agency", "rest"),
    [
        (
            "TOKYO, October 6. /TASS/. Japan's government said",
            "TOKYO",
            "October 6",
            "TASS",
            "Japan's government said",
        ),
        ("MOSCOW, December 5 /TASS/ - The Kremlin said", "MOSCOW", "December 5", "TASS", "The Kremlin said"),
        ("ТОКИО, 6 октября. /ТАСС/. Япония намерена", "ТОКИО", "6 октября", "ТАСС", "Япония намерена"),
        (
            "TOKYO, September 11 (RIA Novosti) – Japan will",
            "TOKYO",
            "September 11",
            "RIA Novosti",
            "Japan will",
        ),
        ("TOKYO, Sept. 11 (Sputnik) - Japan will", "TOKYO", "Sept. 11", "Sputnik", "Japan will"),
        ("TOKYO: Japan's exports rose", "TOKYO", None, None, "Japan's exports rose"),
        ("TOKYO (Kyodo) -- Japan and Russia", "TOKYO", None, "Kyodo", "Japan and Russia"),
        ("TOKYO, Oct 6 (Reuters) - Japan's", "TOKYO", "Oct 6", "Reuters", "Japan's"),
        ("TOKYO — Prime Minister", "TOKYO", None, None, "Prime Minister"),
        ("KOBE – A total of 6,000 surgical masks", "KOBE", None, None, "A total of 6,000 surgical masks"),
        ("YUZHNO-SAKHALINSK, May 9. /TASS/. Veterans", "YUZHNO-SAKHALINSK", "May 9", "TASS", "Veterans"),
        ("NEW YORK, Oct. 6 (Reuters) - Stocks", "NEW YORK", "Oct. 6", "Reuters", "Stocks"),
        ("SAPPORO, Japan (AP) — A", "SAPPORO", None, "AP", "A"),
    ],
)
def test_datelines_of_each_outlet(
    text: str, place: str, month_day: str | None, agency: str | None, rest: str
) -> None:
    dateline = parse_dateline(text)
    assert dateline is not None
    assert (dateline.place, dateline.month_day, dateline.agency) == (place, month_day, agency)
    assert text[dateline.end :] == rest


@pytest.mark.parametrize(
    "text",
    [
        "Japan's Prime Minister said on Monday",
        "The TOKYO office was closed",
        "TOKYO. The city",
        "US President Joe Biden said",
        "A: yes",
        "",
        "tokyo, October 6. /TASS/. lower-case place",
        "JAPAN AND RUSSIA HOLD: talks",
    ],
)
def test_text_without_dateline(text: str) -> None:
    assert parse_dateline(text) is None


def test_dateline_month_day_feeds_parse_datetime() -> None:
    dateline = parse_dateline("TOKYO, December 31. /TASS/. The")
    assert isinstance(dateline, Dateline) and dateline.month_day == "December 31"
    assert parse_datetime(dateline.month_day, reference=utc(2025, 1, 1, 1), default_tz="Asia/Tokyo") == utc(
        2024, 12, 30, 15
    )


@pytest.mark.parametrize("text", ["1" * 5000 + " x", "a " * 5000, "5 " * 3000, "October " * 500])
def test_long_input_is_no_date_and_fast(text: str) -> None:
    start = time.perf_counter()
    assert parse_datetime(text, reference=utc(2025, 1, 1)) is None
    assert time.perf_counter() - start < 1.0  # a backtracking blow-up takes seconds to hours


@pytest.mark.parametrize("text", ["A-" * 3000, "TOKYO " * 3000, "AB." * 3000, "A" * 10000 + " x"])
def test_dateline_scan_is_fast_on_long_paragraphs(text: str) -> None:
    start = time.perf_counter()
    parse_dateline(text)
    assert time.perf_counter() - start < 1.0  # a backtracking blow-up takes seconds to hours
