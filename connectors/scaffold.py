"""Scaffold a new source: a connector module that works at once, and the folder for its fixtures.

``dipnews new-source ID --home URL --feed URL`` calls :func:`scaffold`. The module it writes is a spec
(id, home, feed, host, time zone) with one empty :class:`~connectors.base.ParserVersion`: until its
selectors are filled in, every page goes through the generic extractor (``extraction_method =
"generic"``), so the source can be run and inspected the minute it exists. The TODO comments in the
module say what to override; ``docs/adding-a-source.md`` walks through the rest.

>>> paths = scaffold("nhkworld", "https://www3.nhk.or.jp/nhkworld/", "https://www3.nhk.or.jp/nhkworld/feed",
...                  root=Path("/tmp/dipnews-copy"))                          # doctest: +SKIP
>>> [str(p.relative_to("/tmp/dipnews-copy")) for p in paths]                  # doctest: +SKIP
['connectors/sources/nhkworld.py', 'tests/connectors/fixtures/nhkworld/README.md']
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from connectors.urls import host_of, normalize_url

#: a source id is a module name too: lower-case ASCII, digits and underscores, starting with a letter
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class ScaffoldError(ValueError):
    """A scaffold request that cannot be carried out (bad id or URL, id already taken)."""


def default_root() -> Path:
    """The repository this package is installed from (the folder holding ``connectors/``)."""
    return Path(__file__).resolve().parents[1]


def class_name(source_id: str) -> str:
    """``"the_mainichi"`` -> ``"TheMainichi"``.

    >>> class_name("nhk_world")
    'NhkWorld'
    """
    return "".join(part.capitalize() for part in source_id.split("_") if part)


def _check_url(value: str, what: str) -> str:
    try:
        url = normalize_url(value)
    except ValueError as exc:
        raise ScaffoldError(f"{what} must be an absolute http(s) URL, got {value!r}") from exc
    if not host_of(url):
        raise ScaffoldError(f"{what} has no host: {value!r}")
    return url


def _taken(source_id: str, root: Path) -> str | None:
    """Why ``source_id`` cannot be used under ``root``, or None when it is free."""
    module = root / "connectors" / "sources" / f"{source_id}.py"
    if module.exists():
        return f"{module} already exists"
    fixtures = root / "tests" / "connectors" / "fixtures" / source_id
    if fixtures.exists():
        return f"{fixtures} already exists"
    # ids and aliases of the connectors of this installation (the tree being scaffolded may be a copy)
    from connectors import registry

    try:
        owner = registry.get(source_id)
    except KeyError:
        return None
    return f"the name {source_id!r} is already taken by the {owner.id!r} connector"


def module_text(source_id: str, home: str, feed_url: str) -> str:
    """The source of a new connector module (see the module docstring)."""
    # the home page's host first: it names the layout and the example URL
    hosts = list(dict.fromkeys(host_of(u).removeprefix("www.") for u in (home, feed_url)))
    hosts_literal = "(" + ", ".join(f'"{h}"' for h in hosts) + ("," if len(hosts) == 1 else "") + ")"
    cls = class_name(source_id)
    return f'''"""{source_id}: TODO one line on the outlet (language, platform, wire agencies it republishes).

Scaffolded by ``dipnews new-source``. Until the selectors of {cls}V1 are filled in, pages go
through the generic extractor. Walk-through: docs/adding-a-source.md.
"""

from __future__ import annotations

import re

from connectors.base import Connector, ParserVersion
from connectors.urls import normalize_url

# TODO: the URL shape of an article, with the site's id in a named group "id", e.g.
# https://{hosts[0]}/news/12345 -> r"^https?://(?:www\\.)?{re.escape(hosts[0])}/news/(?P<id>\\d+)/?$".
# None accepts every http(s) URL of the source's hosts.
_ARTICLE_RE: re.Pattern[str] | None = None


class {cls}V1(ParserVersion):
    """The current layout of {hosts[0]}. Empty selectors: the generic path fills every field."""

    version = "1"
    # TODO: a CSS selector found only in this layout (defaults to body_css)
    marker = None
    # TODO: title_css, lead_css, body_css (the story's paragraphs), exclude_css (related cards,
    # captions, share bars inside the body), section_css, authors_css.
    title_css = None
    body_css = None
    # TODO: override published_at(doc), agency(doc), dateline(text)... where metadata is missing or wrong;
    # each field method returns None to let the page metadata and the generic path fill it.


class {cls}Connector(Connector):
    """TODO the outlet's name and what it is."""

    id = "{source_id}"
    name = "{source_id}"  # TODO: the site's name as it appears in its titles ("The Mainichi")
    home = "{home}"
    feeds = ("{feed_url}",)
    language = "en"  # TODO
    min_interval = 2.0  # seconds between two requests to one host: raise it for sites that block
    timezone = "UTC"  # TODO: the zone of naive timestamps on the site, e.g. "Asia/Tokyo"
    article_url_pattern = _ARTICLE_RE
    hosts = {hosts_literal}
    parsers = ({cls}V1,)
    # TODO: what the site appends to titles, e.g. re.compile(r"\\s+[|-]\\s+Site Name$")
    title_suffix = None

    def identity(self, url: str) -> str:
        # TODO: the site's own article id once _ARTICLE_RE names it: f"{source_id}:{{match['id']}}"
        normal = normalize_url(url)
        match = _ARTICLE_RE.match(normal) if _ARTICLE_RE is not None else None
        return f"{source_id}:{{match['id']}}" if match and "id" in match.groupdict() else normal
'''


def readme_text(source_id: str, home: str, feed_url: str) -> str:
    """The README of a new source's fixture folder: what to put there."""
    return f"""# Fixtures of `{source_id}`

Scaffolded by `dipnews new-source`. `tests/connectors/test_fixtures.py` fails for this source until
this folder holds at least 5 article pages and one feed, each with its golden JSON.

- `<name>.html`: an article page of {home}, one per layout or quirk (wire copy, opinion with a byline,
  photo captions in the body, a page without JSON-LD, ...). Write them for the project, modelled on
  the real structure; never save the publisher's text here.
- `feed_<name>.xml`: the feed ({feed_url}) or a sitemap listing some of those pages.
- `<name>.json`: the golden output, written by `tests/connectors/make_fixtures.py` (never by hand).

See `docs/adding-a-source.md`.
"""


def scaffold(source_id: str, home: str, feed_url: str, *, root: Path) -> list[Path]:
    """Create ``connectors/sources/<id>.py`` and ``tests/connectors/fixtures/<id>/README.md`` under
    ``root``; return the paths written.

    Raises ScaffoldError for an id that is not a valid module name, for URLs that are not absolute
    http(s), and for an id that is taken (its module or fixture folder exists under ``root``, or it
    is the id or alias of an installed connector). Nothing is written when it raises.
    """
    source_id = (source_id or "").strip()
    if not _ID_RE.match(source_id) or keyword.iskeyword(source_id):
        raise ScaffoldError(
            f"source id {source_id!r} must be 2-40 lower-case letters, digits or underscores, starting"
            " with a letter (it is also the module name)"
        )
    home = _check_url(home, "--home")
    feed_url = _check_url(feed_url, "--feed")
    root = Path(root)
    if not (root / "connectors" / "sources").is_dir():
        raise ScaffoldError(f"{root} is not a dipnews tree (no connectors/sources/)")
    why = _taken(source_id, root)
    if why:
        raise ScaffoldError(f"cannot scaffold {source_id!r}: {why}")

    module = root / "connectors" / "sources" / f"{source_id}.py"
    fixtures = root / "tests" / "connectors" / "fixtures" / source_id
    readme = fixtures / "README.md"
    fixtures.mkdir(parents=True)
    readme.write_text(readme_text(source_id, home, feed_url), encoding="utf-8")
    with module.open("x", encoding="utf-8") as out:  # "x": never overwrite, even in a race
        out.write(module_text(source_id, home, feed_url))
    return [module, readme]
