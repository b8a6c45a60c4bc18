"""The tagger inside a Beam DoFn, built in setup() as the TagEntities stage does."""

from __future__ import annotations

from datetime import date

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from pipeline.tagging import Tagger


class _TagFn(beam.DoFn):
    def setup(self) -> None:
        self.tagger = Tagger.load()

    def process(self, element: tuple[str, str, date]):
        key, text, day = element
        for m in self.tagger.tag(text, published_at=day):
            yield key, m.entity_id, text[m.start : m.end] == m.surface


def test_tagger_runs_in_a_beam_pipeline() -> None:
    rows = [
        ("a", "Путин и Абэ, Prime Minister Abe", date(2019, 1, 1)),
        ("b", "北方領土の日", date(2024, 2, 7)),
    ]
    with beam.Pipeline(runner="FnApiRunner") as p:
        out = p | beam.Create(rows) | beam.ParDo(_TagFn())
        assert_that(
            out,
            equal_to(
                [
                    ("a", "person:vladimir-putin", True),
                    ("a", "person:shinzo-abe", True),  # Абэ: settled by "Prime Minister Abe" in the same text
                    ("a", "person:shinzo-abe", True),
                    ("b", "topic:northern-territories-day", True),
                ]
            ),
        )
