"""URL normalisation: one spelling per article, whatever link the feed or page gave.

Feeds and pages link one article many ways: tracking parameters (``?utm_source=rss``), fragments,
upper-case hosts, explicit default ports, AMP copies (``/amp/``, ``?amp=1``, ``amp.`` hosts) and mobile
hosts (``m.``). :func:`normalize_url` folds them together so that identities and duplicate checks agree.

>>> normalize_url("HTTPS://Tass.com:443/politics/1234?utm_source=rss&b=2&a=1#top")
'https://tass.com/politics/1234?a=1&b=2'
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

#: query parameters that only track the reader; matched case-insensitively
# fmt: off
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "yclid", "msclkid", "twclid", "igshid", "mc_cid",
    "mc_eid", "ref", "ref_src", "ref_url", "referrer", "cmpid", "cmp", "ncid", "ocid", "_ga", "_gl",
    "_hsenc", "_hsmi", "mkt_tok", "spm", "smid", "sr_share", "s_cid", "icid",
})
# fmt: on
#: parameter prefixes that only track the reader
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "vero_", "oly_")
#: parameters that ask for the AMP rendering of the same article
AMP_PARAMS = frozenset({"amp", "outputtype=amp"})

# Hosts whose "m." / "amp." prefix serves the same article as the bare host; for any other site we
# cannot know that "m.example.com" is a mirror, so we leave it alone.
# e.g. https://m.sputnikglobe.com/20240509/... and https://amp.arabnews.com/node/2389186
# fmt: off
MIRROR_PREFIX_HOSTS = frozenset({
    "tass.com", "tass.ru", "sputnikglobe.com", "sputniknews.com", "ria.ru", "arabnews.com",
    "japan-forward.com", "sankei.com", "japantimes.co.jp", "mainichi.jp", "kyodonews.net", "nippon.com",
    "japannews.yomiuri.co.jp", "nhk.or.jp",
})
# fmt: on
_MIRROR_PREFIX_RE = re.compile(r"^(?:amp|m|mobile)\.")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _strip_mirror_prefix(host: str) -> str:
    """``m.tass.com`` -> ``tass.com`` for hosts known to mirror; ``www.`` stays (it is a real host)."""
    match = _MIRROR_PREFIX_RE.match(host)
    if not match:
        return host
    bare = host[match.end() :]
    registered = bare.removeprefix("www.")
    if registered in MIRROR_PREFIX_HOSTS or any(registered.endswith("." + h) for h in MIRROR_PREFIX_HOSTS):
        return bare
    return host


def _strip_amp_path(path: str) -> str:
    """``/node/1/amp`` and ``/amp/node/1`` -> ``/node/1``; ``/a.amp.html`` -> ``/a.html``."""
    if "amp" not in path:
        return path
    cleaned = re.sub(r"(?<=/)amp/", "", path, count=1) if path.startswith("/amp/") else path
    cleaned = re.sub(r"/amp/?$", "/" if path.endswith("/") else "", cleaned)
    cleaned = re.sub(r"\.amp(\.html?)$", r"\1", cleaned)
    cleaned = re.sub(r"\.amp$", "", cleaned)
    return cleaned or "/"


def normalize_url(url: str) -> str:
    """The canonical spelling of ``url``.

    Lower-cases scheme and host, drops the default port, the fragment, tracking parameters and AMP
    markers (``/amp/`` path segments, ``?amp``, ``amp.``/``m.`` hosts of known outlets), sorts the
    remaining query parameters and keeps the path's case (paths are case-sensitive).

    Raises ``ValueError`` for a URL that is not absolute http(s).

    >>> normalize_url("https://www.arabnews.com/node/2389186/amp?fbclid=x")
    'https://www.arabnews.com/node/2389186'
    """
    if not isinstance(url, str):
        raise ValueError(f"not a URL: {url!r}")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    host = parts.hostname.lower().rstrip(".")
    host = _strip_mirror_prefix(host)
    try:
        port = parts.port
    except ValueError as exc:  # "http://host:99999/" or "http://host:abc/"
        raise ValueError(f"bad port in URL: {url!r}") from exc
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username or parts.password:
        netloc = f"{parts.username or ''}{':' + parts.password if parts.password else ''}@{netloc}"
    path = _strip_amp_path(parts.path or "/")
    # parameters are kept as written (no re-encoding, "?123" stays without "="), only filtered and sorted
    kept = []
    for token in parts.query.split("&"):
        name = unquote_plus(token.split("=", 1)[0])
        if (
            token
            and not _is_tracking(name)
            and name.lower() not in AMP_PARAMS
            and token.lower() not in AMP_PARAMS
        ):
            kept.append((name, token))
    query = "&".join(token for _, token in sorted(kept))
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    """The lower-case host of ``url`` without port or a leading ``www.``; ``""`` when there is none.

    >>> host_of("https://WWW.Arabnews.com:443/node/1")
    'arabnews.com'
    """
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".").removeprefix("www.")


def resolve(base: str, href: str) -> str:
    """``href`` made absolute against ``base`` (whitespace in the link trimmed, fragment kept).

    >>> resolve("https://tass.com/politics/1", "/world/2")
    'https://tass.com/world/2'
    """
    href = (href or "").strip()
    if href.startswith("//"):
        # protocol-relative links inherit the page's scheme
        return f"{urlsplit(base).scheme or 'https'}:{href}"
    return urljoin(base, href)
