"""robots.txt: parsing and matching per RFC 9309, and a per-origin cache.

``urllib.robotparser`` applies the first matching rule in file order and knows no ``*`` or ``$``
wildcards, so ``Disallow: /`` followed by ``Allow: /news/`` blocks ``/news/`` there, while RFC 9309 (and
every large crawler) takes the longest match. This module implements the RFC's matching instead.

What an unreachable robots.txt means (RFC 9309 section 2.3.1):

- 2xx: the rules apply (at most ``MAX_ROBOTS_BYTES`` are parsed, the RFC's minimum).
- 4xx ("unavailable", e.g. 404): no rules, everything is allowed. 429 is the exception: like a server
  error it says "come back later", so it is treated as unreachable.
- 5xx, timeouts, connection errors ("unreachable"): everything is disallowed, and the decision is kept
  for the lifetime of the cache (one run): we do not hammer a struggling server with page requests.

Example::

    >>> policy = RobotsPolicy.parse("User-agent: *\\nDisallow: /\\nAllow: /news/\\nCrawl-delay: 2", "dipnews")
    >>> policy.allowed("https://example.com/news/1"), policy.allowed("https://example.com/admin")
    (True, False)
    >>> policy.crawl_delay
    2.0
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

#: RFC 9309 requires parsing at least 500 KiB; content past that is ignored.
MAX_ROBOTS_BYTES = 500 * 1024
#: How long a fetched policy stays valid (RFC 9309: should not be cached for more than 24 hours).
DEFAULT_TTL = 24 * 3600.0

_LINE = re.compile(r"^\s*([A-Za-z-]+)\s*:\s*(.*?)\s*$")
# Characters that stay as they are when paths are normalised for comparison.
_PATH_SAFE = "/?&=:;@!$'()*+,~-._"


def _normalise_path(path: str) -> str:
    """Percent-encode a path (or rule) the same way on both sides: decode, then re-encode uniformly."""
    return quote(unquote(path), safe=_PATH_SAFE + "%")


@dataclass(frozen=True)
class _Rule:
    allow: bool
    pattern: str
    regex: re.Pattern[str]

    @classmethod
    def build(cls, allow: bool, raw: str) -> _Rule:
        pattern = _normalise_path(raw)  # "*" and "$" are in _PATH_SAFE: they survive as wildcards
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        regex = ".*".join(re.escape(part) for part in body.split("*"))
        return cls(allow, pattern, re.compile(regex + ("$" if anchored else ""), re.DOTALL))

    def matches(self, path: str) -> bool:
        return self.regex.match(path) is not None


@dataclass(frozen=True)
class RobotsPolicy:
    """The rules of one origin's robots.txt that apply to our user agent.

    ``status`` says where the policy came from: ``"rules"`` (parsed), ``"allow_all"`` (no file, 4xx)
    or ``"disallow_all"`` (unreachable).
    """

    status: str
    rules: tuple[_Rule, ...] = ()
    crawl_delay: float | None = None
    sitemaps: tuple[str, ...] = ()
    detail: str = ""

    @classmethod
    def allow_all(cls, detail: str = "") -> RobotsPolicy:
        """The policy of an origin without robots.txt."""
        return cls("allow_all", detail=detail)

    @classmethod
    def disallow_all(cls, detail: str = "") -> RobotsPolicy:
        """The policy of an origin whose robots.txt could not be fetched."""
        return cls("disallow_all", detail=detail)

    @classmethod
    def parse(cls, text: str, product: str) -> RobotsPolicy:
        """Parse robots.txt ``text`` for the crawler whose product token is ``product`` (e.g. "dipnews").

        Groups naming the product (case-insensitively) apply; if there is none, the ``*`` groups do.
        Several groups for the same agent are merged, as the RFC asks.
        """
        product = product.lower()
        groups: list[tuple[list[str], list[tuple[str, str]]]] = []
        agents: list[str] = []
        lines: list[tuple[str, str]] = []
        sitemaps: list[str] = []
        in_rules = False
        for raw_line in text[:MAX_ROBOTS_BYTES].splitlines():
            match = _LINE.match(raw_line.split("#", 1)[0])
            if not match:
                continue
            key, value = match.group(1).lower(), match.group(2)
            if key == "sitemap":  # not part of any group
                sitemaps.append(value)
            elif key in ("user-agent", "useragent"):
                if in_rules:  # a user-agent line after rules starts a new group
                    groups.append((agents, lines))
                    agents, lines, in_rules = [], [], False
                agents.append(value.lower())
            elif key in ("allow", "disallow", "crawl-delay"):
                in_rules = True
                lines.append((key, value))
        if agents:
            groups.append((agents, lines))

        def select(name: str) -> list[tuple[str, str]]:
            return [line for agent_names, group in groups if name in agent_names for line in group]

        chosen = select(product) or select("*")
        rules: list[_Rule] = []
        delay: float | None = None
        for key, value in chosen:
            if key == "crawl-delay":
                try:
                    delay = max(delay or 0.0, float(value))
                except ValueError:
                    continue  # "Crawl-delay: soon" says nothing we can honour
            elif value:  # an empty Disallow allows everything: no rule
                rules.append(_Rule.build(key == "allow", value))
        return cls("rules", tuple(rules), delay, tuple(sitemaps))

    def allowed(self, url: str) -> bool:
        """Whether ``url`` (absolute, or a path) may be fetched: longest match wins, Allow wins ties."""
        if self.status != "rules":
            return self.status == "allow_all"
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if path == "/robots.txt":
            return True
        path = _normalise_path(path)
        best: _Rule | None = None
        for rule in self.rules:
            if rule.matches(path) and (
                best is None
                or len(rule.pattern) > len(best.pattern)
                or (len(rule.pattern) == len(best.pattern) and rule.allow)
            ):
                best = rule
        return best is None or best.allow


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    policy: RobotsPolicy | None = None
    expires: float = 0.0


class RobotsCache:
    """Thread-safe cache of one :class:`RobotsPolicy` per origin (``scheme://host[:port]``).

    ``fetch(origin)`` is called at most once per origin and TTL, even when several threads ask at
    once; the others wait for its answer. Policies of unreachable origins (``disallow_all``) never
    expire within the cache's life, i.e. within one run.
    """

    def __init__(self, fetch: Callable[[str], RobotsPolicy], ttl: float = DEFAULT_TTL) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def policy(self, origin: str) -> RobotsPolicy:
        """The policy for ``origin``, fetched on first use."""
        with self._lock:
            entry = self._entries.setdefault(origin, _Entry())
        with entry.lock:
            now = time.monotonic()
            if entry.policy is None or now >= entry.expires:
                entry.policy = self._fetch(origin)
                unreachable = entry.policy.status == "disallow_all"
                entry.expires = float("inf") if unreachable else now + self._ttl
            return entry.policy
