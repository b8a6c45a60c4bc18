"""``connectors.scaffold``: a new source module that imports, registers and extracts at once."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from connectors.scaffold import ScaffoldError, class_name, scaffold

REPO = Path(__file__).resolve().parents[2]
HOME = "https://www.example-wire.test/"
FEED = "https://www.example-wire.test/rss/latest.xml"

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Fisheries talks resume | Example Wire</title>
<meta property="article:published_time" content="2024-05-07T09:30:00+09:00">
<link rel="canonical" href="https://www.example-wire.test/news/4242"></head>
<body><nav>Home | World | Contact</nav><article><h1>Fisheries talks resume</h1>
<p>Japanese and Russian officials resumed consultations on salmon and trout quotas on Tuesday, the
Fisheries Agency said after the first round of online talks.</p>
<p>Both delegations agreed to exchange scientific data on fish stocks before the next meeting.</p>
</article><footer>Copyright Example Wire. All rights reserved.</footer></body></html>"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the parts of the repository a scaffold touches."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "connectors", root / "connectors", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "tests" / "connectors" / "fixtures").mkdir(parents=True)
    return root


def _run(root: Path, code: str) -> subprocess.CompletedProcess[str]:
    # -c puts the working directory first on sys.path: the copy's connectors shadow the installed ones
    return subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120, check=False
    )


def test_scaffolded_source_imports_registers_and_extracts(tree: Path) -> None:
    paths = scaffold("examplewire", HOME, FEED, root=tree)
    assert [p.relative_to(tree).as_posix() for p in paths] == [
        "connectors/sources/examplewire.py",
        "tests/connectors/fixtures/examplewire/README.md",
    ]
    (tree / "page.html").write_text(PAGE, encoding="utf-8")
    code = f"""
import json, connectors
from datetime import UTC, datetime
from pathlib import Path
from connectors import registry
from connectors.base import Page
c = registry.get("examplewire")
html = Path("page.html").read_text()
a = c.extract(Page(url="https://www.example-wire.test/news/4242?utm_source=rss", content=html.encode(),
                   text=html, fetched_at=datetime(2024, 5, 8, tzinfo=UTC)))
print(json.dumps({{"ids": [x.id for x in registry.all_connectors()], "file": connectors.__file__,
    "feeds": list(c.feeds), "hosts": list(c.hosts), "for_url": registry.for_url({HOME!r}).id,
    "method": a["extraction_method"], "title": a["title"], "body": a["body"],
    "identity": a["identity"], "published": a["published_at"].isoformat()}}))
"""
    done = _run(tree, code)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["file"].startswith(str(tree))
    assert "examplewire" in out["ids"] and "tass" in out["ids"]
    assert out["feeds"] == [FEED] and out["hosts"] == ["example-wire.test"]
    assert out["for_url"] == "examplewire"
    assert out["method"] == "generic"  # no selectors yet: the generic path does the work
    assert out["title"] == "Fisheries talks resume"
    assert (
        out["body"].startswith("Japanese and Russian officials") and "All rights reserved" not in out["body"]
    )
    assert out["identity"] == "https://www.example-wire.test/news/4242"  # no id pattern yet: the URL
    assert out["published"] == "2024-05-07T00:30:00+00:00"


def test_scaffolded_module_is_ruff_clean_and_formatted(tree: Path) -> None:
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed next to this interpreter")
    module = scaffold("example_wire", HOME, FEED, root=tree)[0]
    for command in (["check"], ["format", "--check"]):
        done = subprocess.run(
            [str(ruff), *command, "--config", str(REPO / "pyproject.toml"), str(module)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert f"class {class_name('example_wire')}Connector(Connector)" in module.read_text()


@pytest.mark.parametrize("taken", ["tass", "kyodo", "japanforward"])  # ids and aliases of real connectors
def test_refuses_ids_that_are_taken(tree: Path, taken: str) -> None:
    with pytest.raises(ScaffoldError, match=r"already (?:taken|exists)"):
        scaffold(taken, HOME, FEED, root=tree)
    assert not (tree / "tests" / "connectors" / "fixtures" / taken).exists()


def test_refuses_an_existing_module_or_fixture_folder(tree: Path) -> None:
    scaffold("examplewire", HOME, FEED, root=tree)
    before = (tree / "connectors" / "sources" / "examplewire.py").read_text()
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold("examplewire", HOME, FEED, root=tree)
    assert (tree / "connectors" / "sources" / "examplewire.py").read_text() == before
    (tree / "tests" / "connectors" / "fixtures" / "otherwire").mkdir()
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold("otherwire", HOME, FEED, root=tree)
    assert not (tree / "connectors" / "sources" / "otherwire.py").exists()


@pytest.mark.parametrize(
    ("source_id", "home", "feed", "message"),
    [
        ("Example", HOME, FEED, "lower-case"),
        ("example-wire", HOME, FEED, "lower-case"),
        ("1wire", HOME, FEED, "lower-case"),
        ("class", HOME, FEED, "lower-case"),  # a keyword cannot be a module name
        ("examplewire", "www.example-wire.test", FEED, "--home"),
        ("examplewire", HOME, "ftp://example-wire.test/feed", "--feed"),
    ],
)
def test_refuses_bad_input_and_writes_nothing(
    tree: Path, source_id: str, home: str, feed: str, message: str
) -> None:
    before = sorted(p.name for p in (tree / "connectors" / "sources").iterdir())
    with pytest.raises(ScaffoldError, match=message):
        scaffold(source_id, home, feed, root=tree)
    assert sorted(p.name for p in (tree / "connectors" / "sources").iterdir()) == before


def test_refuses_a_root_that_is_not_a_dipnews_tree(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="not a dipnews tree"):
        scaffold("examplewire", HOME, FEED, root=tmp_path)
