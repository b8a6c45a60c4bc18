"""``dipnews new-source`` wires connectors/scaffold.py into the CLI: files created, clear errors."""

from __future__ import annotations

from pathlib import Path

from pipeline.cli import main


def test_new_source_writes_a_connector_module_into_the_tree(tmp_path: Path, capsys) -> None:
    (tmp_path / "connectors" / "sources").mkdir(parents=True)
    argv = ["new-source", "kyodo_news", "--home", "https://english.kyodonews.net/",
            "--feed", "https://english.kyodonews.net/rss/all.xml", "--root", str(tmp_path)]
    assert main(argv) == 0
    module = tmp_path / "connectors" / "sources" / "kyodo_news.py"
    assert f"created {module}" in capsys.readouterr().out
    assert "https://english.kyodonews.net/rss/all.xml" in module.read_text()
    assert main(argv) == 2  # the second time the id is taken
    assert "cannot scaffold 'kyodo_news'" in capsys.readouterr().err


def test_new_source_refuses_a_bad_id_without_writing(tmp_path: Path, capsys) -> None:
    (tmp_path / "connectors" / "sources").mkdir(parents=True)
    assert main(["new-source", "Bad Id", "--home", "https://a.example/", "--feed", "https://a.example/rss",
                 "--root", str(tmp_path)]) == 2
    assert "must be 2-40 lower-case letters" in capsys.readouterr().err
    assert list((tmp_path / "connectors" / "sources").iterdir()) == []
