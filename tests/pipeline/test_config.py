"""The TOML configuration: DESIGN.md's form, overrides, selection, and clear errors."""

from __future__ import annotations

import pytest

from pipeline.config import ConfigError, load_config, parse_config, warehouse_dir


def test_design_md_example_parses() -> None:
    config = parse_config(
        """
        [fetch]
        allow_private_networks = false

        [[sources]]
        id = "tass"
        feeds = ["https://tass.com/rss/v2.xml"]

        [[sources]]
        id = "kremlin"
        connector = "generic"
        feeds = ["http://en.kremlin.ru/events/president/news/feed"]
        """
    )
    assert config.fetch.allow_private_networks is False
    assert [s.id for s in config.sources] == ["tass", "kremlin"]
    assert config.sources[0].feeds == ("https://tass.com/rss/v2.xml",)
    assert config.sources[1].connector == "generic"


def test_private_networks_are_refused_by_default() -> None:
    assert parse_config("").fetch.allow_private_networks is False
    assert parse_config("[fetch]\nallow_private_networks = true").fetch.allow_private_networks is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fetch]\nallow_privat_networks = true", "unknown [fetch] key(s) allow_privat_networks"),
        ("[[sources]]\nid = 'tass'\nfeed = ['x']", "unknown key(s) feed"),
        ("[[sources]]\nfeeds = ['x']", "needs an id"),
        ("[[sources]]\nid = 'tass'\nfeeds = 'https://tass.com/rss/v2.xml'", "must be a list"),
        ("[[sources]]\nid = 'a'\n[[sources]]\nid = 'a'", "duplicate source ids"),
        ("[fetchh]\n", "unknown section(s) fetchh"),
        ("[fetch]\nmin_interval = -1", "[fetch]:"),
        ("[fetch]\ntimeout = 3", "unknown [fetch] key(s) timeout"),
        ("[fetch\n", "not valid TOML"),
    ],
)
def test_mistakes_are_clear_errors(text: str, message: str) -> None:
    with pytest.raises(
        ConfigError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")
    ):
        parse_config(text)


def test_disabled_sources_are_left_out() -> None:
    config = parse_config("[[sources]]\nid = 'tass'\nenabled = false\n[[sources]]\nid = 'sputnik'")
    assert [s.id for s in config.sources] == ["sputnik"]


def test_select_keeps_named_sources_and_rejects_unknown_ones() -> None:
    config = parse_config("[[sources]]\nid = 'tass'\n[[sources]]\nid = 'sputnik'")
    assert [s.id for s in config.select(["sputnik"]).sources] == ["sputnik"]
    assert config.select([]) is config
    with pytest.raises(ConfigError, match="unknown source"):
        config.select(["nope"])


def test_load_config_defaults_and_files(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config().sources == ()  # no ./dipnews.toml: defaults
    (tmp_path / "dipnews.toml").write_text("[[sources]]\nid = 'tass'\n")
    assert [s.id for s in load_config().sources] == ["tass"]
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "missing.toml")


def test_warehouse_dir_precedence(monkeypatch) -> None:
    monkeypatch.delenv("DIPNEWS_WAREHOUSE", raising=False)
    assert str(warehouse_dir(None)) == "warehouse"
    monkeypatch.setenv("DIPNEWS_WAREHOUSE", "/data/wh")
    assert str(warehouse_dir(None)) == "/data/wh"
    assert str(warehouse_dir("/elsewhere")) == "/elsewhere"
